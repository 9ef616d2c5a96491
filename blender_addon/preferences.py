from __future__ import annotations

import bpy

from .core.client import ServerClient

ADDON_ID = __package__


class BEATBOARD_AddonPreferences(bpy.types.AddonPreferences):
    bl_idname = ADDON_ID

    server_url: bpy.props.StringProperty(
        name="Server URL", default="http://127.0.0.1:8765",
        description="The Beatboard render server ('beatboard server' starts one on this machine)",
    )
    token: bpy.props.StringProperty(
        name="Token", default="", subtype="PASSWORD",
        description="Bearer token, if the server was started with BEATBOARD_TOKEN",
    )

    def draw(self, context):
        layout = self.layout
        layout.prop(self, "server_url")
        layout.prop(self, "token")
        layout.label(text="Frames are rendered on this machine unless the URL points elsewhere.", icon="INFO")


def get_prefs(context=None) -> BEATBOARD_AddonPreferences:
    context = context or bpy.context
    return context.preferences.addons[ADDON_ID].preferences


def make_client(context=None) -> ServerClient:
    prefs = get_prefs(context)
    scene = getattr(context or bpy.context, "scene", None)
    project = scene.beatboard.project if scene is not None and hasattr(scene, "beatboard") else ""
    return ServerClient(base_url=prefs.server_url, token=prefs.token, project=project.strip())
