"""Team mode, the API's side of a LoRA training job on a worker: the bundle to fetch, the crops
and the version in use to download, the new LoRA to upload and register.

Every call carries the claim's attempt and is refused once the worker no longer holds the job
(as frames are). The API writes the LoRA file and the version row; the worker only sends them.
An upload must be a safetensors file of LoRA weights (never a pickle: files here get loaded).
"""

from __future__ import annotations

import os
from pathlib import Path

import safetensors

from shared_schema import ActorProfile, JobKind, LoraVersion, WorkerLoraRegister, WorkerTrainingBundle

from ..api.errors import ApiError
from ..learning.training_source import LocalTrainingSource, active_version, lora_file_name, lora_versions
from ..people import Principal
from .worker_jobs import held

MAX_LORA_MB = 512  # far above a LoRA of the default rank (a few MB for SD 1.5); bounds one upload
REQUIRED_METRICS = ("held_out_similarity", "previous_similarity")


def _training(state, caller: Principal, job_id: str, attempt: int) -> ActorProfile:
    job = held(state, caller, job_id, attempt)
    if job.kind is not JobKind.TRAIN_LORA:
        raise ApiError(409, "not_training", f"job {job_id} is a {job.kind.value.lower()} job, not LoRA training",
                       "the training routes are for TRAIN_LORA jobs; render jobs upload frames")
    actor = state.actors.store.get(state.store.training_request_of(job_id).get("actor_id", ""))
    if actor is None:
        raise ApiError(404, "not_found", f"the actor of training job {job_id} no longer exists",
                       "finish the job FAILED: there is nothing to train")
    return actor


def _source(state, actor: ActorProfile) -> LocalTrainingSource:
    return LocalTrainingSource(state.actors.store, state.settings.artifacts, actor.id)


def bundle(state, caller: Principal, job_id: str, attempt: int) -> WorkerTrainingBundle:
    actor = _training(state, caller, job_id, attempt)
    active = active_version(state.actors.store, actor.id)
    return WorkerTrainingBundle(actor_id=actor.id, actor_name=actor.name, description=actor.description,
                                crops=[p.name for p in _source(state, actor).crops()],
                                active_lora=active.name if active else "",
                                next_version=state.actors.store.next_lora_version(actor.id),
                                clip_model=state.settings.clip_model, clip_checkpoint=state.settings.clip_checkpoint)


def crop(state, caller: Principal, job_id: str, attempt: int, name: str) -> Path:
    actor = _training(state, caller, job_id, attempt)
    path = next((p for p in _source(state, actor).crops() if p.name == name), None)
    if path is None:
        raise ApiError(404, "not_found", f"{actor.name} has no approved crop {name!r}",
                       "download the crops the training bundle lists")
    return path


def active_lora(state, caller: Principal, job_id: str, attempt: int) -> Path:
    actor = _training(state, caller, job_id, attempt)
    path = _source(state, actor).active_lora()
    if path is None or not path.is_file():
        raise ApiError(404, "not_found", f"{actor.name} has no LoRA version in use",
                       "score the new version against no LoRA (the bundle's active_lora is empty)")
    return path


def put_lora(state, caller: Principal, job_id: str, attempt: int, data: bytes) -> None:
    _training(state, caller, job_id, attempt)
    check_lora_file(data)
    artifacts = state.settings.artifacts  # one upload per job: a retry replaces it
    artifacts.write_atomic(artifacts.lora_upload_path(job_id), lambda path: path.write_bytes(data))


def check_lora_file(data: bytes) -> None:
    """A safetensors file (its header read by the safetensors library) holding LoRA weights."""
    hint = ("upload the .safetensors file the LoRA trainer saved (diffusers' save_lora_weights); "
            "pickled .bin/.pt/.ckpt files are refused")
    try:
        tensors = safetensors.deserialize(data)
    except Exception as exc:  # SafetensorError: a bad header, offsets beyond the data, not JSON
        raise ApiError(422, "not_safetensors", f"the upload is not a safetensors file ({exc})", hint) from None
    if not any("lora" in name.lower() for name, _ in tensors):
        raise ApiError(422, "not_a_lora", f"the safetensors file holds {len(tensors)} tensor(s), none of them "
                       "LoRA weights (no name contains 'lora')", hint)


def register(state, caller: Principal, job_id: str, body: WorkerLoraRegister) -> LoraVersion:
    actor = _training(state, caller, job_id, body.attempt)
    store = state.actors.store
    existing = next((v for v in lora_versions(store, actor.id) if v.version == body.version), None)
    if existing is not None and existing.source_frames == body.source_frames and existing.metrics == body.metrics:
        return existing  # the same registration again (its answer was lost): changes nothing
    if existing is not None or body.version != store.next_lora_version(actor.id):
        raise ApiError(409, "conflict", f"{actor.name}@v{body.version} is not the next version "
                       f"(that is v{store.next_lora_version(actor.id)})",
                       "fetch the training bundle again and register under its next_version")
    missing = [k for k in REQUIRED_METRICS if k not in body.metrics]
    if missing:
        raise ApiError(422, "validation_error", f"metrics lack {', '.join(missing)}",
                       "send the trainer's metrics: held_out_similarity and previous_similarity at least")
    known = {p.name for p in _source(state, actor).crops()}
    unknown = [name for name in body.source_frames if name not in known]
    if unknown:
        raise ApiError(422, "validation_error", f"source_frames names {len(unknown)} crop(s) {actor.name} does "
                       f"not have, e.g. {unknown[0]!r}", "list the crop names the training bundle gave")
    upload = state.settings.artifacts.lora_upload_path(job_id)
    if not upload.is_file():
        raise ApiError(409, "lora_missing", f"no LoRA was uploaded for job {job_id}",
                       "PUT the safetensors file to /v1/worker/jobs/ID/training/lora first")
    artifacts = state.settings.artifacts
    stem = lora_file_name(store, artifacts, actor.id, actor.name, body.version)
    path = artifacts.write_atomic(artifacts.lora_path(stem),
                                  lambda temporary: os.replace(upload, temporary))
    store.add_lora_version(actor.id, body.version, str(path), body.base_model, body.steps, body.source_frames,
                           body.metrics, body.accepted)
    return next(v for v in lora_versions(store, actor.id) if v.version == body.version)
