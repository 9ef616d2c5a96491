"""The director's feedback on a take in the Sequencer: approve / reject, rate, pick, note;
and ranking a shot's variations by the server's reward model."""

from __future__ import annotations

import bpy

from . import compat
from .core.tasks import Task
from .core.wire import wire
from .preferences import make_client
from .runner import AsyncOperator
from .sequencer import SHOT_KEY


def active_take(scene):
    editor = scene.sequence_editor
    strip = editor.active_strip if editor else None
    if strip is None or strip.get(SHOT_KEY) is None or "beatboard_job" not in strip:
        return None
    return strip


def _take_or_report(operator, scene):
    strip = active_take(scene)
    if strip is None:
        operator.report({"ERROR"}, "Select a Beatboard take in the Sequencer first")
    return strip


class BEATBOARD_OT_feedback(AsyncOperator, bpy.types.Operator):
    """Send the director's judgement of the active take to the server, which learns from it"""

    bl_idname = "beatboard.feedback"
    bl_label = "Feedback"
    task_name = "feedback"

    verdict: bpy.props.EnumProperty(items=[("NONE", "None", ""), ("APPROVE", "Approve", ""),
                                           ("REJECT", "Reject", "")], default="NONE")
    rating: bpy.props.IntProperty(min=0, max=5, default=0)
    picked: bpy.props.BoolProperty(default=False)
    send_note: bpy.props.BoolProperty(default=False, description="Send the note typed in the panel")

    def make_task(self, context):
        scene = context.scene
        strip = _take_or_report(self, scene)
        if strip is None:
            return None
        props = scene.beatboard
        note = props.feedback_note.strip() if self.send_note else ""
        if self.send_note and not note:
            self.report({"ERROR"}, "Type the note first")
            return None
        feedback = wire.Feedback(
            shot_number=strip[SHOT_KEY], verdict=wire.Verdict(self.verdict), rating=self.rating, picked=self.picked,
            take=int(strip.get("beatboard_take", 0)), note=note, scope=wire.FeedbackScope(props.feedback_scope),
            actor=props.feedback_actor.strip() if note else "")
        job_id, index = strip["beatboard_job"], int(strip.get("beatboard_frame", 0))
        client = make_client(context)
        scene_name, strip_name = scene.name, strip.name

        def done(task: Task):
            result: wire.FeedbackResult = task.result
            scene = bpy.data.scenes[scene_name]
            strip = compat.strips(scene.sequence_editor)[strip_name]
            if feedback.verdict is not wire.Verdict.NONE:
                strip["beatboard_verdict"] = feedback.verdict.value
            if feedback.rating:
                strip["beatboard_rating"] = feedback.rating
            if feedback.picked:
                for other in compat.strips(scene.sequence_editor):
                    if other.get("beatboard_job") == job_id:
                        other["beatboard_picked"] = other == strip
            if note:
                strip["beatboard_notes"] = "\n".join(filter(None, [strip.get("beatboard_notes", ""), note]))
                scene.beatboard.feedback_note = ""
            said = [f"learned {', '.join(result.profiles_moved)}'s look" if result.profiles_moved else "",
                    f"new standing hint {'; '.join(result.hints_added)}" if result.hints_added else "",
                    f"training {len(result.training_jobs)} LoRA(s)" if result.training_jobs else "",
                    "note kept on the board for later renders (Apply Note re-renders now)" if result.note_kept else "",
                    *result.warnings]
            scene.beatboard.status = f"Shot {feedback.shot_number}: " + ("; ".join(s for s in said if s) or "noted")

        return Task(self.task_name, lambda task: client.feedback(job_id, index, feedback)), done


class BEATBOARD_OT_rank_takes(AsyncOperator, bpy.types.Operator):
    """Order the active shot's variations by the reward model and show the best one"""

    bl_idname = "beatboard.rank_takes"
    bl_label = "Rank Variations"
    task_name = "rank"

    def make_task(self, context):
        scene = context.scene
        strip = _take_or_report(self, scene)
        if strip is None:
            return None
        job_id = strip["beatboard_job"]
        client = make_client(context)
        scene_name = scene.name

        def done(task: Task):
            ranking: wire.Ranking = task.result
            scene = bpy.data.scenes[scene_name]
            takes = {int(s.get("beatboard_frame", 0)): s for s in compat.strips(scene.sequence_editor)
                     if s.get("beatboard_job") == job_id}
            for place, (index, score) in enumerate(zip(ranking.order, ranking.scores), start=1):
                if index in takes:
                    takes[index]["beatboard_reward"] = score
                    takes[index]["beatboard_rank"] = place
                    takes[index].mute = place != 1
            accuracy = ranking.reward.get("held_out_accuracy")
            scene.beatboard.status = (f"Best variation: {ranking.order[0] + 1} of {len(ranking.order)}"
                                      + (f" (reward model {accuracy:.0%} on held-out pairs)" if accuracy else ""))

        return Task(self.task_name, lambda task: client.ranking(job_id)), done


classes = (BEATBOARD_OT_feedback, BEATBOARD_OT_rank_takes)
