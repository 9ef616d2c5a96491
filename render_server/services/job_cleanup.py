"""Deleting jobs with their frames, one at a time or all finished ones older than an age."""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from ..storage.job_store import JobStore

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_age(text: str) -> float:
    """'30d', '12h', '90m', '45s', '2w' or plain seconds, as seconds."""
    match = _DURATION.match(text.lower())
    if not match:
        raise ValueError(f"{text!r} is not an age: write a number and a unit, e.g. 30d, 12h, 90m")
    return float(match.group(1)) * _SECONDS[match.group(2)]


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else 0


def delete_frames(frames_dir: Path, job_id: str) -> int:
    """Remove a job's frame folder; the bytes freed."""
    folder = frames_dir / job_id
    freed = _size(folder)
    shutil.rmtree(folder, ignore_errors=True)
    return freed


@dataclass
class Collected:
    jobs: int = 0
    orphan_folders: int = 0
    bytes_freed: int = 0


def collect_garbage(store: JobStore, frames_dir: Path, older_than_s: float, now: float | None = None) -> Collected:
    """Delete finished jobs that last changed more than ``older_than_s`` ago, with their frames,
    and frame folders whose job no longer exists. Queued and running jobs are never touched."""
    result = Collected()
    cutoff = (time.time() if now is None else now) - older_than_s
    for job_id in store.finished_before(cutoff):
        if store.delete(job_id):
            result.jobs += 1
            result.bytes_freed += delete_frames(frames_dir, job_id)
    if frames_dir.is_dir():
        known = store.job_ids()
        for folder in frames_dir.iterdir():
            if folder.is_dir() and folder.name not in known and folder.stat().st_mtime < cutoff:
                result.orphan_folders += 1
                result.bytes_freed += delete_frames(frames_dir, folder.name)
    return result
