"""Running one claimed job: the step the in-process worker and a team-mode worker share.

Where a job's progress, cancel flag, frames and end go is a ``JobSink``: the local job and
artifact stores (embedded mode, services/worker.py), or the API over HTTP (team mode,
render_server/team/http_sink.py). The backend code and the error handling are this one copy.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Optional, Protocol

from PIL import Image

from shared_schema import ErrorBody, Frame, Job, JobState, RenderRequest

from ..backends.base import BackendError, JobCancelled, RenderContext
from ..backends.registry import BackendRegistry
from ..storage.artifacts import ArtifactStore
from ..storage.job_store import JobStore

log = logging.getLogger("beatboard.worker")


class JobSink(Protocol):
    def report(self, fraction: float, message: str) -> None: ...

    def is_cancelled(self) -> bool: ...

    def stopping(self) -> bool:
        """The worker itself is shutting down (not a user's cancel): the job is left to be retried."""
        ...

    def put_frame(self, index: int, image: Image.Image) -> None: ...

    def finish(self, state: JobState, message: str, error: Optional[ErrorBody] = None) -> None: ...


def render(job: Job, request: RenderRequest, backends: BackendRegistry, sink: JobSink,
           loras: Optional[dict[str, Path]] = None) -> None:
    """``loras``: a team worker's copies of the API's LoRA files the job uses, by name."""
    context = context_of(sink)
    context.loras = dict(loras or {})
    images = backends.get(job.backend).render(request, context)
    for index, image in enumerate(images):
        sink.put_frame(index, image)
    sink.finish(JobState.DONE, f"{len(images)} frame(s)")


def context_of(sink: JobSink) -> RenderContext:
    return RenderContext(report=sink.report, is_cancelled=lambda: sink.stopping() or sink.is_cancelled())


def guarded(job: Job, sink: JobSink, work: Callable[[RenderContext], None]) -> None:
    """Run ``work`` and end the job by what happened: done (``work`` finishes it), cancelled, failed."""
    try:
        work(context_of(sink))
    except JobCancelled:
        if sink.stopping() and not sink.is_cancelled():
            return  # the worker is shutting down: the job stays RUNNING and is run again later
        sink.finish(JobState.CANCELLED, "cancelled")
    except BackendError as exc:
        sink.finish(JobState.FAILED, exc.body.message, exc.body)
    except Exception as exc:  # a bug or an out-of-memory: fail this job, keep the worker alive
        log.exception("job %s failed", job.id)
        error = ErrorBody("render_failed", f"{type(exc).__name__}: {exc}",
                          "the worker's log has the traceback; try again or report it")
        sink.finish(JobState.FAILED, error.message, error)


def store_frame(store: JobStore, artifacts: ArtifactStore, job: Job, request: RenderRequest, index: int,
                write: Callable, width: int, height: int) -> Frame:
    """Write frame ``index`` of the job (``write(path)`` writes the PNG) and record it; a frame
    of that index already there (from a run cut short) is replaced, never doubled."""
    artifacts.write_atomic(artifacts.frame_path(job.id, index), write)
    frame = Frame(index=index, url=f"/v1/jobs/{job.id}/frames/{index}.png", width=width, height=height,
                  seed=request.seed + index, backend=job.backend,
                  shot_number=request.shot_number)  # the prompt is stored once, with the job's request
    store.add_frame(job.id, frame)
    return frame


class LocalSink:
    """Embedded mode: the job's events and frames go straight to this server's stores."""

    def __init__(self, store: JobStore, artifacts: ArtifactStore, job: Job, stop: Callable[[], bool],
                 request: Optional[RenderRequest] = None):
        self.store, self.artifacts, self.job, self._stop, self.request = store, artifacts, job, stop, request

    def report(self, fraction: float, message: str) -> None:
        self.store.progress(self.job.id, fraction, message)

    def is_cancelled(self) -> bool:
        return self.store.cancel_requested(self.job.id)

    def stopping(self) -> bool:
        return self._stop()

    def put_frame(self, index: int, image: Image.Image) -> None:
        store_frame(self.store, self.artifacts, self.job, self.request, index, image.save, image.width, image.height)

    def finish(self, state: JobState, message: str, error: Optional[ErrorBody] = None) -> None:
        self.store.finish(self.job.id, state, message, error)
