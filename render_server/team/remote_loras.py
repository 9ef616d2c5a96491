"""A team-mode render worker's LoRAs: fetched from the API for each claimed job, never its own.

Each LoRA the job's request uses (an actor's named LoRA, or the actor's own ACTOR.safetensors)
is asked of the API (GET /v1/worker/jobs/ID/loras/NAME). Copies are kept per name, one file per
version (named by the API's ETag, which changes with the file): a copy still current costs a 304
and no download. So every worker renders a job with the same LoRA files, the API's.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx

import shared_schema as wire

from ..backends.base import BackendError
from ..backends.lora_files import lora_names
from ..storage.artifacts import ArtifactStore
from .worker_api import ApiRefused, WorkerApi


def fetch_loras(api: WorkerApi, artifacts: ArtifactStore, job_id: str, attempt: int,
                request: wire.RenderRequest) -> dict[str, Path]:
    """The local file of each LoRA the request uses that the API has, by name."""
    named = {actor.lora for actor in request.actors if actor.lora and actor.lora != "none"}
    fetched = {}
    for name in lora_names(request):
        if Path(name).name != name or name.startswith("."):
            continue  # not a file name: the API has no such LoRA either
        held = sorted(artifacts.lora_cache_dir(name).glob("*.safetensors"))
        try:
            path = _download(api, artifacts, job_id, attempt, name, held)
        except ApiRefused as exc:
            if exc.body.code == "lease_lost":
                raise
            if exc.body.code == "not_found" and name not in named:
                continue  # the actor has no LoRA of their own on the server: drawn without one
            raise BackendError("model_missing" if exc.body.code == "not_found" else exc.body.code,
                               exc.body.message, exc.body.hint) from None
        for old in held:
            if old != path:
                old.unlink(missing_ok=True)  # an earlier version of the API's file
        fetched[name] = path
    return fetched


def _download(api: WorkerApi, artifacts: ArtifactStore, job_id: str, attempt: int, name: str,
              held: list[Path]) -> Path:
    def target(headers: httpx.Headers) -> Path:
        tag = headers.get("etag", "").removeprefix("W/").strip('"')
        if not re.fullmatch(r"[0-9a-f]{8,64}", tag):
            raise BackendError("bad_response", f"the API sent LoRA {name!r} with no usable ETag ({tag!r})",
                               "update the worker and the API to one release")
        return artifacts.lora_cache_path(name, tag)

    route, params = f"/v1/worker/jobs/{job_id}/loras/{name}", {"attempt": attempt}
    current = {"If-None-Match": ", ".join(f'"{p.stem}"' for p in held)} if held else None
    path = api.download_to(route, target, params=params, headers=current)
    if not path.is_file():  # a 304 for a copy removed meanwhile: download it whole
        path = api.download_to(route, target, params=params)
    return path
