from __future__ import annotations

from dataclasses import asdict

import apsw
from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from shared_schema import ActorMatch, ActorMatches, ActorPatch, ActorProfile, ActorSearch

from ..actors.store import ActorStoreError
from ..people import Role
from .deps import Caller, State
from .errors import ERROR_RESPONSES, ApiError
from .images import check_image
from .wire_route import WireRoute

router = APIRouter(responses=ERROR_RESPONSES, route_class=WireRoute)
ActorId = Path(max_length=200, description="the actor's id or name")
ProjectQuery = Query("", max_length=200, description="the project (id or name) whose view of the library to use; "
                                                    "empty: the default project")
IMAGE_BODY = {"requestBody": {"required": True, "content": {
    "image/png": {"schema": {"type": "string", "format": "binary"}},
    "image/jpeg": {"schema": {"type": "string", "format": "binary"}}}}}

_STATUS = {"not_found": 404, "conflict": 409, "validation_error": 422, "payload_too_large": 413}


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except ActorStoreError as exc:
        raise ApiError(_STATUS.get(exc.code, 400), exc.code, exc.message, exc.hint) from None
    except apsw.ConstraintError:  # the one UNIQUE constraint a client can hit: actor names
        raise ApiError(409, "conflict", "another actor already has that name",
                       "an actor's name is unique among the studio library and its project's private actors "
                       "(case does not count): choose another, or rename the other actor") from None


@router.get("/v1/actors")
def list_actors(state: State, caller: Caller, project: str = Query("", max_length=200)) -> list[ActorProfile]:
    """The studio library and the actors private to your projects (or to ``project`` only, with its castings)."""
    return _call(state.actors.list, caller, project)


@router.post("/v1/actors", status_code=201)
async def create_actor(body: ActorProfile, state: State, caller: Caller) -> ActorProfile:
    """``project`` set: the actor is private to that project; empty: the studio-wide library."""
    return await run_in_threadpool(_call, state.actors.create, body, caller)


@router.post("/v1/actors/identify", openapi_extra=IMAGE_BODY)
async def identify_actor(request: Request, state: State, caller: Caller, k: int = Query(3, ge=1, le=50),
                         project: str = ProjectQuery) -> ActorMatches:
    """Which stored actor a crop shows; the body is the image (PNG or JPEG bytes)."""
    data = await request.body()
    check_image(data, "crop")
    matches = await run_in_threadpool(_call, state.actors.identify, data, k, caller, project)
    return ActorMatches(matches=[ActorMatch(actor=a, distance=d) for a, d in matches], model=state.actors.embedder.name)


@router.get("/v1/actors/{actor_id}/frames")
def actor_frames(state: State, caller: Caller, actor_id: str = ActorId, k: int = Query(5, ge=1, le=100)) -> list[dict]:
    """The actor's approved frames nearest their profile, with each frame's URL."""
    out = []
    visible = state.people.visible_projects(caller)
    for ref, distance in _call(state.actors.nearest_frames, actor_id, k, caller):
        if visible is not None and state.store.project_of(ref.partition("/")[0]) not in visible:
            continue  # a frame of a project the caller is not in
        job_id, _, index = ref.partition("/")
        out.append({"frame": ref, "distance": distance, "url": f"/v1/jobs/{job_id}/frames/{index}.png"})
    return out


@router.get("/v1/actors/{actor_id}")
def get_actor(state: State, caller: Caller, actor_id: str = ActorId, project: str = ProjectQuery) -> ActorProfile:
    """The actor, with the characters it plays in ``project`` (empty: the default project)."""
    return _call(state.actors.require, actor_id, caller, project=state.people.project_id(project))


@router.patch("/v1/actors/{actor_id}")
async def patch_actor(body: ActorPatch, state: State, caller: Caller, actor_id: str = ActorId,
                      project: str = ProjectQuery) -> ActorProfile:
    """``prompt_hints`` are the actor's standing hints in ``project`` (empty: the actor's own project, or
    the default one); hints and notes of one project never reach another's prompts."""
    fields = {k: v for k, v in asdict(body).items() if v is not None}
    if "name" in fields:
        fields["name"] = fields["name"].strip()
        if not fields["name"]:
            raise ApiError(422, "validation_error", "name: an actor's name cannot be blank",
                           "give the actor's name, or leave name out to keep it")
    return await run_in_threadpool(_call, state.actors.update, actor_id, caller, project, **fields)


@router.delete("/v1/actors/{actor_id}", status_code=204)
def delete_actor(state: State, caller: Caller, actor_id: str = ActorId) -> None:
    _call(state.actors.delete, actor_id, caller)


@router.post("/v1/actors/{actor_id}/references", status_code=201, openapi_extra=IMAGE_BODY)
async def add_reference(request: Request, state: State, caller: Caller, actor_id: str = ActorId) -> ActorProfile:
    """The body is the image itself (PNG or JPEG bytes)."""
    data = await request.body()
    _call(state.actors.require, actor_id, caller, Role.DIRECTOR, "adding a reference image")
    check_image(data, "reference")
    await run_in_threadpool(_call, state.actors.add_reference, actor_id, data, caller)
    return _call(state.actors.require, actor_id, caller)


@router.post("/v1/actors/search")
async def search_actors(body: ActorSearch, state: State, caller: Caller) -> ActorMatches:
    """Actors fitting a description, among the studio library and the actors private to ``project``."""
    matches = await run_in_threadpool(_call, state.actors.search, body.text, body.k, caller, body.project)
    return ActorMatches(matches=[ActorMatch(actor=a, distance=d) for a, d in matches], model=state.actors.embedder.name)
