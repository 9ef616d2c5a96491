"""Beatboard: script to storyboard inside Blender.

This file stays free of bpy so the bpy-free core under ``core/`` can be imported and
tested by plain Python; Blender's side is loaded by ``register``.
"""


def register() -> None:
    from . import addon

    addon.register()


def unregister() -> None:
    from . import addon

    addon.unregister()
