"""Jobs and their events in one SQLite file (WAL): a killed server loses nothing committed."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Callable, Optional

from shared_schema import (
    ErrorBody,
    EventKind,
    Frame,
    Job,
    JobEvent,
    JobKind,
    JobState,
    RenderRequest,
    WorkerRef,
    from_dict,
    loads,
    dumps,
    to_dict,
)

from .transactions import connect, write_all

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    request TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    shot_number TEXT NOT NULL DEFAULT '',
    backend TEXT NOT NULL DEFAULT '',
    frames TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, created_at);
CREATE TABLE IF NOT EXISTS events (
    job_id TEXT NOT NULL REFERENCES jobs(id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at REAL NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    frame TEXT,
    error TEXT,
    PRIMARY KEY (job_id, seq)
);
"""


class JobStore:
    def __init__(self, path: Path):
        self._lock = threading.Lock()
        self._db = connect(path, _SCHEMA)
        _add_idempotency_columns(self._db)
        self._migrate()
        # Long-polls and SSE streams wait on these instead of polling SQLite (see ``watch``).
        self._watch_lock = threading.Lock()
        self._watchers: dict[str, set[Callable[[], None]]] = {}

    def _migrate(self) -> None:
        """Columns added after the first release, added in place to older databases."""
        have = {row["name"] for row in self._db.execute("PRAGMA table_info(jobs)")}
        for column in ("parent_job_id", "request_digest", "worker"):
            if column not in have:
                self._db.execute(f"ALTER TABLE jobs ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
        if "lease_until" not in have:  # team mode: a worker holds a RUNNING job until then (storage/job_leases.py)
            self._db.execute("ALTER TABLE jobs ADD COLUMN lease_until REAL NOT NULL DEFAULT 0")
        self._db.execute("CREATE INDEX IF NOT EXISTS jobs_digest ON jobs(request_digest)")
        # 1.3: every job belongs to a project; the jobs of a single-user folder move into the default one.
        if "project" not in have:
            self._db.execute("ALTER TABLE jobs ADD COLUMN project TEXT NOT NULL DEFAULT 'default'")
            self._db.execute("ALTER TABLE jobs ADD COLUMN author TEXT NOT NULL DEFAULT ''")
        self._db.execute("CREATE INDEX IF NOT EXISTS jobs_project ON jobs(project, created_at)")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- event notification -------------------------------------------------------
    def watch(self, job_id: str, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` (from the writing thread) after each committed event of the job.

        Returns the function that stops watching. Callbacks must be quick and thread-safe,
        e.g. ``lambda: loop.call_soon_threadsafe(flag.set)``.
        """
        with self._watch_lock:
            self._watchers.setdefault(job_id, set()).add(callback)

        def unwatch() -> None:
            with self._watch_lock:
                callbacks = self._watchers.get(job_id)
                if callbacks is not None:
                    callbacks.discard(callback)
                    if not callbacks:
                        del self._watchers[job_id]
        return unwatch

    # Team mode sets this to publish each commit on Redis, so other API processes wake their
    # waiters too (render_server/team/job_events.py); ``wake`` is what such a message calls.
    on_commit: Optional[Callable[[set], None]] = None

    def _notify(self, job_ids) -> None:
        self.wake(job_ids)
        if self.on_commit is not None:
            self.on_commit(set(job_ids))

    def wake(self, job_ids) -> None:
        """Call the watchers of these jobs (after a commit here, or one another process announced)."""
        with self._watch_lock:
            callbacks = [cb for job_id in job_ids for cb in self._watchers.get(job_id, ())]
        for callback in callbacks:
            callback()

    # -- writes -----------------------------------------------------------------
    def _write(self, sql_and_params: list[tuple[str, tuple]]) -> None:
        with self._lock:
            write_all(self._db, sql_and_params)
        self._notify({params[0] for sql, params in sql_and_params if sql.startswith(_EVENT_INSERT)})

    def _event_sql(self, job_id: str, kind: EventKind, progress: float = 0.0, message: str = "",
                   frame: Optional[Frame] = None, error: Optional[ErrorBody] = None) -> tuple[str, tuple]:
        return (
            _EVENT_INSERT + "(job_id, seq, kind, at, progress, message, frame, error) VALUES "
            "(?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE job_id = ?), ?, ?, ?, ?, ?, ?)",
            (job_id, job_id, kind.value, time.time(), progress, message,
             _frame_without_prompt(frame) if frame else None, dumps(error) if error else None),
        )

    def create(self, request: RenderRequest, backend: str, idempotency_key: str = "", fingerprint: str = "",
               author: str = "") -> Job:
        """Store a queued job. With an idempotency key already used, nothing is stored and the
        job first made with that key is returned (see ``by_idempotency_key`` for its fingerprint)."""
        job_id = uuid.uuid4().hex[:16]
        now = time.time()
        try:
            self._write([
                ("INSERT INTO jobs(id, kind, state, request, created_at, updated_at, shot_number, backend, "
                 "idempotency_key, fingerprint, project, author) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (job_id, JobKind.RENDER.value, JobState.QUEUED.value, dumps(request), now, now,
                  request.shot_number, backend, idempotency_key or None, fingerprint, request.project or "default",
                  author)),
                self._event_sql(job_id, EventKind.QUEUED, message="queued"),
            ])
        except sqlite3.IntegrityError:
            if not idempotency_key:
                raise
            return self.by_idempotency_key(idempotency_key)[0]  # a concurrent retry stored it first
        return self.get(job_id)

    def by_idempotency_key(self, key: str) -> Optional[tuple[Job, str]]:
        """The job made with this key and the fingerprint of the request that made it."""
        with self._lock:
            row = self._db.execute(f"SELECT {_JOB_COLUMNS}, fingerprint FROM jobs WHERE idempotency_key = ?",
                                   (key,)).fetchone()
        return (_job_from_row(row), row["fingerprint"]) if row else None

    def link(self, job_id: str, parent_job_id: str, request_digest: str) -> None:
        """Record which take a job refines and the digest of its request (the frame cache key)."""
        self._write([("UPDATE jobs SET parent_job_id = ?, request_digest = ? WHERE id = ?",
                      (parent_job_id, request_digest, job_id))])

    def digest_of(self, job_id: str) -> str:
        """The frame cache key recorded for the job's request ("" for none)."""
        with self._lock:
            row = self._db.execute("SELECT request_digest FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return (row["request_digest"] or "") if row else ""

    def done_with_digest(self, request_digest: str) -> Optional[Job]:
        """The newest finished job whose request had this digest (same request, same seed)."""
        with self._lock:
            row = self._db.execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE request_digest = ? AND state = ? "
                                   "ORDER BY created_at DESC LIMIT 1", (request_digest, JobState.DONE.value)).fetchone()
        return _job_from_row(row) if row else None

    def create_done(self, request: RenderRequest, backend: str, frames: list[Frame], message: str,
                    parent_job_id: str, request_digest: str, author: str = "") -> Job:
        """A job answered without the worker (from the frame cache): stored DONE with its frames."""
        job_id = uuid.uuid4().hex[:16]
        now = time.time()
        frames = [Frame(**{**to_dict(f), "url": f"/v1/jobs/{job_id}/frames/{f.index}.png"}) for f in frames]
        self._write([
            ("INSERT INTO jobs(id, kind, state, request, created_at, updated_at, shot_number, backend, frames, "
             "progress, message, parent_job_id, request_digest, project, author) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)",
             (job_id, JobKind.RENDER.value, JobState.DONE.value, dumps(request), now, now, request.shot_number,
              backend, json.dumps([_stored_frame(f) for f in frames]), message, parent_job_id, request_digest,
              request.project or "default", author)),
            self._event_sql(job_id, EventKind.DONE, 1.0, message),
        ])
        return self.get(job_id)

    def create_training(self, actor_id: str, actor_name: str, steps: int, reason: str,
                        project: str = "default", author: str = "") -> Optional[Job]:
        """Queue a LoRA training job for the actor; None if one is already queued or running."""
        request = json.dumps({"actor_id": actor_id, "steps": steps, "reason": reason})
        job_id = uuid.uuid4().hex[:16]
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                busy = self._db.execute(
                    "SELECT 1 FROM jobs WHERE kind = ? AND state IN (?, ?) AND json_extract(request, '$.actor_id') = ?",
                    (JobKind.TRAIN_LORA.value, JobState.QUEUED.value, JobState.RUNNING.value, actor_id)).fetchone()
                if busy:
                    self._db.execute("ROLLBACK")
                    return None
                self._db.execute(
                    "INSERT INTO jobs(id, kind, state, request, created_at, updated_at, shot_number, backend, "
                    "project, author) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (job_id, JobKind.TRAIN_LORA.value, JobState.QUEUED.value, request, now, now, actor_name,
                     "lora-trainer", project, author))
                self._db.execute(*self._event_sql(job_id, EventKind.QUEUED, message=f"queued: {reason}"))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return self.get(job_id)

    def training_request_of(self, job_id: str) -> dict:
        with self._lock:
            row = self._db.execute("SELECT request FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return json.loads(row["request"])

    def claim_next(self, kinds: tuple[JobKind, ...] = tuple(JobKind)) -> Optional[Job]:
        """Atomically move the next queued job to RUNNING and return it: renders first, then
        training, each oldest first (training only ever uses the GPU when no render waits).
        One statement picks and takes the job, so two claimers (threads or processes on the
        same file) never get the same one."""
        marks = ",".join("?" * len(kinds))
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                taken = self._db.execute(
                    "UPDATE jobs SET state = ?, attempts = attempts + 1, updated_at = ? "
                    f"WHERE id = (SELECT id FROM jobs WHERE state = ? AND kind IN ({marks}) "
                    "ORDER BY CASE kind WHEN ? THEN 0 ELSE 1 END, created_at LIMIT 1) AND state = ? RETURNING id",
                    (JobState.RUNNING.value, time.time(), JobState.QUEUED.value, *(k.value for k in kinds),
                     JobKind.RENDER.value, JobState.QUEUED.value),
                ).fetchall()  # read to the end before the commit
                row = taken[0] if taken else None
                if row is not None:
                    self._db.execute(*self._event_sql(row["id"], EventKind.STARTED, message="started"))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        if row is None:
            return None
        self._notify({row["id"]})
        return self.get(row["id"])

    def progress(self, job_id: str, fraction: float, message: str) -> None:
        self._write([
            ("UPDATE jobs SET progress = ?, message = ?, updated_at = ? WHERE id = ?",
             (fraction, message, time.time(), job_id)),
            self._event_sql(job_id, EventKind.PROGRESS, fraction, message),
        ])

    def add_frame(self, job_id: str, frame: Frame) -> None:
        """Record a written frame; a frame of the same index (from a run a crash cut short) is
        replaced, never doubled. Read and write in one transaction."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT frames, progress FROM jobs WHERE id = ?", (job_id,)).fetchone()
                frames = [f for f in json.loads(row["frames"]) if f["index"] != frame.index] + [_stored_frame(frame)]
                frames.sort(key=lambda f: f["index"])
                self._db.execute("UPDATE jobs SET frames = ?, updated_at = ? WHERE id = ?",
                                 (json.dumps(frames), time.time(), job_id))
                self._db.execute(*self._event_sql(job_id, EventKind.FRAME, row["progress"], f"frame {frame.index}",
                                                  frame=frame))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        self._notify({job_id})

    def finish(self, job_id: str, state: JobState, message: str, error: Optional[ErrorBody] = None) -> None:
        kind = {JobState.DONE: EventKind.DONE, JobState.FAILED: EventKind.ERROR,
                JobState.CANCELLED: EventKind.CANCELLED}[state]
        progress = 1.0 if state is JobState.DONE else None
        self._write([
            ("UPDATE jobs SET state = ?, message = ?, error = ?, updated_at = ?, progress = COALESCE(?, progress) "
             "WHERE id = ?",
             (state.value, message, dumps(error) if error else None, time.time(), progress, job_id)),
            self._event_sql(job_id, kind, progress or 0.0, message, error=error),
        ])

    def request_cancel(self, job_id: str) -> Optional[Job]:
        job = self.get(job_id)
        if job is None or job.state.finished:
            return job
        if job.state is JobState.QUEUED:
            self.finish(job_id, JobState.CANCELLED, "cancelled before it started")
        else:
            self._write([("UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?", (time.time(), job_id))])
        return self.get(job_id)

    def cancel_requested(self, job_id: str) -> bool:
        with self._lock:
            row = self._db.execute("SELECT cancel_requested FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return bool(row and row["cancel_requested"])

    def recover_interrupted(self, max_attempts: int) -> list[str]:
        """After a crash: requeue jobs that were RUNNING, or fail those out of attempts."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, attempts, cancel_requested FROM jobs WHERE state = ?", (JobState.RUNNING.value,)
            ).fetchall()
        recovered = []
        for row in rows:
            if row["cancel_requested"]:
                self.finish(row["id"], JobState.CANCELLED, "cancelled (the server stopped while cancelling)")
            elif row["attempts"] >= max_attempts:
                error = ErrorBody(
                    code="worker_lost",
                    message=f"The server stopped {row['attempts']} times while rendering this job.",
                    hint="Check the server log for a crash (out of memory?), then submit the shot again.",
                )
                self.finish(row["id"], JobState.FAILED, error.message, error)
            else:
                self._write([  # the rerun writes every frame again: none of the cut-short run's stay
                    ("UPDATE jobs SET state = ?, frames = '[]', progress = 0, updated_at = ? "
                     "WHERE id = ? AND state = ?",
                     (JobState.QUEUED.value, time.time(), row["id"], JobState.RUNNING.value)),
                    self._event_sql(row["id"], EventKind.REQUEUED, message="requeued after a server restart"),
                ])
            recovered.append(row["id"])
        return recovered

    # -- reads ------------------------------------------------------------------
    def get(self, job_id: str) -> Optional[Job]:
        with self._lock:
            row = self._db.execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job_from_row(row) if row else None

    def request_of(self, job_id: str) -> RenderRequest:
        with self._lock:
            row = self._db.execute("SELECT request FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return loads(RenderRequest, row["request"])

    def list(self, state: Optional[JobState] = None, limit: int = 100,
             projects: Optional[set[str]] = None) -> list[Job]:
        """The newest jobs, of these projects only when ``projects`` is given (None: every project)."""
        where, params = [], ()
        if state is not None:
            where, params = ["state = ?"], (state.value,)
        if projects is not None:
            where.append(f"project IN ({','.join('?' * len(projects))})" if projects else "0")
            params += tuple(sorted(projects))
        sql = f"SELECT {_JOB_COLUMNS} FROM jobs" + (" WHERE " + " AND ".join(where) if where else "")
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY created_at DESC LIMIT ?", params + (limit,)).fetchall()
        return [_job_from_row(r) for r in rows]

    def project_of(self, job_id: str) -> Optional[str]:
        with self._lock:
            row = self._db.execute("SELECT project FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return row["project"] if row else None

    def events(self, job_id: str, after: int = 0) -> list[JobEvent]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM events WHERE job_id = ? AND seq > ? ORDER BY seq", (job_id, after)
            ).fetchall()
            prompt = self._prompt_of(job_id) if any(r["frame"] for r in rows) else ""
        return [
            JobEvent(
                seq=r["seq"], job_id=r["job_id"], kind=EventKind(r["kind"]), at=r["at"], progress=r["progress"],
                message=r["message"],
                frame=_with_prompt(loads(Frame, r["frame"]), prompt) if r["frame"] else None,
                error=loads(ErrorBody, r["error"]) if r["error"] else None,
            )
            for r in rows
        ]

    def _prompt_of(self, job_id: str) -> str:
        row = self._db.execute("SELECT json_extract(request, '$.prompt') AS prompt FROM jobs WHERE id = ?",
                               (job_id,)).fetchone()
        return (row["prompt"] or "") if row else ""

    # -- deleting -----------------------------------------------------------------
    def delete(self, job_id: str) -> bool:
        """Delete a finished job and its events; False if it is queued or running (or gone)."""
        finished = tuple(s.value for s in JobState if s.finished)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                deleted = self._db.execute(
                    f"DELETE FROM jobs WHERE id = ? AND state IN ({','.join('?' * len(finished))})",
                    (job_id, *finished)).rowcount
                if deleted:
                    self._db.execute("DELETE FROM events WHERE job_id = ?", (job_id,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return bool(deleted)

    def finished_before(self, timestamp: float) -> list[str]:
        """Ids of jobs that finished (DONE, FAILED, CANCELLED) and last changed before ``timestamp``."""
        finished = tuple(s.value for s in JobState if s.finished)
        with self._lock:
            rows = self._db.execute(
                f"SELECT id FROM jobs WHERE updated_at < ? AND state IN ({','.join('?' * len(finished))})",
                (timestamp, *finished)).fetchall()
        return [r["id"] for r in rows]

    def job_ids(self) -> set[str]:
        with self._lock:
            return {r["id"] for r in self._db.execute("SELECT id FROM jobs")}


_EVENT_INSERT = "INSERT INTO events"
# A job as clients see it: never the request column, which holds the conditioning (megabytes).
_JOB_COLUMNS = ("id, kind, state, progress, message, created_at, updated_at, attempts, shot_number, backend, "
                "parent_job_id, project, author, worker, "
                "frames, error, json_extract(request, '$.prompt') AS prompt")


def _stored_frame(frame: Frame) -> dict:
    """A frame as stored: the prompt lives once, in the job's request, not in every frame and event."""
    data = to_dict(frame)
    data.pop("prompt", None)
    return data


def _frame_without_prompt(frame: Frame) -> str:
    return json.dumps(_stored_frame(frame), separators=(",", ":"))


def _with_prompt(frame: Frame, prompt: str) -> Frame:
    if not frame.prompt:
        frame.prompt = prompt
    return frame


def _add_idempotency_columns(db: sqlite3.Connection) -> None:
    """Migration: POST /v1/jobs retried with the same Idempotency-Key returns the same job, and
    the database itself refuses a job holding two frames of one index (as UNIQUE(job, index)
    would, for frames kept as a JSON list)."""
    columns = {r["name"] for r in db.execute("PRAGMA table_info(jobs)")}
    if "idempotency_key" not in columns:
        db.execute("ALTER TABLE jobs ADD COLUMN idempotency_key TEXT")
        db.execute("ALTER TABLE jobs ADD COLUMN fingerprint TEXT NOT NULL DEFAULT ''")
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS jobs_idempotency_key ON jobs(idempotency_key) "
               "WHERE idempotency_key IS NOT NULL")
    db.execute("CREATE TRIGGER IF NOT EXISTS jobs_one_frame_per_index BEFORE UPDATE OF frames ON jobs "
               "WHEN (SELECT COUNT(*) FROM json_each(NEW.frames)) != "
               "(SELECT COUNT(DISTINCT json_extract(value, '$.index')) FROM json_each(NEW.frames)) "
               "BEGIN SELECT RAISE(ABORT, 'a job cannot hold two frames of one index'); END")


def _job_from_row(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"], kind=JobKind(row["kind"]), state=JobState(row["state"]), progress=row["progress"],
        message=row["message"], created_at=row["created_at"], updated_at=row["updated_at"],
        attempts=row["attempts"], shot_number=row["shot_number"], backend=row["backend"],
        frames=[_with_prompt(from_dict(Frame, f), row["prompt"] or "") for f in json.loads(row["frames"])],
        error=loads(ErrorBody, row["error"]) if row["error"] else None,
        parent_job_id=row["parent_job_id"], project=row["project"], author=row["author"],
        worker=loads(WorkerRef, row["worker"]) if row["worker"] else None,
    )
