"""Where a LoRA training run gets its data and leaves its result: a "training source".

The trainer (lora_training.py) needs the actor's name and description, the approved crops as
local files, the LoRA file of the version in use (to score the new one against), and a way to
register the new version with its metrics. The embedded server reads and writes its own stores
(``LocalTrainingSource``); a team-mode worker goes through the API's worker routes
(render_server/team/remote_training.py), so the API stays the one writer of actors and files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Protocol

from shared_schema import LoraVersion

if TYPE_CHECKING:
    from ..actors.repository import ActorRepository
    from ..storage.artifacts import ArtifactStore


@dataclass
class TrainingActor:
    id: str
    name: str
    description: str = ""


class TrainingSource(Protocol):
    actor: TrainingActor

    def crops(self) -> list[Path]:
        """The approved crops, as local files named JOB_INDEX.png (the names versions record)."""
        ...

    def active_lora(self) -> Optional[Path]:
        """The local file of the version in use, or None when the actor has none."""
        ...

    def next_version(self) -> int: ...

    def lora_name(self, version: int) -> str:
        """The file stem the new version is saved under while it is scored."""

    def register(self, version: int, lora: Path, base_model: str, steps: int, source_frames: list[str],
                 metrics: dict, accepted: bool) -> LoraVersion:
        """Record the trained version (``lora`` is the file the trainer wrote); the stored version back."""
        ...


def lora_versions(store: ActorRepository, actor_id: str) -> list[LoraVersion]:
    actor = store.require(actor_id)
    return [LoraVersion(actor_id=actor.id, name=Path(row["path"]).stem, **row)
            for row in store.lora_versions(actor.id)]


def lora_file_name(store: ActorRepository, artifacts: "ArtifactStore", actor_id: str, name: str,
                   version: int) -> str:
    """``NAME@vN``. Names are unique only per project: an actor sharing theirs with another (maybe
    private to a production this one never sees) gets its id in the file name, so no LoRA
    overwrites another's."""
    stem = f"{name}@v{version}"
    if store.has_namesake(actor_id) or artifacts.lora_path(stem).exists():
        stem = f"{name}-{actor_id}@v{version}"
    return stem


def active_version(store: ActorRepository, actor_id: str) -> Optional[LoraVersion]:
    active = [v for v in lora_versions(store, actor_id) if v.status == "active"]
    return active[-1] if active else None


class LocalTrainingSource:
    """Embedded mode: the server's own actor database and artifact store."""

    def __init__(self, store: ActorRepository, artifacts: ArtifactStore, actor_id: str):
        self.store, self.artifacts = store, artifacts
        profile = store.require(actor_id)
        self.actor = TrainingActor(profile.id, profile.name, profile.description)

    def crops(self) -> list[Path]:
        return self.artifacts.approved_crops(self.actor.id, self.store.approved_refs(self.actor.id))

    def active_lora(self) -> Optional[Path]:
        active = active_version(self.store, self.actor.id)
        return Path(active.path) if active else None

    def next_version(self) -> int:
        return self.store.next_lora_version(self.actor.id)

    def lora_name(self, version: int) -> str:
        return lora_file_name(self.store, self.artifacts, self.actor.id, self.actor.name, version)

    def register(self, version: int, lora: Path, base_model: str, steps: int, source_frames: list[str],
                 metrics: dict, accepted: bool) -> LoraVersion:
        self.store.add_lora_version(self.actor.id, version, str(lora), base_model, steps, source_frames, metrics,
                                    accepted)
        return next(v for v in lora_versions(self.store, self.actor.id) if v.version == version)
