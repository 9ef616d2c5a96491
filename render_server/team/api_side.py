"""The API's half of team mode: publish job ids, expire leases, know the live workers, cancel.

The job store stays the truth: a job is committed QUEUED before its id is published, every
QUEUED job is published again at start (Redis may have restarted without it), and a publish
that failed (Redis down) is retried by the same loop that expires leases. Workers drop ids of
jobs that are already running elsewhere or finished, so publishing twice is harmless.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Optional

from shared_schema import Job, JobKind, WorkerHeartbeat, WorkerStatus

from ..backends.registry import BackendRegistry
from ..settings import Settings
from ..storage.job_leases import JobLeases
from ..storage.job_store import JobStore
from .celery_app import RUN_JOB, make_celery
from .routing import priority_for

log = logging.getLogger("beatboard.team")

CANCEL_CHANNEL = "beatboard:cancel"


class TeamApi:
    def __init__(self, settings: Settings, store: JobStore, backends: BackendRegistry):
        self.settings = settings
        self.store = store
        self.backends = backends
        self.leases = JobLeases(store)
        self.celery = make_celery(settings.broker_url, settings.broker_visibility_timeout_s,
                                  settings.broker_restore_interval_s)
        self._unpublished: set[str] = set()
        self._workers: dict[str, WorkerStatus] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="beatboard-team-leases", daemon=True)
        self._redis = None
        from .job_events import JobEventBus

        self.events = JobEventBus(settings.broker_url, store)

    # -- life ---------------------------------------------------------------------------------
    def start(self) -> None:
        # The workers could not heartbeat while the API was down, and they retry with pauses of up
        # to 5 s (team/worker_api.py): their jobs get that long to check in before they are requeued.
        self.leases.extend_all(self.settings.worker_lease_s + 10.0)
        queued = self.leases.queued()
        for job_id, kind, backend, parent in queued:
            self._publish(job_id, kind.value, backend, parent)
        if queued:
            log.info("published %d queued job(s) again at start", len(queued))
        self._thread.start()
        self.events.start()

    def stop(self) -> None:
        self._stop.set()
        self.events.stop()
        self._thread.join(5.0)

    def _loop(self) -> None:
        interval = max(0.2, self.settings.worker_lease_s / 4)
        while not self._stop.wait(interval):
            try:
                for job_id in self.leases.expire(self.settings.max_attempts):
                    log.warning("job %s: its worker stopped heartbeating; queued again", job_id)
                    self.dispatch(self.store.get(job_id))
                with self._lock:
                    retry, self._unpublished = self._unpublished, set()
                for job_id in retry:
                    job = self.store.get(job_id)
                    if job is not None and not job.state.finished:
                        self.dispatch(job)
            except Exception:  # keep expiring leases whatever one pass met
                log.exception("team lease loop")

    # -- publishing ---------------------------------------------------------------------------
    def dispatch(self, job: Optional[Job]) -> None:
        if job is not None:
            self._publish(job.id, job.kind.value, job.backend, job.parent_job_id)

    def _publish(self, job_id: str, kind: str, backend: str, parent_job_id: str) -> None:
        try:
            self.celery.send_task(RUN_JOB, kwargs={"job_id": job_id, "kind": kind, "backend": backend,
                                                   "family": self._family(kind, backend)},
                                  priority=priority_for(kind, parent_job_id),
                                  retry_policy={"max_retries": 1, "interval_start": 0.1})
        except Exception as exc:  # Redis down: the job is stored; the lease loop publishes it later
            log.warning("could not queue job %s on the broker (%s); will retry", job_id, exc)
            with self._lock:
                self._unpublished.add(job_id)

    def _family(self, kind: str, backend: str) -> str:
        if kind != JobKind.RENDER.value or backend != "diffusers":
            return ""
        diffusers = self.backends.get("diffusers")
        source = getattr(diffusers, "model_source", "")
        return diffusers._family(source) if source else "sd15"

    # -- cancel -------------------------------------------------------------------------------
    def cancelled(self, job_id: str) -> None:
        """Tell the worker running the job at once (Redis pub/sub); its next progress report
        would tell it too."""
        try:
            self._pubsub_client().publish(CANCEL_CHANNEL, job_id)
        except Exception as exc:
            log.warning("could not publish the cancel of job %s (%s); the worker sees it at its next report",
                        job_id, exc)

    def _pubsub_client(self):
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(self.settings.broker_url, socket_timeout=2.0)
        return self._redis

    # -- workers --------------------------------------------------------------------------------
    def heartbeat(self, beat: WorkerHeartbeat) -> None:
        with self._lock:
            self._workers[beat.worker.name] = WorkerStatus(worker=beat.worker, queues=beat.queues,
                                                           loaded_model=beat.loaded_model,
                                                           current_job=beat.current_job, last_heartbeat=time.time())
        if beat.current_job:
            self.leases.holds(beat.current_job, beat.attempt, self.settings.worker_lease_s)

    def workers(self) -> list[WorkerStatus]:
        """Workers heard from within three leases, most recent first."""
        horizon = time.time() - 3 * self.settings.worker_lease_s
        with self._lock:
            for name in [n for n, w in self._workers.items() if w.last_heartbeat < horizon]:
                del self._workers[name]
            return sorted(self._workers.values(), key=lambda w: -w.last_heartbeat)
