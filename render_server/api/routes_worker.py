"""Team mode: the routes `beatboard worker` processes call, and the list of live workers."""

from __future__ import annotations

import os

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import FileResponse

from shared_schema import (Job, LoraVersion, WorkerClaim, WorkerClaimed, WorkerConfig, WorkerFinish, WorkerHeartbeat,
                           WorkerLoraRegister, WorkerProgress, WorkerProgressAnswer, WorkerStatus,
                           WorkerTrainingBundle)
from shared_schema.limits import MAX_VARIATIONS

from ..services import worker_jobs, worker_loras, worker_training
from .deps import Caller, State
from .errors import ERROR_RESPONSES
from .images import check_image
from .wire_route import WireRoute

router = APIRouter(responses=ERROR_RESPONSES, route_class=WireRoute)
JobId = Path(max_length=64, description="the job id the Celery message carried")
Attempt = Query(ge=1, le=2**31, description="the attempt number the claim answered")
SAFETENSORS_BODY = {"requestBody": {"required": True, "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}
CropName = Path(max_length=200, pattern=r"^[A-Za-z0-9_.-]+\.png$", description="a crop name the bundle listed")
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


@router.get("/v1/worker/jobs/{job_id}/loras/{name}", response_class=FileResponse,
            responses={304: {"description": "If-None-Match named the file's ETag: the worker's copy is current"}})
def render_lora(request: Request, state: State, caller: Caller, job_id: str = JobId,
                name: str = Path(max_length=200, description="a LoRA the job's request uses (NAME@vN or a file stem)"),
                attempt: int = Attempt) -> Response:
    """The .safetensors file of a LoRA the claimed render job uses; 404 when the server has none by that name
    (or it belongs to an actor private to another project). Its ETag names the file's version."""
    path = worker_loras.lora_file(state, caller, job_id, attempt, name)
    response = FileResponse(path, stat_result=os.stat(path), media_type="application/octet-stream")
    etag = response.headers["etag"]
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers={"etag": etag})
    return response


@router.get("/v1/worker/jobs/{job_id}/training")
def training_bundle(state: State, caller: Caller, job_id: str = JobId, attempt: int = Attempt) -> WorkerTrainingBundle:
    """A claimed LoRA training job's actor, crop names, version in use and the CLIP model to score with."""
    return worker_training.bundle(state, caller, job_id, attempt)


@router.get("/v1/worker/jobs/{job_id}/training/crops/{name}", response_class=FileResponse)
def training_crop(state: State, caller: Caller, job_id: str = JobId, name: str = CropName,
                  attempt: int = Attempt) -> FileResponse:
    return FileResponse(worker_training.crop(state, caller, job_id, attempt, name), media_type="image/png")


@router.get("/v1/worker/jobs/{job_id}/training/active-lora", response_class=FileResponse)
def training_active_lora(state: State, caller: Caller, job_id: str = JobId, attempt: int = Attempt) -> FileResponse:
    """The LoRA file of the actor's version in use (404 when none): the new version is scored against it."""
    return FileResponse(worker_training.active_lora(state, caller, job_id, attempt),
                        media_type="application/octet-stream")


@router.put("/v1/worker/jobs/{job_id}/training/lora", status_code=204, openapi_extra=SAFETENSORS_BODY)
async def upload_lora(request: Request, state: State, caller: Caller, job_id: str = JobId,
                      attempt: int = Attempt) -> Response:
    """The body is the trained LoRA, a .safetensors file; uploading again replaces it until it is registered."""
    worker_training.put_lora(state, caller, job_id, attempt, await request.body())
    return Response(status_code=204)


@router.post("/v1/worker/jobs/{job_id}/training/register")
def register_lora(body: WorkerLoraRegister, state: State, caller: Caller, job_id: str = JobId) -> LoraVersion:
    """The uploaded LoRA becomes the actor's next version (in use when ``accepted``)."""
    return worker_training.register(state, caller, job_id, body)


@router.post("/v1/worker/heartbeat", status_code=204)
def heartbeat(body: WorkerHeartbeat, state: State, caller: Caller) -> Response:
    """Every third of a lease: keeps the worker listed and its current job's lease alive."""
    worker_jobs.team_for(state, caller).heartbeat(body)
    return Response(status_code=204)


@router.get("/v1/workers")
def list_workers(state: State) -> list[WorkerStatus]:
    """Live team-mode workers (empty when the server runs its jobs itself)."""
    return state.team.workers() if state.team is not None else []
