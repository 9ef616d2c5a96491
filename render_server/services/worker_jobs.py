"""Team mode, the API's side of a worker's calls: claim, progress, frames, finish.

The API stays the one writer of the job store and the artifact store; a worker only calls
these. Every write after the claim carries the claim's attempt number and is refused once
the worker no longer holds the job (its lease ran out and the job went to another worker).
"""

from __future__ import annotations

from typing import Optional

from shared_schema import (ErrorBody, Job, JobKind, JobState, WorkerClaimed, WorkerProgressAnswer, WorkerRef,
                           WorkerTraining)

from ..api.errors import ApiError
from ..storage.job_leases import Claim
from ..people import PeopleService, Principal
from .job_steps import store_frame


def team_for(state, caller: Principal):
    """The team's job leases, for a worker token (or an admin's): people/service.py decides."""
    PeopleService.require_worker(caller)
    if state.team is None:
        raise ApiError(409, "not_team_mode", "this server runs its jobs itself: it has no queue for workers",
                       "start the server with BEATBOARD_BROKER_URL=redis://... to use `beatboard worker`")
    return state.team


def held(state, caller: Principal, job_id: str, attempt: int, extend: bool = True) -> Job:
    team = team_for(state, caller)
    job = team.leases.holds(job_id, attempt, state.settings.worker_lease_s if extend else 0.0)
    if job is None:
        current = state.store.get(job_id)
        if current is None:
            raise ApiError(404, "not_found", f"no job {job_id!r}", "the job was deleted; drop it")
        raise ApiError(409, "lease_lost", f"attempt {attempt} no longer holds job {job_id} "
                       f"(it is {current.state.value.lower()}, attempt {current.attempts})",
                       "stop working on it: its lease ran out and the job was given to another worker, or it ended")
    return job


def claim(state, caller: Principal, job_id: str, worker: WorkerRef) -> WorkerClaimed:
    team = team_for(state, caller)
    outcome, job = team.leases.claim(job_id, worker, state.settings.worker_lease_s, state.settings.max_attempts)
    if outcome is Claim.MISSING:
        raise ApiError(404, "not_found", f"no job {job_id!r}", "the job was deleted; drop its message")
    if outcome is Claim.FINISHED:
        raise ApiError(409, "job_finished", f"job {job_id} is {job.state.value.lower()}",
                       "nothing to do: acknowledge the message and drop it")
    if outcome is Claim.BUSY:
        raise ApiError(409, "job_running", f"job {job_id} is running on {job.worker.name if job.worker else '?'} "
                       "under a live lease", "nothing to do: that worker finishes it, or its lease runs out and "
                       "the API queues it again")
    claimed = WorkerClaimed(job=job, attempt=job.attempts, lease_s=state.settings.worker_lease_s)
    if job.kind is JobKind.TRAIN_LORA:
        order = state.store.training_request_of(job_id)
        claimed.training = WorkerTraining(actor_id=order.get("actor_id", ""), steps=int(order.get("steps") or 0),
                                          reason=order.get("reason", ""))
    else:
        claimed.request = state.store.request_of(job_id)
    return claimed


def progress(state, caller: Principal, job_id: str, attempt: int, fraction: float,
             message: str) -> WorkerProgressAnswer:
    job = held(state, caller, job_id, attempt)
    state.store.progress(job_id, fraction, message)
    return WorkerProgressAnswer(state=job.state, cancel_requested=state.store.cancel_requested(job_id))


def put_frame(state, caller: Principal, job_id: str, attempt: int, index: int, data: bytes, width: int,
              height: int) -> None:
    job = held(state, caller, job_id, attempt)
    request = state.store.request_of(job_id)
    if index >= request.variations:
        raise ApiError(422, "validation_error", f"frame {index} is beyond the job's {request.variations} variation(s)",
                       f"upload frames 0 to {request.variations - 1}")
    store_frame(state.store, state.settings.artifacts, job, request, index, lambda path: path.write_bytes(data),
                width, height)


def finish(state, caller: Principal, job_id: str, attempt: int, end: JobState, message: str,
           error: Optional[ErrorBody]) -> Job:
    if not end.finished:
        raise ApiError(422, "validation_error", f"a job cannot finish as {end.value}",
                       "finish with DONE, FAILED or CANCELLED")
    held(state, caller, job_id, attempt, extend=False)
    if end is JobState.DONE and state.store.get(job_id).kind is JobKind.RENDER:
        request, job = state.store.request_of(job_id), state.store.get(job_id)
        if len(job.frames) != request.variations:
            raise ApiError(409, "frames_missing", f"job {job_id} has {len(job.frames)} of its "
                           f"{request.variations} frame(s)", "upload every frame before finishing DONE")
    state.store.finish(job_id, end, message, error)
    state.settings.artifacts.lora_upload_path(job_id).unlink(missing_ok=True)  # a training run's, unregistered
    return state.store.get(job_id)
