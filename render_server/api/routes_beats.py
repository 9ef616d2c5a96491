from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from shared_schema import BeatsRequest, BeatsResponse

from ..beats.ingest import ScriptRejected
from ..beats.service import MAX_BEATS, break_into_beats
from ..people import Role
from .deps import Caller, State
from .errors import ERROR_RESPONSES, ApiError
from .wire_route import WireRoute

router = APIRouter(responses=ERROR_RESPONSES, route_class=WireRoute)


@router.post("/v1/beats")
async def beats(body: BeatsRequest, state: State, caller: Caller) -> BeatsResponse:
    state.people.require_some_project(caller, Role.ARTIST, "breaking a script into beats")
    if not 1 <= body.n <= MAX_BEATS:
        raise ApiError(422, "validation_error", f"n={body.n} is out of range", f"ask for 1 to {MAX_BEATS} beats")
    if body.extractor not in ("auto", "offline", "llm"):
        raise ApiError(422, "validation_error", f"extractor {body.extractor!r} is not known",
                       "use 'auto', 'offline' or 'llm'")
    try:
        # Parsing and LLM calls block: keep them off the event loop so health and polls stay live.
        return await run_in_threadpool(break_into_beats, body, state.settings)
    except ScriptRejected as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.hint) from None
