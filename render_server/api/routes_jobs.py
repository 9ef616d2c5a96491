from __future__ import annotations

import json
import logging
from typing import Annotated, Optional

from fastapi import APIRouter, Header, Path, Query, Response
from fastapi.responses import FileResponse, StreamingResponse

from shared_schema import ErrorBody, Job, JobAccepted, JobEvents, JobState, RenderRequest, to_dict
from shared_schema.limits import MAX_VARIATIONS

from ..boards import BoardError
from ..conditioning import validate_request
from ..services import jobs as job_service
from ..services.job_cleanup import delete_frames
from .deps import Caller, State
from .long_poll import LONG_POLL_MAX_S, wait_for_change
from ..people import Role
from .errors import ERROR_RESPONSES, ApiError
from .wire_route import WireRoute

log = logging.getLogger("beatboard.server")
router = APIRouter(responses=ERROR_RESPONSES, route_class=WireRoute)

MAX_SEQ = 2**63 - 1  # SQLite's INTEGER
JobId = Path(max_length=64, description="the id POST /v1/jobs answered")
FrameIndex = Path(ge=0, le=MAX_VARIATIONS - 1)


@router.post("/v1/jobs", status_code=202)
def submit_job(body: RenderRequest, state: State, caller: Caller,
               idempotency_key: Annotated[Optional[str], Header(max_length=200)] = None) -> JobAccepted:
    """With an ``Idempotency-Key`` header, a retry of the same body returns the same job. ``project``
    names the project (empty: the board's, else the default project); rendering needs the artist role."""
    validate_request(body)
    request_print = job_service.fingerprint(body)  # of the body as sent, before casting fills it in
    try:
        body.project = state.boards.prepare(caller, body)  # may the caller render there; the shot's beat
        state.learning.cast_request(body)  # stored with the job: takes record the hints and LoRA used
        state.boards.apply_notes_in_force(body)  # the notes in force, into the request's fields
    except BoardError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.hint) from None
    accepted = job_service.submit(state.store, state.backends, state.dispatch, body, idempotency_key, request_print,
                                  state.settings.artifacts.frames_dir, author=caller.name)
    if not (accepted.cached_from and accepted.cached_from == body.parent_job_id):
        state.boards.record_take(caller, body, accepted.id)  # an unchanged re-render is no new take
    state.people.record(caller, body.project, "job.render", accepted.id)
    return accepted


@router.get("/v1/jobs")
def list_jobs(state: State, caller: Caller, status: Optional[JobState] = None,
              limit: int = Query(100, ge=1, le=1000)) -> list[Job]:
    """The newest jobs of the projects you are a member of."""
    return state.store.list(status, limit, projects=state.people.visible_projects(caller))


@router.get("/v1/jobs/{job_id}")
def get_job(state: State, caller: Caller, job_id: str = JobId) -> Job:
    job = job_service.get_or_404(state.store, job_id, state.people, caller)
    if state.team is not None:
        job.queue_position = state.team.leases.queue_position(job)
    return job


@router.delete("/v1/jobs/{job_id}", status_code=204)
def delete_job(state: State, caller: Caller, job_id: str = JobId) -> Response:
    """Delete a finished job with its events and frames. A queued or running job answers 409:
    cancel it first (POST /v1/jobs/{id}/cancel), then delete it once it is CANCELLED."""
    job = job_service.get_or_404(state.store, job_id, state.people, caller, Role.DIRECTOR, "deleting a job")
    if not state.store.delete(job_id):
        raise ApiError(409, "conflict", f"job {job_id} is {job.state.value.lower()}: only finished jobs are deleted",
                       f"cancel it first (POST /v1/jobs/{job_id}/cancel), then delete it once it is CANCELLED")
    delete_frames(state.settings.frames_dir, job_id)
    state.people.record(caller, job.project, "job.delete", job_id)
    return Response(status_code=204)


@router.post("/v1/jobs/{job_id}/cancel")
def cancel_job(state: State, caller: Caller, job_id: str = JobId) -> Job:
    job_service.get_or_404(state.store, job_id, state.people, caller, Role.ARTIST, "cancelling a job")
    job = state.store.request_cancel(job_id)
    state.people.record(caller, job.project, "job.cancel", job_id)
    if state.team is not None and job.state is JobState.RUNNING:
        state.team.cancelled(job_id)  # the worker hears it at once, not at its next report
    return job


async def _wait_for_events(state: State, job_id: str, after: int, wait: float):
    """(job, events after ``after``), waiting up to ``wait`` s for an event or the job's end."""
    def read():
        return state.store.get(job_id), state.store.events(job_id, after)

    def ready(found) -> bool:
        job, events = found
        return bool(events) or job is None or job.state.finished

    return await wait_for_change(lambda wake: state.store.watch(job_id, wake), read, ready, wait)


@router.get("/v1/jobs/{job_id}/events")
async def job_events(state: State, caller: Caller, job_id: str = JobId, after: int = Query(0, ge=0, le=MAX_SEQ),
                     wait: float = Query(0.0, ge=0.0, le=LONG_POLL_MAX_S)) -> JobEvents:
    """Events after ``after``; with ``wait`` > 0 it long-polls until one arrives."""
    job_service.get_or_404(state.store, job_id, state.people, caller)
    job, events = await _wait_for_events(state, job_id, after, wait)
    if job is None:
        raise ApiError(404, "not_found", f"job {job_id} was deleted", "GET /v1/jobs lists the jobs there are")
    return JobEvents(job_id=job_id, state=job.state, events=events)


@router.get("/v1/jobs/{job_id}/events/stream",
            responses={200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"}})
async def job_event_stream(state: State, caller: Caller, job_id: str = JobId,
                           after: int = Query(0, ge=0, le=MAX_SEQ)):
    """The same events as Server-Sent Events, ending after the job finishes."""
    job_service.get_or_404(state.store, job_id, state.people, caller)

    async def stream():
        seq = after
        try:
            while True:
                job, events = await _wait_for_events(state, job_id, seq, LONG_POLL_MAX_S)
                for event in events:
                    seq = event.seq
                    yield f"id: {event.seq}\nevent: {event.kind.value}\ndata: {json.dumps(to_dict(event))}\n\n"
                if job is None or (job.state.finished and not state.store.events(job_id, seq)):
                    return
                if not events:
                    yield ": keep-alive\n\n"
        except Exception:  # headers are sent: end the stream with an error event, not a cut body
            log.exception("event stream of job %s failed", job_id)
            error = ErrorBody("internal_error", "the event stream stopped on a server error",
                              f"reconnect with after={seq}; the server log has the traceback")
            yield f"event: error\ndata: {json.dumps(to_dict(error))}\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream")


@router.get("/v1/jobs/{job_id}/frames/{index}.png",
            responses={200: {"content": {"image/png": {}}, "description": "the frame"}})
def job_frame(state: State, caller: Caller, job_id: str = JobId, index: int = FrameIndex):
    job = job_service.get_or_404(state.store, job_id, state.people, caller)
    path = state.settings.artifacts.frame_path(job_id, index)
    if index not in {f.index for f in job.frames} or not path.exists():
        raise ApiError(404, "not_found", f"job {job_id} has no frame {index}",
                       "frames appear in the job once it is DONE; see GET /v1/jobs/{id}")
    return FileResponse(path, media_type="image/png")
