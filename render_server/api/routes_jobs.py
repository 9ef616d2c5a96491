from __future__ import annotations

import asyncio
import json
from typing import Optional

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, StreamingResponse

from shared_schema import Job, JobAccepted, JobEvents, JobState, RenderRequest, to_dict

from ..boards import BoardError
from ..services import jobs as job_service
from .deps import State
from .errors import ApiError

router = APIRouter()

LONG_POLL_MAX_S = 25.0


@router.post("/v1/jobs", status_code=202)
def submit_job(body: RenderRequest, state: State) -> JobAccepted:
    state.learning.cast_request(body)  # stored with the job: takes record the hints and LoRA used
    try:
        state.boards.prepare(body)  # the notes in force, into the request's fields
    except BoardError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.hint) from None
    accepted = job_service.submit(state.store, state.backends, state.worker, body, state.settings.frames_dir)
    if not (accepted.cached_from and accepted.cached_from == body.parent_job_id):
        state.boards.record_take(body, accepted.id)  # an unchanged re-render is no new take
    return accepted


@router.get("/v1/jobs")
def list_jobs(state: State, status: Optional[JobState] = None, limit: int = Query(100, ge=1, le=1000)) -> list[Job]:
    return state.store.list(status, limit)


@router.get("/v1/jobs/{job_id}")
def get_job(job_id: str, state: State) -> Job:
    return job_service.get_or_404(state.store, job_id)


@router.post("/v1/jobs/{job_id}/cancel")
def cancel_job(job_id: str, state: State) -> Job:
    job_service.get_or_404(state.store, job_id)
    return state.store.request_cancel(job_id)


async def _wait_for_events(state: State, job_id: str, after: int, wait: float):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        events = state.store.events(job_id, after)
        job = state.store.get(job_id)
        if events or job.state.finished or loop.time() >= deadline:
            return job, events
        await asyncio.sleep(0.05)


@router.get("/v1/jobs/{job_id}/events")
async def job_events(job_id: str, state: State, after: int = Query(0, ge=0),
                     wait: float = Query(0.0, ge=0.0, le=LONG_POLL_MAX_S)) -> JobEvents:
    """Events after ``after``; with ``wait`` > 0 it long-polls until one arrives."""
    job_service.get_or_404(state.store, job_id)
    job, events = await _wait_for_events(state, job_id, after, wait)
    return JobEvents(job_id=job_id, state=job.state, events=events)


@router.get("/v1/jobs/{job_id}/events/stream")
async def job_event_stream(job_id: str, state: State, after: int = Query(0, ge=0)):
    """The same events as Server-Sent Events, ending after the job finishes."""
    job_service.get_or_404(state.store, job_id)

    async def stream():
        seq = after
        while True:
            job, events = await _wait_for_events(state, job_id, seq, LONG_POLL_MAX_S)
            for event in events:
                seq = event.seq
                yield f"id: {event.seq}\nevent: {event.kind.value}\ndata: {json.dumps(to_dict(event))}\n\n"
            if job.state.finished and not state.store.events(job_id, seq):
                return
            if not events:
                yield ": keep-alive\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream")


@router.get("/v1/jobs/{job_id}/frames/{index}.png")
def job_frame(job_id: str, index: int, state: State):
    job = job_service.get_or_404(state.store, job_id)
    path = state.settings.frames_dir / job_id / f"{index}.png"
    if index not in {f.index for f in job.frames} or not path.exists():
        raise ApiError(404, "not_found", f"job {job_id} has no frame {index}",
                       "frames appear in the job once it is DONE; see GET /v1/jobs/{id}")
    return FileResponse(path, media_type="image/png")
