"""Render Storyboard: conditioning from each shot, render jobs on the server, frames on the timeline."""

from __future__ import annotations

import os
import tempfile
import time

import bpy

from .ops_actors import cast_actor_id
from .conditioning import actor_placement, actor_rigs, camera_model, camera_spec, depth_and_masks, keypoints_for
from typing import Optional

from .core.client import ServerClient, ServerError
from .core.job_status import job_status_line
from .core.tasks import Task, TaskCancelled
from .core.wire import wire
from .preferences import make_client
from .runner import AsyncOperator
from .sequencer import _shot_strips, frame_path, place_take

POLL_WAIT_S = 1.0


def _caption(beat) -> str:
    return f"{beat.shot_size.replace('_', ' ')} {beat.lens_mm}mm - {beat.action}"


def describe(beat, props) -> "wire.ShotDescription":
    """The shot as fields; the server's prompt builder phrases them for the chosen backend."""
    return wire.ShotDescription(
        action=beat.action, dialogue=beat.dialogue, speaker=beat.speaker, emotion=beat.emotion,
        location=beat.location, int_ext=wire.IntExt(beat.int_ext), time_of_day=beat.time_of_day,
        weather=beat.weather, notes=[n.strip() for n in beat.prompt_notes.split(";") if n.strip()],
        style=props.style,
        shot=wire.ShotSpec(size=wire.ShotSize(beat.shot_size), angle=wire.CameraAngle(beat.angle),
                           lens_mm=beat.lens_mm),
    )


def same_setup(beat, earlier) -> bool:
    """Is ``beat``'s camera, after any hand edits, still ``earlier``'s camera on its own stage?"""
    if earlier is None or not beat.camera or not earlier.camera:
        return False
    a, b = beat.camera.matrix_world.copy(), earlier.camera.matrix_world.copy()
    a.translation.x -= beat.stage_x
    b.translation.x -= earlier.stage_x
    same_pose = all(abs(x - y) < 1e-4 for row_a, row_b in zip(a, b) for x, y in zip(row_a, row_b))
    return same_pose and abs(beat.camera.data.lens - earlier.camera.data.lens) < 1e-4


def build_request(scene, beat, backend: str, seed: int) -> "wire.RenderRequest":
    props = scene.beatboard
    camera_obj = beat.camera
    camera = camera_model(scene, camera_obj)
    collection = camera_obj.users_collection[0]
    rigs = actor_rigs(collection)
    depth, masks = depth_and_masks(scene, camera, props.depth_scale, camera_obj.data.clip_start,
                                   camera_obj.data.clip_end)
    actors = [actor_placement(r) for r in rigs]
    for actor in actors:  # this project's casting; uncast characters get the server's
        actor.actor_id = cast_actor_id(props, actor.name)
    return wire.RenderRequest(
        shot_number=beat.shot_number, width=camera.width_px, height=camera.height_px,
        description=describe(beat, props), board_id=props.board_id, seed=seed, backend=beat.backend or backend, model=beat.model or props.model,
        steps=props.steps, variations=props.variations, caption=_caption(beat),
        actors=actors, camera=camera_spec(camera_obj),
        conditioning=wire.Conditioning(depth=depth, poses=[keypoints_for(scene, camera, r) for r in rigs],
                                       masks=masks),
    )


def frames_folder(props) -> str:
    if props.output_dir.startswith("//") and not bpy.data.filepath:
        return os.path.join(tempfile.gettempdir(), "beatboard_frames")
    return bpy.path.abspath(props.output_dir)


def ensure_board(client: ServerClient, scene_name: str) -> str:
    """This .blend's board on the server, created from its beats the first time (worker thread)."""
    def read():
        props = bpy.data.scenes[scene_name].beatboard
        shots = [wire.BoardShotIn(number=b.shot_number, beat=b.to_wire()) for b in props.beats if b.shot_number]
        return props.board_id, wire.BoardCreate(title=props.title, script_digest=script_digest(props),
                                                project=props.project.strip(), shots=shots)
    return read


def script_digest(props) -> str:
    import hashlib

    text = props.script_text.as_string() if props.script_text else props.script_path
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def board_id_for(task: Task, client: ServerClient, scene_name: str) -> str:
    """The board's id on this server. A board the server lacks (a new .blend, another server) is
    made, and the takes already on the timeline are then no jobs of this server: ``task.fresh_board``."""
    board_id, create = task.call_main(ensure_board(client, scene_name))
    task.fresh_board = getattr(task, "fresh_board", False)  # made earlier in this same task
    if board_id:
        try:
            client.board(board_id)
            return board_id
        except ServerError as exc:
            if exc.status != 404:
                raise
    board = client.create_board(create)
    task.fresh_board = True

    def remember():
        bpy.data.scenes[scene_name].beatboard.board_id = board.id
    task.call_main(remember)
    return board.id


def current_take(scene, number: str):
    """The shot's take on show: the newest unmuted one (else the newest)."""
    editor = scene.sequence_editor
    strips = sorted(_shot_strips(editor, number), key=lambda s: s.get("beatboard_take", 0)) if editor else []
    shown = [s for s in strips if not s.mute] or strips
    return shown[-1] if shown else None


def _render_all(task: Task, client: ServerClient, scene_name: str, shots: list[tuple[int, str, int, int]],
                backend: str, seed: int, folder: str, extras: Optional[dict] = None, skip_unchanged: bool = False):
    """Render ``shots`` in board order. ``extras`` per shot number: request fields a note or a re-render
    sets (parent_job_id, note, note_id, seed, plate_job, inpaint_actors, prompt_override)."""
    task.report(0.0, "checking the server")
    client.health()
    board_id = board_id_for(task, client, scene_name)
    extras = extras or {}
    os.makedirs(folder, exist_ok=True)
    unchanged: list[str] = []
    jobs: list[tuple[str, tuple[int, str, int, int]]] = []
    notes: dict[str, tuple[str, str]] = {}
    job_of_shot: dict[str, str] = {}
    conditioning_s: list[float] = []
    total = len(shots)
    for n, shot in enumerate(shots):
        task.check_cancelled()
        index, number = shot[0], shot[1]
        task.report(0.2 * n / total, f"shot {number}: reading depth and poses")

        def read(index=index):
            scene = bpy.data.scenes[scene_name]
            beat = scene.beatboard.beats[index]
            request = build_request(scene, beat, backend, seed + index)
            request.board_id = board_id
            earlier = next((b for b in scene.beatboard.beats if b.shot_number == beat.continues_shot), None)
            if beat.continues_shot in job_of_shot and same_setup(beat, earlier):
                request.plate_job = job_of_shot[beat.continues_shot]
                request.inpaint_actors = [c.strip() for c in beat.entering.split(",") if c.strip()]
                request.seed = seed + list(scene.beatboard.beats).index(earlier)
            take = None if task.fresh_board else current_take(scene, beat.shot_number)
            if take is not None and not extras.get(number, {}).get("parent_job_id"):
                request.parent_job_id = take.get("beatboard_job", "")
            for key, value in extras.get(number, {}).items():
                setattr(request, key, value)
            return request, take.get("beatboard_job", "") if take is not None else ""

        started = time.perf_counter()
        request, shown_job = task.call_main(read)
        conditioning_s.append(time.perf_counter() - started)
        accepted = client.submit(request)
        job_of_shot[number] = accepted.id
        if skip_unchanged and accepted.cached_from and accepted.cached_from == shown_job:
            unchanged.append(number)  # the take on show already is this request's frame
            continue
        jobs.append((accepted.id, shot))
        notes[accepted.id] = (request.note, request.parent_job_id)

    total = max(1, len(jobs))
    progress = {job_id: 0.0 for job_id, _ in jobs}
    seen = {job_id: 0 for job_id, _ in jobs}
    pending = [job_id for job_id, _ in jobs]
    failures: list[str] = []
    by_id = dict(jobs)
    try:
        while pending:
            task.check_cancelled()
            job_id = pending[0]
            batch = client.events(job_id, after=seen[job_id], wait=POLL_WAIT_S)
            for event in batch.events:
                seen[job_id] = event.seq
                progress[job_id] = max(progress[job_id], event.progress)
                if event.kind is wire.EventKind.ERROR and event.error:
                    failures.append(f"shot {by_id[job_id][1]}: {event.error.message}")
            number = by_id[job_id][1]
            done = sum(progress.values()) / total
            # Where a team server's pool has it: its place in the queue, or the worker rendering it.
            shown = client.job(job_id) if not batch.state.finished else None
            task.report(0.2 + 0.8 * done,
                        job_status_line(number, shown, batch.events[-1].message if batch.events else ""))
            if batch.state.finished:
                pending.pop(0)
                if batch.state is wire.JobState.DONE:
                    _collect(task, client, scene_name, client.job(job_id), by_id[job_id], folder, *notes[job_id])
    except TaskCancelled:
        for job_id in pending:
            client.cancel(job_id)
        raise
    if failures:
        raise RuntimeError("; ".join(failures))
    return {"shots": len(jobs), "conditioning_s": conditioning_s, "jobs": [job_id for job_id, _ in jobs],
            "unchanged": unchanged, "board": board_id}


def _collect(task: Task, client: ServerClient, scene_name: str, job: "wire.Job", shot, folder: str,
             note: str = "", parent_job: str = "") -> None:
    _, number, first, last = shot
    for frame in job.frames:
        path = client.download(frame.url, frame_path(folder, number, job.id, frame.index))
        meta = {"job": job.id, "frame": frame.index, "seed": frame.seed, "backend": frame.backend,
                "prompt": frame.prompt, "note": note, "parent_job": parent_job, "author": job.author}

        def place(path=path, meta=meta):
            place_take(bpy.data.scenes[scene_name], number, first, last, path, meta)

        task.post(place)


class BEATBOARD_OT_render_storyboard(AsyncOperator, bpy.types.Operator):
    """Render a frame for every blocked-out shot on the render server and put them on the timeline"""

    bl_idname = "beatboard.render_storyboard"
    bl_label = "Render Storyboard"
    task_name = "render"

    def make_task(self, context):
        props = context.scene.beatboard
        shots = [(i, b.shot_number, b.frame_start, b.frame_end) for i, b in enumerate(props.beats) if b.camera]
        if not shots:
            self.report({"ERROR"}, "No blocked-out shots: use Block Out Shots first")
            return None
        client = make_client(context)
        folder = frames_folder(props)
        if props.output_dir.startswith("//") and not bpy.data.filepath:
            self.report({"WARNING"}, f"The .blend is not saved yet: frames go to {folder}")
        args = (client, context.scene.name, shots, props.backend, props.seed, folder)

        def done(task: Task):
            scene = bpy.data.scenes[args[1]]
            unchanged = task.result["unchanged"]
            scene.beatboard.status = (f"Rendered {task.result['shots']} shots into {folder}"
                                      + (f"; {len(unchanged)} unchanged" if unchanged else ""))
            # Kept for diagnostics and benchmarks: seconds spent reading each shot's conditioning.
            scene["beatboard_last_render"] = task.result

        return Task(self.task_name, lambda task: _render_all(task, *args, skip_unchanged=True)), done


class BEATBOARD_OT_refresh_models(AsyncOperator, bpy.types.Operator):
    """Ask the render server which backends, models and LoRAs it offers"""

    bl_idname = "beatboard.refresh_models"
    bl_label = "Refresh Models"
    task_name = "models"

    def make_task(self, context):
        client = make_client(context)
        scene_name = context.scene.name

        def done(task: Task):
            response: wire.ModelsResponse = task.result
            props = bpy.data.scenes[scene_name].beatboard
            for collection in (props.offered_backends, props.offered_models, props.offered_loras):
                collection.clear()
            for backend in dict.fromkeys(m.backend for m in response.models):
                item = props.offered_backends.add()
                item.name = backend
                info = next(m for m in response.models if m.backend == backend)
                item.available, item.detail = info.available, info.reason or ", ".join(info.capabilities)
            for model in response.models:
                if model.source:
                    item = props.offered_models.add()
                    item.name, item.available, item.detail = model.source, model.available, model.backend
            for lora in response.loras:
                props.offered_loras.add().name = lora
            props.status = (f"{sum(b.available for b in props.offered_backends)} backends ready, "
                            f"{len(response.loras)} LoRAs")

        return Task(self.task_name, lambda task: client.models()), done


class BEATBOARD_OT_cancel(bpy.types.Operator):
    """Cancel what Beatboard is doing"""

    bl_idname = "beatboard.cancel"
    bl_label = "Cancel"

    def execute(self, context):
        from .runner import cancel_all

        cancel_all()
        return {"FINISHED"}


classes = (BEATBOARD_OT_render_storyboard, BEATBOARD_OT_refresh_models, BEATBOARD_OT_cancel)
