"""`beatboard worker`: a Celery worker whose task runs a job the API queued, over the API's HTTP.

One job at a time per pool process (prefetch 1), acknowledged when it ends (late acks,
rejected back onto the queue if the pool process dies). The task claims the job by id: a
job already running under another worker's live lease, or finished, is a no-op (the message
is acknowledged and dropped). The render step itself is services/job_steps.py, the same code
the embedded server's worker runs; only the sink differs (HTTP here).
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Optional

from celery import Celery
from celery.signals import worker_process_init, worker_process_shutdown
from PIL import Image

import shared_schema as wire
from shared_schema import ErrorBody, JobKind, JobState

from ..backends.base import BackendError
from ..services import job_steps
from .api_side import CANCEL_CHANNEL
from .celery_app import RUN_JOB, make_celery
from .remote_loras import fetch_loras
from .worker_api import ApiRefused, ApiUnreachable, WorkerApi

log = logging.getLogger("beatboard.worker")


# Progress goes to the API at most this often, the claim (the job's STARTED event, naming the
# worker) counting as the first report. A diffusion step takes longer than this, so each is
# reported; the millisecond steps of a previs frame would otherwise cost an HTTP call each.
# Cancels do not wait for a report: they come over pub/sub.
REPORT_EVERY_S = 0.1


class HttpSink:
    """A claimed job's progress, cancel, frames and end, over the API (the API writes them)."""

    def __init__(self, runtime: "WorkerRuntime", job_id: str, attempt: int):
        self.runtime, self.job_id, self.attempt = runtime, job_id, attempt
        self.cancel_requested = False
        self.lost = False  # the lease ran out and the job went elsewhere: stop, write nothing more
        self._reported_at = time.monotonic()  # the claim

    def report(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - self._reported_at < REPORT_EVERY_S:
            return
        self._reported_at = now
        try:
            answer = self.runtime.api.progress(self.job_id, self.attempt, fraction, message)
        except ApiRefused as exc:
            if exc.body.code != "lease_lost":
                raise
            self.lost = True
            return
        self.cancel_requested = self.cancel_requested or answer.cancel_requested

    def is_cancelled(self) -> bool:
        return self.cancel_requested or self.job_id in self.runtime.cancelled

    def stopping(self) -> bool:
        return self.lost

    def put_frame(self, index: int, image: Image.Image) -> None:
        self.runtime.api.put_frame(self.job_id, self.attempt, index, image)

    def finish(self, state: JobState, message: str, error: Optional[ErrorBody] = None) -> None:
        self.runtime.api.finish(self.job_id, self.attempt, state, message, error)


class WorkerRuntime:
    """What one pool process holds: the API client, its backends, its heartbeat and cancel listener."""

    def __init__(self, server_url: str, token: str, device: str, queues: list[str]):
        from ..backends.registry import BackendRegistry
        from ..settings import Settings

        self.api = WorkerApi(server_url, token)
        self.config = self.api.config()
        overrides = {"diffusers_device": device.split(":")[0] if device.startswith("cuda") else device} \
            if device else {}
        overrides["lora_dir"] = ""  # a job's LoRAs come from the API (remote_loras.py), never this machine's
        self.settings = Settings(data_dir=worker_data_dir(), **overrides)
        self.backends = BackendRegistry.from_settings(self.settings)
        self.ref = wire.WorkerRef(host=socket.gethostname(), device=device or "cpu",
                                  name=f"{socket.gethostname()}:{os.getpid()}")
        self.queues = queues
        self.current: tuple[str, int] = ("", 0)
        self.cancelled: set[str] = set()
        self._embedders: dict = {}
        self._stop = threading.Event()
        threading.Thread(target=self._heartbeats, name="beatboard-heartbeat", daemon=True).start()
        threading.Thread(target=self._listen_for_cancels, name="beatboard-cancels", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    # -- one job ----------------------------------------------------------------------------------
    def run(self, job_id: str) -> str:
        try:
            claimed = self.api.claim(job_id, self.ref)
        except ApiRefused as exc:
            if exc.body.code in ("job_running", "job_finished", "not_found"):
                return exc.body.code  # another worker has it, or it ended: acknowledge and drop
            raise
        job, sink = claimed.job, HttpSink(self, job_id, claimed.attempt)
        self.current = (job_id, claimed.attempt)
        try:
            if job.kind is JobKind.TRAIN_LORA:
                job_steps.guarded(job, sink, lambda ctx: self._train(job_id, claimed, sink, ctx))
            else:
                def work(ctx) -> None:
                    if claimed.request.plate_job:
                        self._fetch_plate(claimed.request)
                    loras = {}
                    if "loras" in self.backends.get(job.backend).info().capabilities:
                        loras = fetch_loras(self.api, self.settings.artifacts, job_id, claimed.attempt,
                                            claimed.request)
                    job_steps.render(job, claimed.request, self.backends, sink, loras)

                job_steps.guarded(job, sink, work)
        except ApiRefused as exc:
            if exc.body.code != "lease_lost":
                raise
            log.warning("job %s: lease lost (%s); dropped", job_id, exc.body.message)
            return "lease_lost"
        finally:
            self.current = ("", 0)
            self.cancelled.discard(job_id)
        return "lease_lost" if sink.lost else "ran"

    def _train(self, job_id: str, claimed: wire.WorkerClaimed, sink: HttpSink, ctx) -> None:
        """The embedded server's LoraTrainer, its data and its result going through the API."""
        from ..actors.errors import ActorStoreError
        from ..learning.lora_training import LoraTrainer, training_summary
        from .remote_training import RemoteTrainingSource

        folder = self.settings.artifacts.training_dir(job_id)
        try:
            source = RemoteTrainingSource.fetch(self.api, job_id, claimed.attempt, folder)
            # The trainer's own files (the new LoRA before its upload) go to the job's folder too.
            scratch = self.settings.model_copy(update={"data_dir": folder})
            trainer = LoraTrainer(scratch, None, self._embedder(source.bundle))
            steps = claimed.training.steps if claimed.training else 0
            try:
                version = trainer.train_from(source, steps, ctx)
            except ActorStoreError as exc:  # too few crops: the same error the embedded server gives
                raise BackendError(exc.code, exc.message, exc.hint) from None
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        sink.finish(JobState.DONE, training_summary(version))

    def _embedder(self, bundle: wire.WorkerTrainingBundle):
        """The API's CLIP model, so the scores compare drawings as the API's actor vectors do."""
        from ..actors.embedder import ClipEmbedder

        key = (bundle.clip_model, bundle.clip_checkpoint)
        if key not in self._embedders:
            missing = [value for value in key if value.endswith((".json", ".pt", ".bin", ".safetensors"))
                       and not Path(value).is_file()]
            if missing:
                raise BackendError("clip_missing", f"the API embeds actors with {missing[0]}, which is not on "
                                   "this worker", "copy that file to the same path on the worker machine, or "
                                   "set BEATBOARD_CLIP_MODEL / _CHECKPOINT on the API to a pretrained tag")
            self._embedders[key] = ClipEmbedder(*key)
        return self._embedders[key]

    def _fetch_plate(self, request: wire.RenderRequest) -> None:
        """A plate is an earlier job's frame on the API: fetched into this worker's own frame folder."""
        path = self.settings.artifacts.plate_path(request.plate_job, request.plate_frame)
        if not path.exists():
            try:
                data = self.api.download(f"/v1/jobs/{request.plate_job}/frames/{request.plate_frame}.png")
            except ApiRefused as exc:
                raise BackendError("plate_missing", f"the plate (job {request.plate_job}, frame "
                                   f"{request.plate_frame}) is not on the server ({exc.body.message})",
                                   "render the plate's shot again, or send the job without plate_job") from None
            self.settings.artifacts.write_atomic(path, lambda p: p.write_bytes(data))

    # -- background -----------------------------------------------------------------------------
    def _heartbeats(self) -> None:
        interval = max(0.1, self.config.lease_s / 3)
        while not self._stop.wait(interval):
            job_id, attempt = self.current
            beat = wire.WorkerHeartbeat(worker=self.ref, queues=self.queues, loaded_model=self._loaded_model(),
                                        current_job=job_id, attempt=attempt)
            try:
                self.api.heartbeat(beat)
            except Exception as exc:  # never let the heartbeat stop: the leases of long jobs hang on it
                log.warning("heartbeat: %s", exc)

    def _loaded_model(self) -> str:
        try:
            diffusers = self.backends.get("diffusers")
        except BackendError:
            return ""
        key = getattr(diffusers, "_key", None)  # (model source, ...) of the pipeline it holds
        return str(key[0]) if key else ""

    def _listen_for_cancels(self) -> None:
        """Redis pub/sub: a cancel reaches the running job at its next step, not its next report."""
        import redis

        while not self._stop.is_set():
            try:
                pubsub = redis.Redis.from_url(self.config.broker_url).pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CANCEL_CHANNEL)
                for message in pubsub.listen():
                    job_id = message["data"].decode()
                    if job_id == self.current[0]:
                        self.cancelled.add(job_id)
            except Exception as exc:  # Redis restarted: subscribe again (reports still carry cancels)
                log.debug("cancel listener: %s", exc)
                self._stop.wait(1.0)


def default_queues() -> list[str]:
    """render.previs, the family of BEATBOARD_DIFFUSERS_MODEL, and render.openai when it has a key."""
    from ..backends.diffusers_backend import DiffusersBackend
    from ..settings import Settings

    settings, queues = Settings(), ["render.previs"]
    if settings.diffusers_model:
        queues.insert(0, f"render.{DiffusersBackend._family(settings.diffusers_model)}")  # listened to first
    if settings.openai_api_key:
        queues.append("render.openai")
    return queues


def worker_data_dir():
    return Path(os.environ.get("BEATBOARD_WORKER_DATA_DIR") or Path.home() / ".cache" / "beatboard-worker")


# -- the Celery side --------------------------------------------------------------------------------
_runtime: Optional[WorkerRuntime] = None
_runtime_lock = threading.Lock()
_options: dict = {}


def runtime() -> WorkerRuntime:
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            _runtime = WorkerRuntime(**_options)
        return _runtime


@worker_process_init.connect
def _start_runtime(**_) -> None:
    # Built on a thread: a pool process must say it is up within seconds, and loading the
    # backends takes longer on a busy machine. The first task waits for it.
    if _options:
        threading.Thread(target=runtime, name="beatboard-runtime", daemon=True).start()


@worker_process_shutdown.connect
def _stop_runtime(**_) -> None:
    if _runtime is not None:
        _runtime.stop()


def register_task(app: Celery) -> None:
    @app.task(name=RUN_JOB, bind=True, acks_late=True, reject_on_worker_lost=True,
              autoretry_for=(ApiUnreachable,), retry_backoff=True, retry_backoff_max=60, max_retries=None)
    def run_job(self, job_id: str, kind: str = "", backend: str = "", family: str = "") -> str:
        return runtime().run(job_id)


def main(server_url: str, token: str, queues: list[str], device: str, concurrency: int, loglevel: str = "INFO") -> int:
    if device.startswith("cuda:"):  # this process sees one GPU, as "cuda"
        os.environ["CUDA_VISIBLE_DEVICES"] = device.split(":", 1)[1]
    _options.update(server_url=server_url, token=token, device=device, queues=queues)
    config = WorkerApi(server_url, token, give_up_after_s=60.0).config()
    app = make_celery(config.broker_url, config.visibility_timeout_s, config.restore_interval_s)
    register_task(app)
    name = f"beatboard-{socket.gethostname()}-{os.getpid()}@{socket.gethostname()}"
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per API call
    # prefork: one job at a time in each pool process, each with its own name (host:pid) for the claim.
    app.worker_main(["worker", f"--loglevel={loglevel}", "-Q", ",".join(queues), "-c", str(concurrency),
                     "-P", "prefork", "--prefetch-multiplier=1", "-n", name, "--without-mingle", "--without-gossip"])
    return 0
