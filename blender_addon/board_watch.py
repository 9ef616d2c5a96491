"""Live notes: the panel's note list follows the board on the server (anyone's note, take or pick)
through a long-poll on a worker thread; a timer applies what it fetched on the main thread."""

from __future__ import annotations

import bpy

from .core.board_watch import BoardWatch
from .core.client import ServerError
from .ops_notes import remember_notes
from .preferences import make_client

DRAIN_INTERVAL_S = 0.5
_watches: dict[str, BoardWatch] = {}  # scene name -> its watch


def apply_updates() -> int:
    """Show what the watches fetched; the number of boards applied. The timer calls this (headless
    callers may call it themselves: background Blender runs no timers)."""
    applied = 0
    for scene_name, watch in list(_watches.items()):
        scene = bpy.data.scenes.get(scene_name)
        if scene is None:
            watch.stop()
            _watches.pop(scene_name, None)
            continue
        props = scene.beatboard
        for update in watch.drain():
            if isinstance(update, ServerError):
                props.status = f"Live notes: {update.body.message}"
                continue
            before = {n.name for n in props.notes_in_force}
            remember_notes(props, update)
            fresh = [n for n in props.notes_in_force if n.name not in before]
            if fresh:
                props.status = "; ".join(f"{n.author or 'someone'}: {n.text}" for n in fresh)[:1000]
            applied += 1
        props.watching = watch.running
    return applied


def _tick():
    apply_updates()
    return DRAIN_INTERVAL_S if _watches else None


def start(context) -> BoardWatch:
    scene = context.scene
    stop(scene.name)
    watch = BoardWatch(make_client(context), scene.beatboard.board_id, scene.beatboard.board_revision).start()
    _watches[scene.name] = watch
    scene.beatboard.watching = True
    if not bpy.app.timers.is_registered(_tick):
        bpy.app.timers.register(_tick, first_interval=DRAIN_INTERVAL_S)
    return watch


def stop(scene_name: str) -> None:
    watch = _watches.pop(scene_name, None)
    if watch is not None:
        watch.stop()


def stop_all() -> None:
    for name in list(_watches):
        stop(name)
    if bpy.app.timers.is_registered(_tick):
        bpy.app.timers.unregister(_tick)


class BEATBOARD_OT_watch_board(bpy.types.Operator):
    """Follow this board on the server: notes (and takes and picks) from other sessions show at once"""

    bl_idname = "beatboard.watch_board"
    bl_label = "Live Notes"

    enable: bpy.props.BoolProperty(default=True)

    def execute(self, context):
        props = context.scene.beatboard
        if not self.enable:
            stop(context.scene.name)
            props.watching = False
            return {"FINISHED"}
        if not props.board_id:
            self.report({"ERROR"}, "No board on the server yet: Render Storyboard or Sync Takes first")
            return {"CANCELLED"}
        start(context)
        props.status = f"Following board {props.board_id} in project {props.project}"
        return {"FINISHED"}


classes = (BEATBOARD_OT_watch_board,)
