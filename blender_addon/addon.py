"""Every Blender class of the add-on, registered in order and unregistered in reverse."""

from __future__ import annotations

import bpy

from . import (board_watch, ops_actors, ops_audit, ops_beats, ops_block, ops_export, ops_feedback, ops_notes,
               ops_render, panels, preferences, props, runner)

classes = (
    preferences.BEATBOARD_AddonPreferences,
    *props.classes,
    *ops_beats.classes,
    *ops_block.classes,
    *ops_audit.classes,
    *ops_render.classes,
    *ops_actors.classes,
    *ops_feedback.classes,
    *ops_export.classes,
    *ops_notes.classes,
    *board_watch.classes,
    *panels.classes,
)


def register() -> None:
    for cls in classes:
        bpy.utils.register_class(cls)
    bpy.types.Scene.beatboard = bpy.props.PointerProperty(type=props.BeatboardSceneProps)
    bpy.types.Scene.beatboard_export = bpy.props.PointerProperty(type=ops_export.BEATBOARD_PG_export)


def unregister() -> None:
    runner.shutdown()
    board_watch.stop_all()
    for name in ("beatboard_export", "beatboard"):
        if hasattr(bpy.types.Scene, name):
            delattr(bpy.types.Scene, name)
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
