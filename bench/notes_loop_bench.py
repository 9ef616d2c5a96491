"""Time from a director's note to the new frame on the timeline (previs backend).

    .venv/bin/python bench/notes_loop_bench.py [--size 768x432] [--runs 3]

A real server process and real Blender (the add-on installed from the zip): the example
script is blocked out and rendered, then Apply Note runs for shot notes (one shot) and
board notes (all six shots) with different texts each run, so no answer comes from the
frame cache. Each time covers reading the note on the server, applying it in Blender,
reading depth/poses again, rendering, downloading and placing the strips. Prints the
runs and their median.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from beatboard.extension_build import build_extension  # noqa: E402
from beatboard.server_process import ServerProcess  # noqa: E402

SHOT_NOTES = ["Mara looks more frightened", "Mara almost in tears", "Mara a bit calmer", "Mara is furious",
              "Mara looks surprised"]
BOARD_NOTES = ["it's evening, not morning", "make it night", "golden hour", "dawn, light rain", "thick fog"]

SCRIPT = """
import bpy, json, time
bpy.ops.wm.read_factory_settings(use_empty=True)
bpy.ops.extensions.package_install_files(filepath={zip!r}, repo="user_default", enable_on_install=True)
bpy.context.preferences.addons["bl_ext.user_default.beatboard"].preferences.server_url = {url!r}
scene = bpy.context.scene
scene.render.resolution_x, scene.render.resolution_y, scene.render.resolution_percentage = {w}, {h}, 100
props = scene.beatboard
props.output_dir = {frames!r}
bpy.ops.beatboard.load_script(filepath={script!r})
bpy.ops.beatboard.break_into_beats()
bpy.ops.beatboard.block_out_shots(replace_existing=True)
bpy.ops.beatboard.render_storyboard()
times = {{"shot": [], "board": []}}
for shot_note, board_note in zip({shot_notes!r}, {board_notes!r}):
    started = time.perf_counter()
    bpy.ops.beatboard.add_note(text=shot_note, scope="SHOT", shot="3")
    times["shot"].append(time.perf_counter() - started)
    assert len(scene["beatboard_last_note"]["jobs"]) == 1, props.status
    started = time.perf_counter()
    bpy.ops.beatboard.add_note(text=board_note, scope="BOARD")
    times["board"].append(time.perf_counter() - started)
    assert len(scene["beatboard_last_note"]["jobs"]) == 6, props.status
print(json.dumps(times))
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="768x432")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    zip_path = build_extension()
    with tempfile.TemporaryDirectory() as tmp, ServerProcess(Path(tmp) / "server") as server:
        code = SCRIPT.format(zip=str(zip_path), url=server.url, w=width, h=height, frames=str(Path(tmp) / "frames"),
                             script=str(REPO / "examples" / "the_last_ferry.fountain"),
                             shot_notes=SHOT_NOTES[:args.runs], board_notes=BOARD_NOTES[:args.runs])
        (Path(tmp) / "bench.py").write_text(textwrap.dedent(code))
        env = {**os.environ, "BLENDER_USER_RESOURCES": str(Path(tmp) / "user"), "PYTHONPATH": str(REPO)}
        done = subprocess.run([sys.executable, str(Path(tmp) / "bench.py")], capture_output=True, text=True, env=env)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        print(done.stdout[-3000:], done.stderr[-3000:])
        return 1
    times = json.loads(lines[-1])
    print(f"previs backend, {width}x{height}, the example script (6 shots)\n")
    print(f"{'note':<28}{'runs (s)':<28}{'median (s)':>10}")
    for kind, label in (("shot", "shot note (1 shot)"), ("board", "board note (6 shots)")):
        runs = times[kind]
        print(f"{label:<28}{' '.join(f'{t:.2f}' for t in runs):<28}{statistics.median(runs):>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
