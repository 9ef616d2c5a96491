"""The Beatboard panel, in the 3D viewport and the Video Sequencer sidebars."""

from __future__ import annotations

import bpy

from .ops_audit import draw_audit


class BEATBOARD_UL_beats(bpy.types.UIList):
    def draw_item(self, context, layout, data, item, icon, active_data, active_propname, index):
        row = layout.row(align=True)
        row.label(text=item.shot_number or str(index + 1))
        row.label(text=item.shot_size.replace("_", " "))
        row.prop(item, "action", text="", emboss=False)


class BEATBOARD_UL_casting(bpy.types.UIList):
    def draw_item(self, context, layout, data, item, icon, active_data, active_propname, index):
        row = layout.row(align=True)
        row.label(text=item.name, icon="USER")
        row.prop_search(item, "actor_name", data, "stored_actors", text="")


def draw_actor_card(layout, card) -> None:
    box = layout.box()
    row = box.row()
    if card.reference is not None:
        card.reference.preview_ensure()
        row.template_icon(icon_value=card.reference.preview.icon_id, scale=4.0)
    column = row.column(align=True)
    column.label(text=card.name, icon="ARMATURE_DATA")
    if card.description:
        column.label(text=card.description)
    column.label(text=f"LoRA {card.lora_version}" if card.lora_version else "No trained LoRA yet")
    if card.cast_as:
        column.label(text=f"Cast as {card.cast_as}")
    if card.note_count:
        box.label(text=f"{card.note_count} notes, latest: {card.notes}", icon="TEXT")
    box.operator("beatboard.train_lora", icon="MOD_ARMATURE").actor = card.name
    for hint in filter(None, card.hints.split("; ")):
        hint_row = box.row(align=True)
        hint_row.label(text=f"Hint: {hint}", icon="LIGHT")
        op = hint_row.operator("beatboard.remove_hint", text="", icon="X")
        op.actor, op.hint = card.name, hint


def draw_casting(layout, props) -> None:
    header = layout.row(align=True)
    header.label(text="Casting", icon="COMMUNITY")
    header.operator("beatboard.refresh_actors", text="", icon="FILE_REFRESH")
    if not props.casting:
        layout.label(text="Refresh Actors to cast this script's characters")
        return
    layout.template_list("BEATBOARD_UL_casting", "", props, "casting", props, "active_casting", rows=3)
    row = layout.row(align=True)
    row.operator("beatboard.save_casting", icon="CHECKMARK")
    row.operator("beatboard.add_stored_actor", icon="ADD")
    if 0 <= props.active_casting < len(props.casting):
        card = props.stored_actors.get(props.casting[props.active_casting].actor_name)
        if card is not None:
            draw_actor_card(layout, card)


def draw_feedback(layout, context) -> None:
    from .ops_feedback import active_take

    props = context.scene.beatboard
    strip = active_take(context.scene)
    if strip is None:
        return
    box = layout.box()
    author = f", by {strip['beatboard_author']}" if strip.get("beatboard_author") else ""
    box.label(text=f"{strip.name}{author}: {strip.get('beatboard_verdict', 'not judged')}", icon="SEQUENCE")
    row = box.row(align=True)
    row.operator("beatboard.feedback", text="Approve", icon="CHECKMARK").verdict = "APPROVE"
    row.operator("beatboard.feedback", text="Reject", icon="X").verdict = "REJECT"
    row.operator("beatboard.feedback", text="Pick", icon="SOLO_ON").picked = True
    row = box.row(align=True)
    for stars in range(1, 6):
        row.operator("beatboard.feedback", text=str(stars)).rating = stars
    box.prop(props, "feedback_note", text="", placeholder="Note, e.g. 'more expressive'")
    row = box.row(align=True)
    row.prop(props, "feedback_scope", text="")
    if props.feedback_scope == "ACTOR":
        row.prop_search(props, "feedback_actor", props, "casting", text="")
    row.operator("beatboard.feedback", text="Send Note", icon="TEXT").send_note = True
    box.operator("beatboard.add_note", text="Apply Note and Re-render", icon="FILE_REFRESH")
    box.prop(strip, '["beatboard_prompt"]', text="Prompt")
    if strip.get("beatboard_note"):
        box.label(text=f"From note: {strip['beatboard_note']}", icon="TEXT")
    box.operator("beatboard.rerender", text="Re-render with This Prompt", icon="GREASEPENCIL").edited_prompt = True
    box.operator("beatboard.rank_takes", icon="SORTSIZE")


def draw_export(layout, context) -> None:
    """Export: the hand-off files, and editorial timing back in."""
    export = context.scene.beatboard_export
    layout.label(text="Export", icon="EXPORT")
    layout.prop(export, "folder")
    grid = layout.grid_flow(columns=2, align=True)
    for name in ("pdf", "shotlist", "otio", "edl", "fcp7", "cameras", "animatic"):
        grid.prop(export, name)
    if export.pdf:
        row = layout.row(align=True)
        row.prop(export, "layout", text="")
        row.prop(export, "page", text="")
        row.prop(export, "board_version", text="")
        layout.prop(export, "watermark", placeholder="Watermark (optional)")
    layout.prop(export, "command", placeholder="beatboard on PATH")
    layout.operator("beatboard.export", icon="EXPORT")
    layout.operator("beatboard.import_timing", icon="IMPORT")
def draw_director(layout, context) -> None:
    """Re-render what you choose, the performance sliders of the active shot, the notes in force."""
    props = context.scene.beatboard
    box = layout.box()
    row = box.row(align=True)
    row.operator("beatboard.rerender", text="Re-render Shot", icon="RENDER_STILL").target = "ACTIVE"
    row.operator("beatboard.rerender", text="Selected").target = "SELECTED"
    op = row.operator("beatboard.rerender", text="Variation", icon="MOD_NOISE")
    op.target, op.variation = "ACTIVE", True
    box.operator("beatboard.sync_takes", icon="UV_SYNC_SELECT")
    if 0 <= props.active_beat < len(props.beats):
        beat = props.beats[props.active_beat]
        rigs = [o for o in beat.camera.users_collection[0].all_objects
                if o.type == "ARMATURE" and "beatboard_emotion" in o] if beat.camera else []
        for rig in rigs:
            row = box.row(align=True)
            row.label(text=rig.get("beatboard_actor", rig.name), icon="ARMATURE_DATA")
            row.prop(rig, '["beatboard_emotion"]', text="")
            row.prop(rig, '["beatboard_intensity"]', text="", slider=True)
    row = box.row(align=True)
    row.label(text=f"Notes in force ({props.project or 'default'})", icon="BOOKMARKS")
    row.operator("beatboard.watch_board", text="Live" if not props.watching else "Live: on",
                 icon="PLAY" if not props.watching else "PAUSE", depress=props.watching).enable = not props.watching
    for note in props.notes_in_force:
        row = box.row(align=True)
        where = "board" if note.scope == "BOARD" else (f"{note.actor} " if note.actor else "") + f"shot {note.shot}"
        by = f" ({note.author})" if note.author else ""
        row.label(text=f"{where}: {note.text}{by}", icon="BOOKMARKS")
        row.operator("beatboard.remove_note", text="", icon="X").note_id = note.name


def draw_beatboard(layout, context) -> None:
    props = context.scene.beatboard
    layout.prop(props, "project", icon="COMMUNITY")
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
        box.prop(beat, "subject")
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
    draw_audit(column, context.scene)
    row = column.row(align=True)
    row.prop_search(props, "backend", props, "offered_backends", text="Backend")
    row.operator("beatboard.refresh_models", text="", icon="FILE_REFRESH")
    column.prop_search(props, "model", props, "offered_models", text="Model")
    row = column.row(align=True)
    row.prop(props, "seed")
    row.prop(props, "steps")
    column.prop(props, "variations")
    column.operator("beatboard.render_storyboard", icon="RENDER_STILL")
    draw_casting(layout.box(), props)
    draw_feedback(layout, context)
    draw_export(layout.box(), context)
    draw_director(layout, context)
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


classes = (BEATBOARD_UL_beats, BEATBOARD_UL_casting, BEATBOARD_PT_view3d, BEATBOARD_PT_sequencer)
