"""Drive real Blender (the bpy module) through the add-on, as a user would, headless.

Run as ``python -m beatboard.headless_board`` in its own process: it installs the
extension zip into a private Blender user folder, then calls the add-on's operators
one after another and saves the .blend. Only this driver uses Pillow; the add-on
itself stays stdlib + bpy.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def _fail(message: str) -> None:
    print(f"beatboard: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def _run(op, stage: str, timings: dict, **kwargs) -> None:
    started = time.perf_counter()
    try:
        result = op(**kwargs)
    except RuntimeError as exc:  # bpy turns an operator's ERROR report into RuntimeError
        _fail(f"{stage} failed: {str(exc).strip()}")
    if "FINISHED" not in result:
        _fail(f"{stage} did not finish ({result})")
    timings[stage] = time.perf_counter() - started
    print(f"beatboard: {stage} done in {timings[stage]:.2f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zip", required=True)
    parser.add_argument("--script", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--token", default="")
    parser.add_argument("--n", type=int, default=6)
    parser.add_argument("--focus", default="")
    parser.add_argument("--backend", default="")
    parser.add_argument("--width", type=int, default=768)
    parser.add_argument("--height", type=int, default=432)
    parser.add_argument("--no-render", action="store_true")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("BLENDER_USER_RESOURCES", tempfile.mkdtemp(prefix="beatboard-blender-"))

    import bpy  # after BLENDER_USER_RESOURCES: Blender reads it at import

    timings: dict[str, float] = {}
    started = time.perf_counter()
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.extensions.package_install_files(filepath=str(Path(args.zip).resolve()), repo="user_default",
                                              enable_on_install=True)
    addon = bpy.context.preferences.addons.get("bl_ext.user_default.beatboard")
    if addon is None:
        _fail("the Beatboard extension did not install from the zip")
    addon.preferences.server_url = args.server
    addon.preferences.token = args.token
    timings["install"] = time.perf_counter() - started

    scene = bpy.context.scene
    scene.render.resolution_x, scene.render.resolution_y = args.width, args.height
    scene.render.resolution_percentage = 100
    scene.render.fps, scene.render.fps_base = 24, 1.0
    scene.beatboard.beat_count = args.n
    scene.beatboard.focus = args.focus
    scene.beatboard.backend = args.backend
    scene.beatboard.output_dir = str(out / "frames")

    _run(bpy.ops.beatboard.load_script, "load script", timings, filepath=str(Path(args.script).resolve()))
    _run(bpy.ops.beatboard.break_into_beats, "break into beats", timings)
    _run(bpy.ops.beatboard.block_out_shots, "block out shots", timings, replace_existing=True)
    if not args.no_render:
        _run(bpy.ops.beatboard.render_storyboard, "render storyboard", timings)
    blend = out / "board.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))

    beats = scene.beatboard.beats
    strips = {}
    if scene.sequence_editor:
        for strip in scene.sequence_editor.strips:
            if not strip.mute:
                strips[strip.get("beatboard_shot")] = bpy.path.abspath(strip.directory + strip.elements[0].filename)
    summary = {
        "title": scene.beatboard.title,
        "blend": str(blend),
        "timings": timings,
        "render": scene.get("beatboard_last_render").to_dict() if scene.get("beatboard_last_render") else {},
        "shots": [
            {"number": b.shot_number, "heading": b.heading, "action": b.action, "dialogue": b.dialogue,
             "size": b.shot_size, "lens_mm": b.lens_mm, "frame_start": b.frame_start, "frame_end": b.frame_end,
             "camera": b.camera.name if b.camera else "", "frame": strips.get(b.shot_number, "")}
            for b in beats
        ],
    }
    (out / "board.json").write_text(json.dumps(summary, indent=2))
    print(f"beatboard: saved {blend}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
