"""Apply a director's note to a saved board, headless: open DIR/board.blend in real Blender,
run the add-on's Apply Note operator (the same one the panel's button runs), save.

Run as ``python -m beatboard.headless_note`` in its own process (beatboard note starts it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zip", required=True)
    parser.add_argument("--blend", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--token", default="")
    parser.add_argument("--scope", choices=("SHOT", "ACTOR", "BOARD"), required=True)
    parser.add_argument("--shot", default="")
    parser.add_argument("--actor", default="")
    parser.add_argument("text")
    args = parser.parse_args(argv)
    os.environ.setdefault("BLENDER_USER_RESOURCES", tempfile.mkdtemp(prefix="beatboard-blender-"))

    import bpy

    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.extensions.package_install_files(filepath=str(Path(args.zip).resolve()), repo="user_default",
                                              enable_on_install=True)
    bpy.ops.wm.open_mainfile(filepath=str(Path(args.blend).resolve()))
    addon = bpy.context.preferences.addons.get("bl_ext.user_default.beatboard")
    if addon is None:
        print("beatboard: the Beatboard extension did not install from the zip", file=sys.stderr)
        return 1
    addon.preferences.server_url, addon.preferences.token = args.server, args.token
    scene = bpy.context.scene
    started = time.perf_counter()
    try:
        bpy.ops.beatboard.add_note(text=args.text, scope=args.scope, shot=args.shot, actor=args.actor,
                                   all_shots=args.scope == "ACTOR" and not args.shot)
    except RuntimeError as exc:  # the operator's ERROR report
        print(f"beatboard: the note was not applied: {str(exc).strip()}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    bpy.ops.wm.save_mainfile()
    last = scene.get("beatboard_last_note")
    summary = {"status": scene.beatboard.status, "seconds": seconds,
               "jobs": list(last["jobs"]) if last else [], "messages": list(last["messages"]) if last else []}
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
