"""Load a script and break it into beats the user can edit before blocking."""

from __future__ import annotations

import os

import bpy
from bpy_extras.io_utils import ImportHelper

from .core.script_files import ScriptFileError, read_script
from .core.tasks import Task
from .core.wire import wire
from .preferences import make_client
from .runner import AsyncOperator

TEXT_NAME = "Beatboard Script"


class BEATBOARD_OT_load_script(bpy.types.Operator, ImportHelper):
    """Load a Fountain screenplay, Final Draft file or plain notes into the project"""

    bl_idname = "beatboard.load_script"
    bl_label = "Load Script"
    bl_options = {"REGISTER", "UNDO"}

    filter_glob: bpy.props.StringProperty(default="*.fountain;*.spmd;*.txt;*.fdx;*.md", options={"HIDDEN"})

    def execute(self, context):
        try:
            text = read_script(self.filepath)
        except (OSError, ScriptFileError) as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        block = bpy.data.texts.get(TEXT_NAME) or bpy.data.texts.new(TEXT_NAME)
        block.from_string(text)
        props = context.scene.beatboard
        props.script_path = self.filepath
        props.script_text = block
        self.report({"INFO"}, f"Loaded {os.path.basename(self.filepath)} ({len(text.splitlines())} lines)")
        return {"FINISHED"}


class BEATBOARD_OT_break_into_beats(AsyncOperator, bpy.types.Operator):
    """Ask the render server to break the script into key beats"""

    bl_idname = "beatboard.break_into_beats"
    bl_label = "Break into Beats"
    task_name = "beats"

    def make_task(self, context):
        props = context.scene.beatboard
        if props.script_text is None or not props.script_text.as_string().strip():
            self.report({"ERROR"}, "No script loaded: use Load Script first")
            return None
        request = wire.BeatsRequest(script=props.script_text.as_string(), n=props.beat_count, focus=props.focus,
                                    filename=os.path.basename(props.script_path), extractor=props.extractor)
        client = make_client(context)
        scene_name = context.scene.name

        def work(task: Task):
            task.report(0.1, "checking the server")
            client.health()
            task.report(0.3, f"breaking the script into {request.n} beats")
            return client.beats(request)

        def done(task: Task):
            response: wire.BeatsResponse = task.result
            scene = bpy.data.scenes[scene_name]
            beats = scene.beatboard.beats
            beats.clear()
            for beat in response.beats:
                beats.add().from_wire(beat)
            scene.beatboard.title = response.title
            if response.source_fountain and scene.beatboard.script_text:
                # An FDX was converted: keep the Fountain the beats' line numbers refer to.
                scene.beatboard.script_text.from_string(response.source_fountain)
            summary = f"{len(response.beats)} beats from {response.scenes} scenes ({response.extractor})"
            scene.beatboard.status = "; ".join([summary, *response.warnings])
            for warning in response.warnings:
                print(f"Beatboard: {warning}")

        return Task(self.task_name, work), done


class BEATBOARD_OT_beat_add(bpy.types.Operator):
    """Add a beat after the active one"""

    bl_idname = "beatboard.beat_add"
    bl_label = "Add Beat"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context):
        props = context.scene.beatboard
        beat = props.beats.add()
        beat.action = "New beat"
        target = min(props.active_beat + 1, len(props.beats) - 1)
        props.beats.move(len(props.beats) - 1, target)
        props.active_beat = target
        return {"FINISHED"}


class BEATBOARD_OT_beat_remove(bpy.types.Operator):
    """Delete the active beat"""

    bl_idname = "beatboard.beat_remove"
    bl_label = "Delete Beat"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        return len(context.scene.beatboard.beats) > 0

    def execute(self, context):
        props = context.scene.beatboard
        props.beats.remove(props.active_beat)
        props.active_beat = max(0, min(props.active_beat, len(props.beats) - 1))
        return {"FINISHED"}


class BEATBOARD_OT_beat_move(bpy.types.Operator):
    """Move the active beat up or down"""

    bl_idname = "beatboard.beat_move"
    bl_label = "Move Beat"
    bl_options = {"REGISTER", "UNDO"}

    direction: bpy.props.EnumProperty(items=[("UP", "Up", ""), ("DOWN", "Down", "")])

    def execute(self, context):
        props = context.scene.beatboard
        target = props.active_beat + (-1 if self.direction == "UP" else 1)
        if 0 <= target < len(props.beats):
            props.beats.move(props.active_beat, target)
            props.active_beat = target
        return {"FINISHED"}


classes = (
    BEATBOARD_OT_load_script,
    BEATBOARD_OT_break_into_beats,
    BEATBOARD_OT_beat_add,
    BEATBOARD_OT_beat_remove,
    BEATBOARD_OT_beat_move,
)
