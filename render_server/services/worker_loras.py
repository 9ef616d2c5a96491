"""Team mode, the API's side of a render worker fetching the LoRAs a claimed job uses.

A worker gets only the LoRAs its job's request names (or the actor's own, ACTOR.safetensors,
for an actor naming none), and never the LoRA of an actor private to a project other than the
job's (the rule /v1/models and casting follow). Fenced by the claim's attempt, as frames are.
"""

from __future__ import annotations

from pathlib import Path

from shared_schema import JobKind

from ..api.errors import ApiError
from ..backends.lora_files import find_lora, lora_names
from ..people import Principal
from ..people.migrations import DEFAULT_PROJECT
from .worker_jobs import held


def lora_file(state, caller: Principal, job_id: str, attempt: int, name: str) -> Path:
    job = held(state, caller, job_id, attempt)
    hint = "fetch only the LoRAs the claimed request names (each actor's lora, or its own name when empty)"
    if job.kind is not JobKind.RENDER or name not in lora_names(state.store.request_of(job_id)):
        raise ApiError(404, "not_found", f"job {job_id}'s request does not use a LoRA named {name!r}", hint)
    hidden = state.actors.store.hidden_loras({job.project or DEFAULT_PROJECT})
    path = None if name.lower() in hidden or name.split("@")[0].lower() in hidden else find_lora(state.settings, name)
    if path is None:
        raise ApiError(404, "not_found", f"the server has no LoRA named {name!r} for job {job_id}'s project",
                       "render that actor without a LoRA (none is on the server), or train or add one there")
    return path
