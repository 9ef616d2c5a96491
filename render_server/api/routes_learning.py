"""Feedback, ranking, casting, notes, and actor LoRA versions: how the server learns."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from shared_schema import Casting, Feedback, FeedbackResult, JobAccepted, LoraTrainRequest, LoraVersion, Ranking
from shared_schema.limits import NAME_CHARS

from ..learning.training_source import lora_versions
from ..people import Role
from .deps import Caller, State
from .errors import ERROR_RESPONSES, ApiError
from .routes_actors import ActorId, _call
from .routes_jobs import FrameIndex, JobId
from .wire_route import WireRoute

router = APIRouter(responses=ERROR_RESPONSES, route_class=WireRoute)
Character = PathParam(max_length=NAME_CHARS, description="a character's name as the script spells it")
ProjectQuery = Query("", max_length=200, description="the project (id or name); empty: the default project")


@router.post("/v1/jobs/{job_id}/frames/{index}/feedback")
async def frame_feedback(body: Feedback, state: State, caller: Caller, job_id: str = JobId,
                         index: int = FrameIndex) -> FeedbackResult:
    """Approve / reject, rate 1-5, pick among variations (a director), or note (an artist); the actor
    store learns from it, and the board keeps which note produced the judged take."""
    result = await run_in_threadpool(_call, state.learning.feedback, job_id, index, body, caller)
    result.note_id, result.note_kept = await run_in_threadpool(state.boards.record_feedback, caller, job_id, index,
                                                               body)
    return result


@router.get("/v1/jobs/{job_id}/ranking")
async def job_ranking(state: State, caller: Caller, job_id: str = JobId) -> Ranking:
    return await run_in_threadpool(_call, state.learning.rank, job_id, caller)


@router.get("/v1/reward")
def reward_metrics(state: State, caller: Caller, project: str = ProjectQuery) -> dict:
    """The project's reward model."""
    reward = _call(state.learning.reward, project, caller)
    if reward is None:
        raise ApiError(404, "not_found", "no reward model yet", "rate or pick some variations first")
    return {"model": reward.model, **reward.metrics}


@router.post("/v1/reward/train")
async def train_reward(state: State, caller: Caller, project: str = ProjectQuery) -> dict:
    """Train the project's reward model on the project's judged frames (a director)."""
    reward = await run_in_threadpool(_call, state.learning.train_reward, project, caller)
    return {"model": reward.model, **reward.metrics}


@router.get("/v1/castings")
def list_castings(state: State, caller: Caller, project: str = ProjectQuery) -> list[Casting]:
    """The project's castings (an artist or up)."""
    project = state.people.require_project(caller, project, Role.ARTIST, "reading castings")
    return [Casting(character=c, actor_id=a, project=project) for c, a in state.learning.castings.all(project).items()]


@router.put("/v1/castings/{character}")
def cast(body: Casting, state: State, caller: Caller, character: str = Character) -> Casting:
    """Cast the character in ``project`` (empty: the default project); an artist or up."""
    project = state.people.require_project(caller, body.project, Role.ARTIST, "casting a character")
    actor = _call(state.learning.castings.cast, character, body.actor_id, project)
    state.people.record(caller, project, "casting.set", f"{character.strip()}={actor.name}")
    return Casting(character=character.strip(), actor_id=actor.id, project=project)


@router.delete("/v1/castings/{character}", status_code=204)
def uncast(state: State, caller: Caller, character: str = Character, project: str = ProjectQuery) -> None:
    project = state.people.require_project(caller, project, Role.ARTIST, "uncasting a character")
    state.learning.castings.uncast(character, project)
    state.people.record(caller, project, "casting.remove", character.strip())


@router.get("/v1/actors/{actor_id}/notes")
def actor_notes(state: State, caller: Caller, actor_id: str = ActorId, project: str = ProjectQuery) -> list[dict]:
    """The notes given on the actor in ``project`` (empty: the default project); an artist or up."""
    project = state.people.require_project(caller, project, Role.ARTIST, "reading an actor's notes")
    return _call(state.learning.notes.list, _call(state.actors.require, actor_id, caller, project=project).id, project)


@router.get("/v1/actors/{actor_id}/history")
def actor_history(state: State, caller: Caller, actor_id: str = ActorId) -> list[dict]:
    """The profile's trajectory: each update's cause, and how far it moved the profile."""
    store = state.actors.store
    actor = _call(state.actors.require, actor_id, caller)
    history = _call(store.trajectory, actor.id, state.actors.embedder.name)
    out, previous = [], None
    for step in history:
        moved = 0.0 if previous is None else float(1.0 - previous @ step["vector"])
        out.append({"cause": step["cause"], "ref": step["ref"], "rate": step["rate"], "at": step["at"],
                    "moved": moved})
        previous = step["vector"]
    return out


@router.get("/v1/actors/{actor_id}/references/{index}.png")
def actor_reference(state: State, caller: Caller, actor_id: str = ActorId, index: int = PathParam(ge=0, le=1_000_000)):
    actor = _call(state.actors.require, actor_id, caller)
    path = _call(state.actors.store.reference_path, actor.id, index)
    if path is None or not Path(path).is_file():
        raise ApiError(404, "not_found", f"actor {actor_id} has no reference image {index}",
                       "GET /v1/actors/{id} lists its references")
    return FileResponse(path, media_type="image/png")


@router.get("/v1/actors/{actor_id}/loras")
def actor_loras(state: State, caller: Caller, actor_id: str = ActorId) -> list[LoraVersion]:
    actor = _call(state.actors.require, actor_id, caller)
    return _call(lora_versions, state.actors.store, actor.id)


@router.post("/v1/actors/{actor_id}/loras", status_code=202)
def train_actor_lora(body: LoraTrainRequest, state: State, caller: Caller, actor_id: str = ActorId) -> JobAccepted:
    """Queue a LoRA training job now (it also starts by itself past the approval threshold); a director."""
    _call(state.actors.require, actor_id, caller, Role.DIRECTOR, "training an actor's LoRA")
    if state.team is None and state.worker.trainer is None:  # team mode: workers on `training` train
        raise ApiError(409, "model_missing", "this server does not train LoRAs",
                       "set BEATBOARD_DIFFUSERS_MODEL to an SD 1.5 model folder or hub id")
    actor = _call(state.actors.store.require, actor_id)
    if body.steps < 0:
        raise ApiError(422, "validation_error", "steps must be 0 (the default) or more", "")
    job = state.store.create_training(actor.id, actor.name, body.steps, "on request", actor.project or "default",
                                      caller.name)
    if job is None:
        raise ApiError(409, "conflict", f"{actor.name}'s LoRA is already training", "watch GET /v1/jobs")
    state.dispatch(job)
    state.people.record(caller, actor.project or "default", "lora.train", actor.name)
    return JobAccepted(id=job.id, state=job.state, url=f"/v1/jobs/{job.id}", events_url=f"/v1/jobs/{job.id}/events")
