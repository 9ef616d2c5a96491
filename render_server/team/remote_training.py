"""A training source over the API (team mode): a `beatboard worker` on the `training` queue
trains an actor's LoRA with the same LoraTrainer as the embedded server, reading the crops and
the version in use from the API and sending the new version back to it.

Files land in a folder of the worker's own (removed when the job ends); the API writes the
LoRA file and the version row. Every call carries the claim's attempt: a worker whose lease
ran out is refused (``lease_lost``) and stops.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

import shared_schema as wire

from ..backends.base import BackendError
from ..learning.training_source import TrainingActor
from .worker_api import ApiRefused, WorkerApi


@contextmanager
def _refusals() -> Iterator[None]:
    """An API refusal ends the job with the API's own error body; a lost lease stops the worker."""
    try:
        yield
    except ApiRefused as exc:
        if exc.body.code == "lease_lost":
            raise
        raise BackendError(exc.body.code, exc.body.message, exc.body.hint) from None


class RemoteTrainingSource:
    def __init__(self, api: WorkerApi, job_id: str, attempt: int, bundle: wire.WorkerTrainingBundle, folder: Path):
        self.api, self.job_id, self.attempt, self.bundle, self.folder = api, job_id, attempt, bundle, folder
        self.actor = TrainingActor(bundle.actor_id, bundle.actor_name, bundle.description)
        self._route = f"/v1/worker/jobs/{job_id}/training"

    @classmethod
    def fetch(cls, api: WorkerApi, job_id: str, attempt: int, folder: Path) -> "RemoteTrainingSource":
        with _refusals():
            return cls(api, job_id, attempt, api.training_bundle(job_id, attempt), folder)

    def crops(self) -> list[Path]:
        paths = []
        for name in self.bundle.crops:
            if Path(name).name != name or not name.endswith(".png"):  # a name, never a path out of the folder
                raise BackendError("bad_response", f"the API listed a crop named {name!r}",
                                   "crop names are JOB_INDEX.png; update the worker and the API to one release")
            with _refusals():
                paths.append(self.api.download_to(f"{self._route}/crops/{name}", self.folder / "crops" / name,
                                                  params={"attempt": self.attempt}))
        return sorted(paths)

    def active_lora(self) -> Optional[Path]:
        if not self.bundle.active_lora:
            return None
        with _refusals():
            return self.api.download_to(f"{self._route}/active-lora", self.folder / "active" / "lora.safetensors",
                                        params={"attempt": self.attempt})

    def next_version(self) -> int:
        return self.bundle.next_version

    def lora_name(self, version: int) -> str:
        return f"{self.actor.name}@v{version}"  # a scratch file here: the API names the one it keeps

    def register(self, version: int, lora: Path, base_model: str, steps: int, source_frames: list[str],
                 metrics: dict, accepted: bool) -> wire.LoraVersion:
        with _refusals():
            self.api.put_lora(self.job_id, self.attempt, lora)
            return self.api.register_lora(self.job_id, wire.WorkerLoraRegister(
                attempt=self.attempt, version=version, base_model=base_model[:1000], steps=steps,
                source_frames=source_frames, metrics=metrics, accepted=accepted))
