"""The one worker that owns the GPU: takes queued jobs in order and runs them."""

from __future__ import annotations

import logging
import threading

from shared_schema import Job, JobKind, JobState

from ..backends.base import BackendError, RenderContext
from ..backends.registry import BackendRegistry
from . import job_steps
from .job_steps import LocalSink
from ..storage.artifacts import ArtifactStore
from ..storage.job_store import JobStore

log = logging.getLogger("beatboard.worker")


class RenderWorker:
    def __init__(self, store: JobStore, backends: BackendRegistry, artifacts: ArtifactStore):
        self.store = store
        self.backends = backends
        self.artifacts = artifacts
        self.trainer = None  # a LoraTrainer, when the server trains actor LoRAs
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="beatboard-render-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        # Warming is seconds of imports. On its own thread it cannot hold up a shutdown that
        # comes first (the worker's join would wait it out); a job that comes first waits for
        # the imports it needs either way.
        threading.Thread(target=self.backends.warm, name="beatboard-warm", daemon=True).start()
        while not self._stop.is_set():
            job = self.store.claim_next()
            if job is None:
                self._wake.wait(timeout=1.0)
                self._wake.clear()
                continue
            self.run_one(job)

    def run_one(self, job: Job) -> None:
        sink = LocalSink(self.store, self.artifacts, job, self._stop.is_set)
        if job.kind is JobKind.TRAIN_LORA:
            job_steps.guarded(job, sink, lambda ctx: self._train(job, ctx))
        else:
            sink.request = self.store.request_of(job.id)
            job_steps.guarded(job, sink, lambda ctx: job_steps.render(job, sink.request, self.backends, sink))

    def _run_waiting_renders(self) -> None:
        """Between training steps: renders that arrived meanwhile run now, on this same thread."""
        while not self._stop.is_set():
            job = self.store.claim_next(kinds=(JobKind.RENDER,))
            if job is None:
                return
            self.run_one(job)

    def _train(self, job: Job, ctx: RenderContext) -> None:
        if self.trainer is None:
            raise BackendError("model_missing", "this server does not train LoRAs",
                               "set BEATBOARD_DIFFUSERS_MODEL to an SD 1.5 model folder or hub id")
        from ..actors.store import ActorStoreError
        from ..learning.lora_training import training_summary

        request = self.store.training_request_of(job.id)
        try:
            version = self.trainer.train(request["actor_id"], int(request.get("steps") or 0), ctx,
                                         between_steps=self._run_waiting_renders)
        except ActorStoreError as exc:
            raise BackendError(exc.code, exc.message, exc.hint) from None
        self.store.finish(job.id, JobState.DONE, training_summary(version))
