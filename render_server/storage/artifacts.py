"""Where every file the server keeps lives, and how it is written so a crash leaves no half file.

    DATA_DIR/frames/JOB/INDEX.png              rendered frames (also the plates later shots reuse)
    DATA_DIR/actors/ACTOR/ref_DIGEST.png       an actor's reference images
    DATA_DIR/actors/ACTOR/approved/REF.png     crops of an actor from approved frames (LoRA data)
    DATA_DIR/loras/NAME@vN.safetensors         trained actor LoRAs
    DATA_DIR/loras/.uploads/JOB.safetensors    a team worker's LoRA, uploaded, not yet registered
    DATA_DIR/reward/reward_STAMP.npz           reward models
    DATA_DIR/training/JOB/                     a team worker's copies for a training job (removed after)
    DATA_DIR/lora-cache/NAME/TAG.safetensors   a team worker's copy of the API's LoRA NAME (TAG: its ETag)

Files are written under a temporary name in the same folder and renamed into place
(``os.replace`` is atomic on one file system): a reader sees the whole file or none.
``staged`` lets a caller commit database rows between the write and the rename.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator


class ArtifactStore:
    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)

    # -- frames (and plates: a plate is an earlier job's frame) ---------------------------------
    @property
    def frames_dir(self) -> Path:
        return self.data_dir / "frames"

    def frame_path(self, job_id: str, index: int) -> Path:
        return self.frames_dir / job_id / f"{int(index)}.png"

    plate_path = frame_path

    # -- actors ---------------------------------------------------------------------------------
    @property
    def actors_dir(self) -> Path:
        return self.data_dir / "actors"

    def reference_path(self, actor_id: str, digest: str) -> Path:
        return self.actors_dir / actor_id / f"ref_{digest[:16]}.png"

    def approved_dir(self, actor_id: str) -> Path:
        return self.actors_dir / actor_id / "approved"

    def crop_path(self, actor_id: str, frame_ref: str) -> Path:
        """The actor's crop of an approved frame; ``frame_ref`` is JOB/INDEX."""
        return self.approved_dir(actor_id) / f"{frame_ref.replace('/', '_')}.png"

    def approved_crops(self, actor_id: str, approved_refs: set[str]) -> list[Path]:
        """The crops of frames whose approval committed: a crop renamed into place by a feedback
        that a crash then cut short (its rows never committed) is not training data."""
        paths = (self.crop_path(actor_id, ref) for ref in approved_refs)
        return sorted(p for p in paths if p.is_file())

    # -- learned models ---------------------------------------------------------------------------
    @property
    def lora_dir(self) -> Path:
        return self.data_dir / "loras"

    def lora_path(self, name: str) -> Path:
        """A trained LoRA by its versioned name, NAME@vN."""
        return self.lora_dir / f"{name}.safetensors"

    def lora_upload_path(self, job_id: str) -> Path:
        """A LoRA a team-mode worker uploaded for training job ``job_id``, until it is registered."""
        return self.lora_dir / ".uploads" / f"{job_id}.safetensors"

    def training_dir(self, job_id: str) -> Path:
        """A team-mode worker's folder for one training job: the crops, the LoRAs (removed when it ends)."""
        return self.data_dir / "training" / job_id

    def lora_cache_dir(self, name: str) -> Path:
        """A team-mode render worker's copies of the API's LoRA ``name``, one per version of the file."""
        return self.data_dir / "lora-cache" / name

    def lora_cache_path(self, name: str, tag: str) -> Path:
        """The copy of the API's LoRA ``name`` whose ETag is ``tag`` (hex)."""
        return self.lora_cache_dir(name) / f"{tag}.safetensors"

    def reward_path(self, stamp: int) -> Path:
        return self.data_dir / "reward" / f"reward_{int(stamp)}.npz"

    # -- writing ----------------------------------------------------------------------------------
    @staticmethod
    def _temporary(path: Path) -> Path:
        # Same folder (so the rename stays on one file system); suffix kept for writers that look at it.
        return path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.tmp{path.suffix}")

    @contextmanager
    def staged(self, path: Path, write: Callable[[Path], None]) -> Iterator[Path]:
        """Write to a temporary file, yield (the caller stores its rows), then rename into place;
        on an error the temporary file is removed and ``path`` is untouched.

        Used inside a database transaction, the rename comes just before the commit: a crash
        leaves at worst a file that no row names (rewritten by a retry), never a row naming a
        missing or half-written file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._temporary(path)
        try:
            write(temporary)
            yield path
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)

    def write_atomic(self, path: Path, write: Callable[[Path], None]) -> Path:
        with self.staged(path, write):
            pass
        return path
