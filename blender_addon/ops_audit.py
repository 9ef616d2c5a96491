"""Audit Board: check every blocked-out shot and list the failing ones; click one to select its camera."""

from __future__ import annotations

import bpy

from .core.audit import audit, summary_line

RESULTS_KEY = "beatboard_audit"          # scene custom property: one dict per violation
SUMMARY_KEY = "beatboard_audit_summary"


def run_audit(scene) -> list:
    from .shot_facts import gather

    shots = [gather(scene, beat) for beat in scene.beatboard.beats if beat.camera]
    found = audit(shots)
    scene[RESULTS_KEY] = [{"shot": v.shot, "rule": v.rule, "detail": v.detail} for v in found]
    scene[SUMMARY_KEY] = summary_line(shots, found)
    return found


class BEATBOARD_OT_audit_board(bpy.types.Operator):
    """Check every shot: subject in frame, clear view, distinct setups, 180-degree line, headroom, colours"""

    bl_idname = "beatboard.audit_board"
    bl_label = "Audit Board"
    bl_options = {"REGISTER"}

    def execute(self, context):
        scene = context.scene
        if not any(beat.camera for beat in scene.beatboard.beats):
            self.report({"ERROR"}, "No shots to audit: use Block Out Shots first")
            return {"CANCELLED"}
        found = run_audit(scene)
        self.report({"WARNING"} if found else {"INFO"}, scene[SUMMARY_KEY])
        return {"FINISHED"}


class BEATBOARD_OT_select_shot_camera(bpy.types.Operator):
    """Select this shot's camera, make it the active camera and jump to the shot"""

    bl_idname = "beatboard.select_shot_camera"
    bl_label = "Select Shot Camera"
    bl_options = {"REGISTER", "UNDO"}

    shot: bpy.props.StringProperty(name="Shot")

    def execute(self, context):
        scene = context.scene
        beat = next((b for b in scene.beatboard.beats if b.shot_number == self.shot and b.camera), None)
        if beat is None:
            self.report({"ERROR"}, f"Shot {self.shot} has no camera; block the shots out again")
            return {"CANCELLED"}
        for obj in context.view_layer.objects:
            obj.select_set(False)
        beat.camera.select_set(True)
        context.view_layer.objects.active = beat.camera
        scene.camera = beat.camera
        scene.frame_set(beat.frame_start)
        return {"FINISHED"}


def draw_audit(layout, scene) -> None:
    box = layout.box()
    header = box.row(align=True)
    header.label(text="Audit", icon="VIEWZOOM")
    header.operator("beatboard.audit_board", text="Audit Board")
    summary = scene.get(SUMMARY_KEY)
    if not summary:
        return
    box.label(text=summary)
    for row in scene.get(RESULTS_KEY, [])[:40]:
        op = box.operator("beatboard.select_shot_camera", text=f"{row['shot']}: {row['rule']} - {row['detail']}",
                          icon="ERROR", emboss=False)
        op.shot = row["shot"]


classes = (BEATBOARD_OT_audit_board, BEATBOARD_OT_select_shot_camera)
