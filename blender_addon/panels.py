"""The Beatboard panel, in the 3D viewport and the Video Sequencer sidebars."""

from __future__ import annotations

import bpy


class BEATBOARD_UL_beats(bpy.types.UIList):
    def draw_item(self, context, layout, data, item, icon, active_data, active_propname, index):
        row = layout.row(align=True)
        row.label(text=item.shot_number or str(index + 1))
        row.label(text=item.shot_size.replace("_", " "))
        row.prop(item, "action", text="", emboss=False)


def draw_beatboard(layout, context) -> None:
    props = context.scene.beatboard
    column = layout.column(align=True)
    column.operator("beatboard.load_script", icon="FILE_TEXT")
    if props.script_text:
        column.label(text=f"{props.script_text.name}: {len(props.script_text.lines)} lines")
    row = column.row(align=True)
    row.prop(props, "beat_count")
    row.prop(props, "extractor", text="")
    column.prop(props, "focus", text="", placeholder="Director's focus (optional)")
    column.operator("beatboard.break_into_beats", icon="SEQ_STRIP_DUPLICATE")

    row = layout.row()
    row.template_list("BEATBOARD_UL_beats", "", props, "beats", props, "active_beat", rows=4)
    buttons = row.column(align=True)
    buttons.operator("beatboard.beat_add", icon="ADD", text="")
    buttons.operator("beatboard.beat_remove", icon="REMOVE", text="")
    buttons.operator("beatboard.beat_move", icon="TRIA_UP", text="").direction = "UP"
    buttons.operator("beatboard.beat_move", icon="TRIA_DOWN", text="").direction = "DOWN"
    if 0 <= props.active_beat < len(props.beats):
        beat = props.beats[props.active_beat]
        box = layout.box()
        box.prop(beat, "action")
        box.prop(beat, "characters")
        row = box.row(align=True)
        row.prop(beat, "shot_size", text="")
        row.prop(beat, "angle", text="")
        row.prop(beat, "lens_mm", text="mm")
        if beat.dialogue:
            box.label(text=f"{beat.speaker}: {beat.dialogue}", icon="OUTLINER_DATA_SPEAKER")
        if beat.line_start:
            box.label(text=f"Script lines {beat.line_start}-{beat.line_end}")
        row = box.row(align=True)
        row.prop_search(beat, "backend", props, "offered_backends", text="")
        row.prop_search(beat, "model", props, "offered_models", text="")

    column = layout.column(align=True)
    column.operator("beatboard.block_out_shots", icon="OUTLINER_OB_CAMERA")
    row = column.row(align=True)
    row.prop_search(props, "backend", props, "offered_backends", text="Backend")
    row.operator("beatboard.refresh_models", text="", icon="FILE_REFRESH")
    column.prop_search(props, "model", props, "offered_models", text="Model")
    row = column.row(align=True)
    row.prop(props, "seed")
    row.prop(props, "steps")
    column.prop(props, "variations")
    column.operator("beatboard.render_storyboard", icon="RENDER_STILL")
    if props.busy:
        layout.progress(factor=props.progress, type="BAR", text=props.status or "Working")
        layout.operator("beatboard.cancel", icon="CANCEL")
    elif props.last_error:
        layout.label(text=props.last_error, icon="ERROR")
    elif props.status:
        layout.label(text=props.status, icon="INFO")


class _BeatboardPanel:
    bl_label = "Beatboard"
    bl_region_type = "UI"
    bl_category = "Beatboard"

    def draw(self, context):
        draw_beatboard(self.layout, context)


class BEATBOARD_PT_view3d(_BeatboardPanel, bpy.types.Panel):
    bl_idname = "BEATBOARD_PT_view3d"
    bl_space_type = "VIEW_3D"


class BEATBOARD_PT_sequencer(_BeatboardPanel, bpy.types.Panel):
    bl_idname = "BEATBOARD_PT_sequencer"
    bl_space_type = "SEQUENCE_EDITOR"


classes = (BEATBOARD_UL_beats, BEATBOARD_PT_view3d, BEATBOARD_PT_sequencer)
