from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from shared_schema import ActorMatch, ActorMatches, ActorPatch, ActorProfile, ActorSearch

from ..actors.store import ActorStoreError
from .deps import State
from .errors import ApiError

router = APIRouter()

_STATUS = {"not_found": 404, "conflict": 409, "validation_error": 422, "payload_too_large": 413}


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except ActorStoreError as exc:
        raise ApiError(_STATUS.get(exc.code, 400), exc.code, exc.message, exc.hint) from None


@router.get("/v1/actors")
def list_actors(state: State) -> list[ActorProfile]:
    return state.actors.store.list()


@router.post("/v1/actors", status_code=201)
async def create_actor(body: ActorProfile, state: State) -> ActorProfile:
    return await run_in_threadpool(_call, state.actors.create, body)


@router.post("/v1/actors/identify")
async def identify_actor(request: Request, state: State, k: int = 3) -> ActorMatches:
    """Which stored actor a crop shows; the body is the image (PNG or JPEG bytes)."""
    data = await request.body()
    matches = await run_in_threadpool(_call, state.actors.identify, data, k)
    return ActorMatches(matches=[ActorMatch(actor=a, distance=d) for a, d in matches], model=state.actors.embedder.name)


@router.get("/v1/actors/{actor_id}/frames")
def actor_frames(actor_id: str, state: State, k: int = 5) -> list[dict]:
    """The actor's approved frames nearest their profile, with each frame's URL."""
    out = []
    for ref, distance in _call(state.actors.nearest_frames, actor_id, k):
        job_id, _, index = ref.partition("/")
        out.append({"frame": ref, "distance": distance, "url": f"/v1/jobs/{job_id}/frames/{index}.png"})
    return out


@router.get("/v1/actors/{actor_id}")
def get_actor(actor_id: str, state: State) -> ActorProfile:
    return _call(state.actors.store.require, actor_id)


@router.patch("/v1/actors/{actor_id}")
async def patch_actor(actor_id: str, body: ActorPatch, state: State) -> ActorProfile:
    fields = {k: v for k, v in asdict(body).items() if v is not None}
    return await run_in_threadpool(_call, state.actors.update, actor_id, **fields)


@router.delete("/v1/actors/{actor_id}", status_code=204)
def delete_actor(actor_id: str, state: State) -> None:
    _call(state.actors.store.delete, actor_id)


@router.post("/v1/actors/{actor_id}/references", status_code=201)
async def add_reference(actor_id: str, request: Request, state: State) -> ActorProfile:
    """The body is the image itself (PNG or JPEG bytes)."""
    data = await request.body()
    await run_in_threadpool(_call, state.actors.add_reference, actor_id, data)
    return _call(state.actors.store.require, actor_id)


@router.post("/v1/actors/search")
async def search_actors(body: ActorSearch, state: State) -> ActorMatches:
    matches = await run_in_threadpool(_call, state.actors.search, body.text, body.k)
    return ActorMatches(matches=[ActorMatch(actor=a, distance=d) for a, d in matches], model=state.actors.embedder.name)
