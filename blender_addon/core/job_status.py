"""The one line the panel shows for a shot's job: where it waits in the queue, or who renders it.

A team-mode server (render pool) answers a queued job's place in line and the worker running
it (``Job.queue_position``, ``Job.worker``, schema 1.3); an embedded server leaves both empty,
and the line is what it always was.
"""

from __future__ import annotations

from typing import Optional

from .wire import wire


def job_status_line(shot_number: str, job: Optional["wire.Job"], last_message: str) -> str:
    text = f"shot {shot_number}: {last_message or 'waiting'}"
    if job is None:
        return text
    if job.state is wire.JobState.QUEUED and job.queue_position:
        ahead = job.queue_position - 1
        return f"shot {shot_number}: queued, " + ("next" if ahead == 0 else f"{ahead} job{'s' * (ahead != 1)} ahead")
    if job.state is wire.JobState.RUNNING and job.worker is not None and job.worker.host:
        return f"{text} (on {job.worker.host}, {job.worker.device})"
    return text
