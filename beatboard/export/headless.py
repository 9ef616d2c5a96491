"""The Blender half of ``beatboard export``: run as ``python -m beatboard.export.headless``
in its own process (bpy), it installs the extension, opens the board, gathers it into
JSON and runs the exports only Blender can make (cameras, animatic), through the add-on's
own code, exactly as the Export section in Blender does."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def _fail(message: str) -> None:
    print(f"beatboard export: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zip", required=True)
    parser.add_argument("--blend", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--gathered", required=True, help="where to write the gathered board (JSON)")
    parser.add_argument("--version", default="")
    parser.add_argument("--cameras", action="store_true")
    parser.add_argument("--animatic", help="render the animatic to this .mp4")
    args = parser.parse_args(argv)
    os.environ.setdefault("BLENDER_USER_RESOURCES", tempfile.mkdtemp(prefix="beatboard-blender-"))

    import bpy  # after BLENDER_USER_RESOURCES: Blender reads it at import

    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.extensions.package_install_files(filepath=str(Path(args.zip).resolve()), repo="user_default",
                                              enable_on_install=True)
    if bpy.context.preferences.addons.get("bl_ext.user_default.beatboard") is None:
        _fail("the Beatboard extension did not install from the zip")
    try:
        bpy.ops.wm.open_mainfile(filepath=str(Path(args.blend).resolve()), load_ui=False)
    except RuntimeError as exc:
        _fail(f"{args.blend} could not be opened: {exc}")
    from bl_ext.user_default.beatboard import export_animatic, export_cameras, export_gather

    scene = bpy.context.scene
    if not any(b.shot_number for b in scene.beatboard.beats):
        _fail(f"{args.blend} has no blocked-out shots: run Block Out Shots (or 'beatboard board') first")
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    board = export_gather.gather_board(scene, version=args.version)
    board.write(Path(args.gathered))
    timings = {"gather": time.perf_counter() - started}
    if args.cameras:
        started = time.perf_counter()
        made = export_cameras.export_cameras(scene, board, str(out / "cameras"))
        timings["cameras"] = time.perf_counter() - started
        for kind, paths in made.items():
            print(f"beatboard export: {kind}: {len(paths)} file(s) in {out / 'cameras'}", flush=True)
    if args.animatic:
        started = time.perf_counter()
        last = [-1]

        def progress(fraction: float, status: str) -> None:
            if int(fraction * 10) != last[0]:
                last[0] = int(fraction * 10)
                print(f"beatboard export: {status} ({fraction:.0%})", flush=True)

        export_animatic.render_animatic(scene, board, args.animatic, progress)
        timings["animatic"] = time.perf_counter() - started
    if args.cameras or args.animatic:
        # The burned-in text strips and the cameras' frame ranges stay in the board, as in Blender.
        bpy.ops.wm.save_mainfile()
    print("BEATBOARD_TIMINGS " + json.dumps(timings), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
