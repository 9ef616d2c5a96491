"""Team mode: which worker holds which RUNNING job, and until when.

A worker claims a job by id (the Celery message carries only the id); the claim is a lease
that the worker's heartbeats and progress reports extend. The attempt number a claim returns
is a fencing token: every later write for the job carries it, and a worker whose lease ran out
(and whose job another worker took) is refused. The API, the only writer, expires leases:
a job whose worker stopped heartbeating is queued again, or failed once out of attempts.
"""

from __future__ import annotations

import time
from enum import Enum
from typing import Optional

from shared_schema import ErrorBody, EventKind, Job, JobKind, JobState, WorkerRef, dumps, loads

from .job_store import JobStore
from .transactions import immediate


class Claim(Enum):
    CLAIMED = "claimed"
    FINISHED = "finished"  # done, failed or cancelled: the message is acknowledged and dropped
    BUSY = "busy"  # running under another worker's live lease
    MISSING = "missing"


def worker_lost(attempts: int) -> ErrorBody:
    return ErrorBody(
        code="worker_lost",
        message=f"The workers running this job stopped {attempts} times before it finished.",
        hint="Check the workers' logs for a crash (out of memory?), then submit the shot again; "
             "BEATBOARD_MAX_ATTEMPTS sets how often a job is retried.")


class JobLeases:
    def __init__(self, store: JobStore):
        self.store = store

    def claim(self, job_id: str, worker: WorkerRef, lease_s: float, max_attempts: int) -> tuple[Claim, Optional[Job]]:
        """Take the job for ``worker``: a QUEUED job, or a RUNNING one whose lease ran out
        (its worker died). A job out of attempts is failed instead."""
        store, now = self.store, time.time()
        with store._lock, immediate(store._db) as db:
            row = db.execute("SELECT state, attempts, lease_until, cancel_requested, worker FROM jobs WHERE id = ?",
                             (job_id,)).fetchone()
            if row is None:
                return Claim.MISSING, None
            state = JobState(row["state"])
            if state.finished:
                outcome = Claim.FINISHED
            elif state is JobState.RUNNING and row["lease_until"] > now:
                # The same worker asking again (its first answer was lost on the way): the same attempt.
                same = row["worker"] and loads(WorkerRef, row["worker"]).name == worker.name
                outcome = Claim.CLAIMED if same else Claim.BUSY
            elif row["cancel_requested"]:
                self._finish(db, job_id, JobState.CANCELLED, "cancelled (its worker stopped while cancelling)")
                outcome = Claim.FINISHED
            elif row["attempts"] >= max_attempts:
                error = worker_lost(row["attempts"])
                self._finish(db, job_id, JobState.FAILED, error.message, error)
                outcome = Claim.FINISHED
            else:
                if state is JobState.RUNNING:
                    db.execute(*store._event_sql(job_id, EventKind.REQUEUED,
                                                 message="requeued: its worker stopped answering"))
                # The new attempt writes every frame again: none of a cut-short run's stay.
                db.execute("UPDATE jobs SET state = ?, attempts = attempts + 1, worker = ?, lease_until = ?, "
                           "frames = '[]', progress = 0, updated_at = ? WHERE id = ?",
                           (JobState.RUNNING.value, dumps(worker), now + lease_s, now, job_id))
                db.execute(*store._event_sql(job_id, EventKind.STARTED, message=f"started on {worker.host} "
                                             f"({worker.device})"))
                outcome = Claim.CLAIMED
        store._notify({job_id})
        return outcome, store.get(job_id)

    def holds(self, job_id: str, attempt: int, lease_s: float = 0.0) -> Optional[Job]:
        """The job if ``attempt`` still holds it (RUNNING, that attempt); extends the lease by ``lease_s``."""
        store = self.store
        with store._lock:
            if lease_s:
                updated = store._db.execute(
                    "UPDATE jobs SET lease_until = MAX(lease_until, ?) WHERE id = ? AND state = ? AND attempts = ?",
                    (time.time() + lease_s, job_id, JobState.RUNNING.value, attempt)).rowcount
            else:
                updated = store._db.execute("SELECT 1 FROM jobs WHERE id = ? AND state = ? AND attempts = ?",
                                            (job_id, JobState.RUNNING.value, attempt)).fetchone() is not None
        return store.get(job_id) if updated else None

    def expire(self, max_attempts: int) -> list[str]:
        """Queue again (or fail, out of attempts) every RUNNING job whose lease ran out. Returns
        the ids queued again: the caller publishes them."""
        store, now, requeued = self.store, time.time(), []
        with store._lock:
            rows = store._db.execute("SELECT id, attempts, cancel_requested FROM jobs WHERE state = ? "
                                     "AND lease_until < ?", (JobState.RUNNING.value, now)).fetchall()
        for row in rows:
            with store._lock, immediate(store._db) as db:
                still = db.execute("SELECT 1 FROM jobs WHERE id = ? AND state = ? AND lease_until < ?",
                                   (row["id"], JobState.RUNNING.value, now)).fetchone()
                if not still:
                    continue
                if row["cancel_requested"]:
                    self._finish(db, row["id"], JobState.CANCELLED, "cancelled (its worker stopped while cancelling)")
                elif row["attempts"] >= max_attempts:
                    error = worker_lost(row["attempts"])
                    self._finish(db, row["id"], JobState.FAILED, error.message, error)
                else:
                    db.execute("UPDATE jobs SET state = ?, frames = '[]', progress = 0, updated_at = ? WHERE id = ?",
                               (JobState.QUEUED.value, now, row["id"]))
                    db.execute(*store._event_sql(row["id"], EventKind.REQUEUED,
                                                 message="requeued: its worker stopped answering"))
                    requeued.append(row["id"])
            store._notify({row["id"]})
        return requeued

    def extend_all(self, lease_s: float) -> None:
        """At API start: the workers could not heartbeat while the API was down; give them a lease."""
        with self.store._lock:
            self.store._db.execute("UPDATE jobs SET lease_until = ? WHERE state = ?",
                                   (time.time() + lease_s, JobState.RUNNING.value))

    def queued(self) -> list[tuple[str, JobKind, str, str]]:
        """(id, kind, backend, parent_job_id) of every QUEUED job, oldest first: re-published at API start."""
        with self.store._lock:
            rows = self.store._db.execute("SELECT id, kind, backend, parent_job_id FROM jobs WHERE state = ? "
                                          "ORDER BY created_at", (JobState.QUEUED.value,)).fetchall()
        return [(r["id"], JobKind(r["kind"]), r["backend"], r["parent_job_id"]) for r in rows]

    def queue_position(self, job: Job) -> int:
        """1 for the next queued job of its kind (renders and LoRA training have queues of their
        own), in order of submission; 0 when the job is not queued."""
        if job.state is not JobState.QUEUED:
            return 0
        with self.store._lock:
            row = self.store._db.execute("SELECT COUNT(*) AS ahead FROM jobs WHERE state = ? AND kind = ? "
                                         "AND created_at < ?",
                                         (JobState.QUEUED.value, job.kind.value, job.created_at)).fetchone()
        return row["ahead"] + 1

    def _finish(self, db, job_id: str, state: JobState, message: str, error: Optional[ErrorBody] = None) -> None:
        kind = EventKind.ERROR if state is JobState.FAILED else EventKind.CANCELLED
        db.execute("UPDATE jobs SET state = ?, message = ?, error = ?, updated_at = ? WHERE id = ?",
                   (state.value, message, dumps(error) if error else None, time.time(), job_id))
        db.execute(*self.store._event_sql(job_id, kind, 0.0, message, error=error))

