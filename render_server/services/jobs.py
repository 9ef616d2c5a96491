"""Submitting, reading and cancelling render jobs."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Callable, Optional

from shared_schema import SCHEMA_VERSION, Job, JobAccepted, RenderRequest, dumps

from ..api.errors import ApiError
from ..backends.registry import BackendRegistry
from ..people import PeopleService, Principal, Role
from ..prompts import compose_into
from .frame_cache import answer_from_cache, request_digest
from ..storage.job_store import JobStore

MAX_SIDE = 4096
MAX_VARIATIONS = 16
IDEMPOTENCY_KEY = re.compile(r"^[!-~]{1,200}$")  # visible ASCII, as a header can carry it


def check_schema_version(version: str) -> None:
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise ApiError(409, "schema_mismatch",
                       f"request schema {version} does not match the server's {SCHEMA_VERSION}",
                       "install the add-on and the server from the same Beatboard release")


def fingerprint(request: RenderRequest) -> str:
    """What a retry must repeat exactly to be the same submission."""
    return hashlib.sha256(dumps(request).encode()).hexdigest()


def _accepted(job: Job) -> JobAccepted:
    return JobAccepted(id=job.id, state=job.state, url=f"/v1/jobs/{job.id}", events_url=f"/v1/jobs/{job.id}/events")


def _same_submission(store: JobStore, key: str, print_: str, project: str = "") -> Optional[JobAccepted]:
    found = store.by_idempotency_key(key)
    if found is None:
        return None
    job, stored = found
    if stored != print_ or (project and job.project != project):  # another project's job is never answered
        which = f" (job {job.id})" if not project or job.project == project else ""
        raise ApiError(422, "idempotency_key_reused",
                       f"Idempotency-Key {key!r} was already used for a different request{which}",
                       "send a retry with exactly the same body, or use a new key for a new request")
    return _accepted(job)


def submit(store: JobStore, backends: BackendRegistry, dispatch: Callable[[Job], None], request: RenderRequest,
           idempotency_key: Optional[str] = None, request_print: str = "",
           frames_dir: Optional[Path] = None, author: str = "") -> JobAccepted:
    """Queue the request. With an Idempotency-Key, a retry of the same request returns the job
    the first attempt made (its reply may have been lost), and a different request is refused.
    ``dispatch`` hands the stored job to whoever runs it (the in-process worker, or the team's queue)."""
    if idempotency_key is not None:
        if not IDEMPOTENCY_KEY.match(idempotency_key):
            raise ApiError(422, "validation_error", "the Idempotency-Key header must be 1 to 200 visible ASCII "
                           "characters", "use a fresh UUID per submission, e.g. uuid.uuid4().hex")
        request_print = request_print or fingerprint(request)
        earlier = _same_submission(store, idempotency_key, request_print, request.project)
        if earlier is not None:
            return earlier
    check_schema_version(request.schema_version)
    if not (16 <= request.width <= MAX_SIDE and 16 <= request.height <= MAX_SIDE):
        raise ApiError(422, "validation_error", f"frame size {request.width}x{request.height} is out of range",
                       f"width and height must be between 16 and {MAX_SIDE} pixels")
    if not 1 <= request.variations <= MAX_VARIATIONS:
        raise ApiError(422, "validation_error", f"variations={request.variations} is out of range",
                       f"ask for 1 to {MAX_VARIATIONS} variations")
    # A job of another project is, to this request, no job at all.
    if request.plate_job and store.project_of(request.plate_job) != request.project:
        raise ApiError(422, "validation_error", f"plate_job {request.plate_job!r} is not a job of this project",
                       "reuse a plate only from a job of the same project on the same server")
    if request.parent_job_id and store.project_of(request.parent_job_id) != request.project:
        raise ApiError(422, "validation_error",
                       f"parent_job_id {request.parent_job_id!r} is not a job of this project",
                       "a take refines a job of the same project and server; leave it empty for a first take")
    backend = backends.resolve_name(request.backend)
    compose_into(request, backend)
    digest = request_digest(request, backends.cache_key(backend))
    cached = answer_from_cache(store, frames_dir, request, backend, digest, author) if frames_dir else None
    if cached is not None:
        job, earlier = cached
        accepted = _accepted(job)
        accepted.cached_from = earlier.id
        return accepted
    job = store.create(request, backend, idempotency_key or "", request_print, author=author)
    store.link(job.id, request.parent_job_id, digest)
    dispatch(store.get(job.id))
    if idempotency_key is not None:
        return _same_submission(store, idempotency_key, request_print, request.project)  # a concurrent retry may have won
    return _accepted(job)


def _missing(job_id: str) -> ApiError:
    return ApiError(404, "not_found", f"no job {job_id!r}", "job ids come from POST /v1/jobs; GET /v1/jobs lists recent ones")


def get_or_404(store: JobStore, job_id: str, people: Optional[PeopleService] = None,
               principal: Optional[Principal] = None, need: Role = Role.VIEWER, what: str = "reading a job") -> Job:
    """The job, when it exists and the principal may do ``what`` in its project (not a member: 404)."""
    job: Optional[Job] = store.get(job_id)
    if job is None:
        raise _missing(job_id)
    if people is not None and principal is not None:
        people.require(principal, job.project, need, what, lambda: _missing(job_id))
    return job
