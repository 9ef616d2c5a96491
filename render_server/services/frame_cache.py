"""The frame cache: a request identical to an earlier one (same scene data, prompt, seed and
backend) is answered with that job's frames at once, without the backend."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Optional

from shared_schema import Job, JobState, RenderRequest, dumps

from ..storage.job_store import JobStore


def request_digest(request: RenderRequest, backend: str) -> str:
    """What decides the pixels: everything but where the take belongs (board, parent, note). The
    project stays in: a frame cached in one project is never answered to another. ``backend``:
    BackendRegistry.cache_key (the name and the revision of its drawing)."""
    key = replace(request, board_id="", parent_job_id="", note="", note_id="", backend=backend)
    return hashlib.sha256(dumps(key).encode()).hexdigest()


def _copy_frames(source: Path, destination: Path, indices: list[int]) -> bool:
    destination.mkdir(parents=True, exist_ok=True)
    for index in indices:
        src, dst = source / f"{index}.png", destination / f"{index}.png"
        if not src.is_file():
            return False
        try:
            os.link(src, dst)  # same file, no copy; frames are never rewritten
        except OSError:
            shutil.copyfile(src, dst)
    return True


def answer_from_cache(store: JobStore, frames_dir: Path, request: RenderRequest, backend: str,
                      digest: str, author: str = "") -> Optional[tuple[Job, Job]]:
    """(new job, cached job) when an earlier job rendered this very request, else None. The take it
    refines is preferred, so an unchanged re-render names the take on show. (The digest recorded
    with each job is compared, not one made again from its request: it holds the revision of the
    backend's drawing that made the frames.)"""
    earlier = None
    parent = store.get(request.parent_job_id) if request.parent_job_id else None
    if parent is not None and parent.state is JobState.DONE and store.digest_of(parent.id) == digest:
        earlier = parent
    earlier = earlier or store.done_with_digest(digest)
    if earlier is None or len(earlier.frames) != request.variations:
        return None
    if not all((frames_dir / earlier.id / f"{f.index}.png").is_file() for f in earlier.frames):
        return None  # frames deleted from disk: render again
    job = store.create_done(request, backend, earlier.frames, f"answered from the frame cache ({earlier.id})",
                            request.parent_job_id, digest, author=author)
    if not _copy_frames(frames_dir / earlier.id, frames_dir / job.id, [f.index for f in earlier.frames]):
        return None
    return job, earlier
