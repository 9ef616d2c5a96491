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
    parser.add_argument("--project", default="")
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
    if args.project:
        refused = _check_project(scene, args.server, args.token, args.project)
        if refused:
            print(f"beatboard: the note was not applied: {refused}", file=sys.stderr)
            return 1
        scene.beatboard.project = args.project  # a board made now goes there; the .blend remembers it
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


def _check_project(scene, server: str, token: str, project: str) -> str:
    """Why ``project`` cannot take the note ('' when it can): a project you are not in, or a board
    that the server already keeps in another project (a note and its takes go to the board's project)."""
    from blender_addon.core.client import ServerClient, ServerError

    client = ServerClient(base_url=server, token=token, project=project)
    try:
        known = client.projects()
        wanted = next((p for p in known if project in (p.id, p.name) or p.name.lower() == project.lower()), None)
        if wanted is None:
            return (f"you are in no project {project!r} on {server}; yours: "
                    f"{', '.join(repr(p.name) for p in known) or 'none'} (leave --project out for the .blend's own)")
        board_id = scene.beatboard.board_id
        try:
            board = client.board(board_id) if board_id else None
        except ServerError as exc:
            if exc.status != 404:
                raise
            board = None  # not on this server: the add-on makes it, in the project asked for
    except ServerError as exc:
        return str(exc)
    if board is not None and board.project != wanted.id:
        owner = next((p.name for p in known if p.id == board.project), board.project)
        return (f"this board is in project {owner!r} (id {board.project}), not {wanted.name!r}: "
                f"leave --project out, or name {owner!r}")
    return ""


if __name__ == "__main__":
    sys.exit(main())
