"""The director's loop: a note on a shot, an actor or the board changes the shots and
re-renders them; re-render what you choose; Sync Takes with the board on the server."""

from __future__ import annotations

import bpy
from mathutils import Matrix, Vector

from .conditioning import actor_rigs
from .core.direction import ShotState, apply_change, dolly_for_size, same_pose
from .core.framing import Subject, VERTICAL_SLICE, frame_shot, subject_first, subject_for
from .core.staging import AUDIENCE_SIDE, subject_and_source
from .core.tasks import Task
from .core.wire import wire
from .ops_render import _collect, _render_all, board_id_for, current_take, frames_folder
from .pose_nudge import nudge
from .preferences import make_client
from .runner import AsyncOperator
from .scene_build import ACTOR_KEY, remember_solved_pose, set_performance, solved_pose
from .sequencer import SHOT_KEY

NEW_SEED_STRIDE = 7919  # a new seed per take for "try another", reproducible from the take number


def beat_of(props, number: str):
    return next((b for b in props.beats if b.shot_number == number), None)


def shots_for(props, numbers: list[str]) -> list[tuple[int, str, int, int]]:
    """Render tuples for the given shots, in board order."""
    wanted = set(numbers)
    return [(i, b.shot_number, b.frame_start, b.frame_end) for i, b in enumerate(props.beats)
            if b.camera and b.shot_number in wanted]


def shot_state(beat) -> ShotState:
    rigs = actor_rigs(beat.camera.users_collection[0]) if beat.camera else []
    return ShotState(
        size=beat.shot_size, angle=beat.angle, lens_mm=beat.lens_mm, time_of_day=beat.time_of_day,
        weather=beat.weather, prompt_notes=[n.strip() for n in beat.prompt_notes.split(";") if n.strip()],
        performances={r[ACTOR_KEY].upper(): (str(r.get("beatboard_emotion", "")),
                                             float(r.get("beatboard_intensity", 1.0))) for r in rigs})


def hand_moved(camera) -> bool:
    solved = camera.get("beatboard_solved")
    return solved is None or not same_pose(list(solved), solved_pose(camera))


def _subjects(beat) -> list[Subject]:
    """The shot's people, its subject first: the beat's stored subject, else whom blocking framed,
    else whom blocking would pick from the beat."""
    rigs = actor_rigs(beat.camera.users_collection[0])
    subjects = {r[ACTOR_KEY]: subject_for(tuple(r.matrix_world.translation),
                                          round(r.matrix_world.to_euler().z * 57.29578, 2),
                                          float(r.get("beatboard_height", 1.75)), str(r.get("beatboard_pose", "stand")))
                for r in rigs}
    wanted = [beat.subject, str(beat.camera.get("beatboard_subject", "")), subject_and_source(beat.to_wire())[0]]
    return subject_first(subjects, wanted) or [Subject((beat.stage_x, 0.0, 0.0), 0.0, 1.7)]


def reframe(scene, beat, old: ShotState, new: ShotState) -> str:
    """Move the shot's camera for the new size / angle / lens. A solved camera is solved again;
    a camera moved by hand keeps its pose: it dollies along its view axis for a size change
    and keeps its angle (reported for the artist to change by hand)."""
    camera = beat.camera
    spec = wire.ShotSpec(size=wire.ShotSize(new.size), angle=wire.CameraAngle(new.angle), lens_mm=new.lens_mm)
    if not hand_moved(camera):
        aspect = scene.render.resolution_x / scene.render.resolution_y
        placement = frame_shot(spec, _subjects(beat), aspect=aspect, sensor_w=camera.data.sensor_width,
                               audience=AUDIENCE_SIDE)
        camera.matrix_world = Matrix.Translation(placement.location) @ Matrix(placement.rotation).to_4x4()
        camera.data.lens = placement.focal_length_mm
        remember_solved_pose(camera)
        return f"shot {beat.shot_number}: camera re-framed for {new.size} {new.angle} {new.lens_mm}mm"
    said = []
    if new.size != old.size:
        main = _subjects(beat)[0]
        bottom, top = VERTICAL_SLICE[new.size]
        aim = (main.location[0], main.location[1], main.height * (bottom + top) / 2.0)
        view = tuple(camera.matrix_world.to_3x3() @ Vector((0.0, 0.0, -1.0)))
        moved = dolly_for_size(tuple(camera.matrix_world.translation), view, aim, old.size, new.size)
        if moved is None:
            said.append("the subject is behind the hand-placed camera: change the size by hand")
            new.size = old.size
        else:
            camera.matrix_world.translation = Vector(moved)
            said.append(f"dollied the hand-placed camera {'back' if new.size in _wider(old.size) else 'in'}")
    if new.lens_mm != old.lens_mm:
        camera.data.lens = new.lens_mm
        said.append(f"lens {new.lens_mm}mm")
    if new.angle != old.angle:
        said.append(f"the camera was placed by hand: make the {new.angle.lower()} angle by hand")
        new.angle = old.angle
    return f"shot {beat.shot_number}: " + "; ".join(said)


def _wider(size: str) -> tuple[str, ...]:
    from .core.direction import SIZE_LADDER

    return SIZE_LADDER[:SIZE_LADDER.index(size)] if size in SIZE_LADDER else ()


def write_state(scene, beat, old: ShotState, applied) -> list[str]:
    """Write the changed shot back; a pose nudge makes the redraw whole-frame (the old pose's
    region must be redrawn too), so ``applied.region_only`` is cleared then."""
    new = applied.state
    messages = []
    if applied.camera_changed and beat.camera:
        messages.append(reframe(scene, beat, old, new))
    beat.shot_size, beat.angle, beat.lens_mm = new.size, new.angle, new.lens_mm
    beat.time_of_day, beat.weather = new.time_of_day, new.weather
    beat.prompt_notes = "; ".join(new.prompt_notes)
    if beat.camera:
        for rig in actor_rigs(beat.camera.users_collection[0]):
            emotion, intensity = new.performances.get(rig[ACTOR_KEY].upper(), ("", 1.0))
            set_performance(rig, emotion, intensity)
            was = rig.get("beatboard_nudge", "")
            if nudge(rig, emotion, intensity) != was:
                applied.region_only = ""
                messages.append(f"shot {beat.shot_number}: {rig[ACTOR_KEY]}'s pose follows the performance "
                                f"({rig.get('beatboard_nudge') or 'back to the blocking'})")
    return messages


def copy_shot(scene, beat, source) -> str:
    """"Same as shot N": that shot's framing (relative to its stage), lens, time and weather."""
    beat.shot_size, beat.angle, beat.lens_mm = source.shot_size, source.angle, source.lens_mm
    beat.time_of_day, beat.weather = source.time_of_day, source.weather
    if beat.camera and source.camera:
        matrix = source.camera.matrix_world.copy()
        matrix.translation.x += beat.stage_x - source.stage_x
        beat.camera.matrix_world = matrix
        beat.camera.data.lens = source.camera.data.lens
    return f"shot {beat.shot_number}: framed as shot {source.shot_number}"


def plan_note(scene_name: str, note: "wire.Note", base_seed: int, fresh_board: bool = False) -> tuple[list, dict, list[str]]:
    """On the main thread: apply the note to its shots; the render tuples and request fields."""
    scene = bpy.data.scenes[scene_name]
    props = scene.beatboard
    extras, messages = {}, []
    for number in note.shots:
        beat = beat_of(props, number)
        if beat is None or not beat.camera:
            messages.append(f"shot {number} is not blocked out here: skipped")
            continue
        old = shot_state(beat)
        applied = apply_change(old, note.change, note.actor)
        source = beat_of(props, note.change.same_as_shot) if note.change.same_as_shot else None
        if source is not None and source is not beat:
            messages.append(copy_shot(scene, beat, source))
        messages += write_state(scene, beat, old, applied)
        take = None if fresh_board else current_take(scene, number)  # takes of another server are no parents
        fields = {"note": note.text, "note_id": note.id}
        if take is not None:
            fields["parent_job_id"] = take.get("beatboard_job", "")
            fields["seed"] = int(take.get("beatboard_seed", base_seed))
            if applied.new_seed:
                fields["seed"] += NEW_SEED_STRIDE * int(take.get("beatboard_take", 1))
            if applied.region_only:
                fields.update(plate_job=take.get("beatboard_job", ""), plate_frame=int(take.get("beatboard_frame", 0)),
                              inpaint_actors=[_rig_name(beat, applied.region_only)])
        extras[number] = fields
    # Re-evaluate moved cameras now, so this render reads exactly what a later one will (the cache key).
    bpy.context.view_layer.update()
    return shots_for(props, list(extras)), extras, messages


def _rig_name(beat, actor: str) -> str:
    for rig in actor_rigs(beat.camera.users_collection[0]):
        if rig[ACTOR_KEY].upper() == actor.upper():
            return rig[ACTOR_KEY]
    return actor


def active_shot(scene) -> str:
    """The active take's shot, else the shot whose marker is at or before the current frame."""
    editor = scene.sequence_editor
    strip = editor.active_strip if editor else None
    if strip is not None and strip.get(SHOT_KEY):
        return strip[SHOT_KEY]
    markers = sorted((m for m in scene.timeline_markers if m.frame <= scene.frame_current), key=lambda m: m.frame)
    return markers[-1].name if markers else ""


def remember_notes(props, board: "wire.Board") -> None:
    props.notes_in_force.clear()
    seen = set()
    for note in [*board.notes, *(n for s in board.shots for n in s.notes)]:
        if note.id in seen:
            continue
        seen.add(note.id)
        item = props.notes_in_force.add()
        item.name, item.text, item.scope, item.summary = note.id, note.text, note.scope.value, note.change.summary
        item.shot = "all" if note.scope is wire.FeedbackScope.BOARD or note.all_shots else note.shot_number
        item.actor = note.actor
        item.author = note.author
    props.board_revision = max(props.board_revision, board.revision)


def _finish(scene_name: str, folder: str, client, messages_key: str = "messages"):
    def done(task: Task):
        props = bpy.data.scenes[scene_name].beatboard
        result = task.result
        said = [*result.get(messages_key, [])]
        if result.get("board_state") is not None:
            remember_notes(props, result["board_state"])
        props.status = "; ".join([result["headline"], *said])[:1000]
        bpy.data.scenes[scene_name]["beatboard_last_note"] = {
            "jobs": result.get("jobs", []), "unchanged": result.get("unchanged", []), "note": result.get("note_id", ""),
            "change": result.get("change", ""), "messages": said}
    return done


class BEATBOARD_OT_add_note(AsyncOperator, bpy.types.Operator):
    """Turn the note into a change on the shot, actor or board, apply it and re-render what it touches"""

    bl_idname = "beatboard.add_note"
    bl_label = "Apply Note"
    task_name = "note"

    text: bpy.props.StringProperty(name="Note", description="Empty: the note typed in the panel")
    scope: bpy.props.EnumProperty(name="For", items=[("PANEL", "As in the panel", ""), ("SHOT", "This shot", ""),
                                                     ("ACTOR", "One actor", ""), ("BOARD", "The whole board", "")],
                                  default="PANEL")
    shot: bpy.props.StringProperty(name="Shot", description="Empty: the active take's shot or the marker's")
    actor: bpy.props.StringProperty(name="Actor")
    all_shots: bpy.props.BoolProperty(name="Every shot of the actor", default=False)

    def make_task(self, context):
        scene = context.scene
        props = scene.beatboard
        text = (self.text or props.feedback_note).strip()
        scope = props.feedback_scope if self.scope == "PANEL" else self.scope
        actor = (self.actor or (props.feedback_actor if self.scope == "PANEL" else "")).strip()
        shot = self.shot or active_shot(scene)
        if not text:
            self.report({"ERROR"}, "Type the note first, e.g. 'Mara looks more frightened' or 'wider'")
            return None
        if scope != "BOARD" and not self.all_shots and beat_of(props, shot) is None:
            self.report({"ERROR"}, "Pick the shot: select one of its takes or put the playhead on its marker")
            return None
        if scope == "ACTOR" and not actor:
            self.report({"ERROR"}, "Say which actor the note is for")
            return None
        beat = beat_of(props, shot)
        characters = [c.strip().upper() for c in beat.characters.split(",") if c.strip()] if beat else []
        request = wire.NoteRequest(text=text, scope=wire.FeedbackScope(scope), shot_number=shot, actor=actor,
                                   all_shots=self.all_shots, characters=characters)
        client = make_client(context)
        scene_name, backend, seed, folder = scene.name, props.backend, props.seed, frames_folder(props)
        take = current_take(scene, shot) if beat else None
        judged = (take.get("beatboard_job"), int(take.get("beatboard_frame", 0))) if take is not None else None

        def run(task: Task):
            board_id = board_id_for(task, client, scene_name)
            task.report(0.05, "reading the note")
            note = client.add_note(board_id, request)
            if scope == "ACTOR" and judged and judged[0]:  # the actor's notebook: recurring notes become hints
                client.feedback(judged[0], judged[1], wire.Feedback(shot_number=shot, note=text, scope=request.scope,
                                                                    actor=actor))
            fresh = task.fresh_board
            shots, extras, messages = task.call_main(lambda: plan_note(scene_name, note, seed, fresh))
            result = _render_all(task, client, scene_name, shots, backend, seed, folder, extras=extras)
            result.update(messages=messages, note_id=note.id, change=note.change.summary,
                          headline=f"Note: {note.change.summary}; re-rendered {len(shots)} shot(s)",
                          board_state=client.board(board_id))
            return result

        if scope == "SHOT" or scope == "BOARD":
            props.feedback_note = ""
        return Task(self.task_name, run), _finish(scene_name, folder, client)


class BEATBOARD_OT_rerender(AsyncOperator, bpy.types.Operator):
    """Render the chosen shots again with the notes in force; Variations draws them with a new seed"""

    bl_idname = "beatboard.rerender"
    bl_label = "Re-render"
    task_name = "rerender"

    target: bpy.props.EnumProperty(items=[("ACTIVE", "Shot", "The active take's shot, or the marker's"),
                                          ("SELECTED", "Selected", "Every shot with a selected take")],
                                   default="ACTIVE")
    variation: bpy.props.BoolProperty(name="New seed", default=False, description="Try another: a new seed")
    edited_prompt: bpy.props.BoolProperty(name="Edited prompt", default=False,
                                          description="Use the active take's prompt as edited by hand")

    def make_task(self, context):
        scene = context.scene
        props = scene.beatboard
        editor = scene.sequence_editor
        if self.target == "SELECTED":
            numbers = list(dict.fromkeys(s[SHOT_KEY] for s in (editor.strips if editor else [])
                                         if s.select and s.get(SHOT_KEY)))
        else:
            numbers = [active_shot(scene)] if active_shot(scene) else []
        shots = shots_for(props, numbers)
        if not shots:
            self.report({"ERROR"}, "No shot to re-render: select its takes or put the playhead on its marker")
            return None
        extras = {}
        for _, number, _, _ in shots:
            take = current_take(scene, number)
            fields = {}
            if take is not None:
                fields["seed"] = int(take.get("beatboard_seed", props.seed))
                if self.variation:
                    fields["seed"] += NEW_SEED_STRIDE * int(take.get("beatboard_take", 1))
                if self.edited_prompt and take == editor.active_strip:
                    fields["prompt_override"] = str(take.get("beatboard_prompt", ""))
                    fields["note"] = "prompt edited by hand"
            extras[number] = fields
        client = make_client(context)
        scene_name, folder = scene.name, frames_folder(props)
        args = (client, scene_name, shots, props.backend, props.seed, folder)

        def run(task: Task):
            result = _render_all(task, *args, extras=extras, skip_unchanged=True)
            unchanged = result["unchanged"]
            result["headline"] = (f"Re-rendered {result['shots']} shot(s)"
                                  + (f"; shot(s) {', '.join(unchanged)} unchanged since their take" if unchanged else ""))
            return result

        return Task(self.task_name, run), _finish(scene_name, folder, client)


class BEATBOARD_OT_sync_takes(AsyncOperator, bpy.types.Operator):
    """Place every take the server's board has that this .blend lacks, and list the notes in force"""

    bl_idname = "beatboard.sync_takes"
    bl_label = "Sync Takes"
    task_name = "sync"

    def make_task(self, context):
        scene = context.scene
        props = scene.beatboard
        client = make_client(context)
        scene_name, folder = scene.name, frames_folder(props)

        def known():
            editor = bpy.data.scenes[scene_name].sequence_editor
            have = {s.get("beatboard_job") for s in (editor.strips if editor else [])}
            ranges = {b.shot_number: (i, b.shot_number, b.frame_start, b.frame_end)
                      for i, b in enumerate(bpy.data.scenes[scene_name].beatboard.beats)}
            return have, ranges

        def run(task: Task):
            import os

            board_id = board_id_for(task, client, scene_name)
            board = client.board(board_id)
            have, ranges = task.call_main(known)
            os.makedirs(folder, exist_ok=True)
            placed = []
            for shot in board.shots:
                for take in shot.takes:
                    if take.state is wire.JobState.DONE and take.job_id not in have and shot.number in ranges:
                        _collect(task, client, scene_name, client.job(take.job_id), ranges[shot.number], folder,
                                 take.note, take.parent_job_id)
                        placed.append(take.job_id)
            return {"jobs": placed, "board_state": board,
                    "headline": f"Placed {len(placed)} take(s) from the server; {len(board.notes)} board note(s)"}

        return Task(self.task_name, run), _finish(scene_name, folder, client)


class BEATBOARD_OT_remove_note(AsyncOperator, bpy.types.Operator):
    """Stop this note applying to later renders"""

    bl_idname = "beatboard.remove_note"
    bl_label = "Remove Note"
    task_name = "remove-note"

    note_id: bpy.props.StringProperty()

    def make_task(self, context):
        client = make_client(context)
        scene_name, note_id = context.scene.name, self.note_id

        def run(task: Task):
            note = client.remove_note(note_id)
            board_id = board_id_for(task, client, scene_name)
            return {"headline": f"Removed the note {note.text!r}", "board_state": client.board(board_id)}

        return Task(self.task_name, run), _finish(scene_name, "", client)


classes = (BEATBOARD_OT_add_note, BEATBOARD_OT_rerender, BEATBOARD_OT_sync_takes, BEATBOARD_OT_remove_note)
