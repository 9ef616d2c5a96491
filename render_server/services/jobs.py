"""Submitting, reading and cancelling render jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from shared_schema import SCHEMA_VERSION, Job, JobAccepted, RenderRequest

from ..api.errors import ApiError
from ..backends.registry import BackendRegistry
from ..prompts import compose_into
from .frame_cache import answer_from_cache, request_digest
from ..services.worker import RenderWorker
from ..storage.job_store import JobStore

MAX_SIDE = 4096
MAX_VARIATIONS = 16


def check_schema_version(version: str) -> None:
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise ApiError(409, "schema_mismatch",
                       f"request schema {version} does not match the server's {SCHEMA_VERSION}",
                       "install the add-on and the server from the same Beatboard release")


def submit(store: JobStore, backends: BackendRegistry, worker: RenderWorker, request: RenderRequest,
           frames_dir: Optional[Path] = None) -> JobAccepted:
    """Validate, compose the prompt for the backend, then answer from the frame cache or queue it."""
    check_schema_version(request.schema_version)
    if not (16 <= request.width <= MAX_SIDE and 16 <= request.height <= MAX_SIDE):
        raise ApiError(422, "validation_error", f"frame size {request.width}x{request.height} is out of range",
                       f"width and height must be between 16 and {MAX_SIDE} pixels")
    if not 1 <= request.variations <= MAX_VARIATIONS:
        raise ApiError(422, "validation_error", f"variations={request.variations} is out of range",
                       f"ask for 1 to {MAX_VARIATIONS} variations")
    if request.plate_job and store.get(request.plate_job) is None:
        raise ApiError(422, "validation_error", f"plate_job {request.plate_job!r} is not a job of this server",
                       "reuse a plate only from a job submitted to the same server")
    if request.parent_job_id and store.get(request.parent_job_id) is None:
        raise ApiError(422, "validation_error", f"parent_job_id {request.parent_job_id!r} is not a job of this server",
                       "a take refines a job of the same server; leave it empty for a first take")
    backend = backends.resolve_name(request.backend)
    compose_into(request, backend)
    digest = request_digest(request, backend)
    cached = answer_from_cache(store, frames_dir, request, backend, digest) if frames_dir else None
    if cached is not None:
        job, earlier = cached
        return JobAccepted(id=job.id, state=job.state, url=f"/v1/jobs/{job.id}",
                           events_url=f"/v1/jobs/{job.id}/events", cached_from=earlier.id)
    job = store.create(request, backend)
    store.link(job.id, request.parent_job_id, digest)
    worker.wake()
    return JobAccepted(id=job.id, state=job.state, url=f"/v1/jobs/{job.id}", events_url=f"/v1/jobs/{job.id}/events")


def get_or_404(store: JobStore, job_id: str) -> Job:
    job: Optional[Job] = store.get(job_id)
    if job is None:
        raise ApiError(404, "not_found", f"no job {job_id!r}",
                       "job ids come from POST /v1/jobs; GET /v1/jobs lists recent ones")
    return job
