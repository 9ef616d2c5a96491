"""Team mode: the routes `beatboard worker` processes call, and the list of live workers."""

from __future__ import annotations

from fastapi import APIRouter, Path, Query, Request, Response

from shared_schema import (Job, WorkerClaim, WorkerClaimed, WorkerConfig, WorkerFinish, WorkerHeartbeat,
                           WorkerProgress, WorkerProgressAnswer, WorkerStatus)
from shared_schema.limits import MAX_VARIATIONS

from ..services import worker_jobs
from .deps import Caller, State
from .errors import ERROR_RESPONSES
from .images import check_image
from .wire_route import WireRoute

router = APIRouter(responses=ERROR_RESPONSES, route_class=WireRoute)
JobId = Path(max_length=64, description="the job id the Celery message carried")
Attempt = Query(ge=1, le=2**31, description="the attempt number the claim answered")
PNG_BODY = {"requestBody": {"required": True, "content": {
    "image/png": {"schema": {"type": "string", "format": "binary"}}}}}


@router.get("/v1/worker/config")
def worker_config(state: State, caller: Caller) -> WorkerConfig:
    worker_jobs.team_for(state, caller)
    s = state.settings
    return WorkerConfig(broker_url=s.broker_url, lease_s=s.worker_lease_s,
                        visibility_timeout_s=s.broker_visibility_timeout_s, restore_interval_s=s.broker_restore_interval_s)


@router.post("/v1/worker/jobs/{job_id}/claim")
def claim_job(body: WorkerClaim, state: State, caller: Caller, job_id: str = JobId) -> WorkerClaimed:
    """Take the job: 409 ``job_running`` / ``job_finished`` mean drop the message."""
    return worker_jobs.claim(state, caller, job_id, body.worker)


@router.post("/v1/worker/jobs/{job_id}/progress")
def report_progress(body: WorkerProgress, state: State, caller: Caller, job_id: str = JobId) -> WorkerProgressAnswer:
    """Also extends the lease; answers whether the user asked to cancel."""
    return worker_jobs.progress(state, caller, job_id, body.attempt, body.progress, body.message)


@router.put("/v1/worker/jobs/{job_id}/frames/{index}.png", status_code=204, openapi_extra=PNG_BODY)
async def upload_frame(request: Request, state: State, caller: Caller, job_id: str = JobId,
                       index: int = Path(ge=0, le=MAX_VARIATIONS - 1), attempt: int = Attempt) -> Response:
    """The body is the PNG. Uploading an index again replaces that frame, never doubles it."""
    data = await request.body()
    width, height = check_image(data, "frame")
    worker_jobs.put_frame(state, caller, job_id, attempt, index, data, width, height)
    return Response(status_code=204)


@router.post("/v1/worker/jobs/{job_id}/finish")
def finish_job(body: WorkerFinish, state: State, caller: Caller, job_id: str = JobId) -> Job:
    return worker_jobs.finish(state, caller, job_id, body.attempt, body.state, body.message, body.error)


@router.post("/v1/worker/heartbeat", status_code=204)
def heartbeat(body: WorkerHeartbeat, state: State, caller: Caller) -> Response:
    """Every third of a lease: keeps the worker listed and its current job's lease alive."""
    worker_jobs.team_for(state, caller).heartbeat(body)
    return Response(status_code=204)


@router.get("/v1/workers")
def list_workers(state: State) -> list[WorkerStatus]:
    """Live team-mode workers (empty when the server runs its jobs itself)."""
    return state.team.workers() if state.team is not None else []
