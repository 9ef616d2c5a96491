"""Long work off Blender's main thread.

A task's ``work`` runs on a worker thread and may only do I/O; whatever must touch
Blender data it hands back with ``post``. The main thread calls ``pump`` (from a
``bpy.app.timers`` callback in the UI, from a plain loop in background mode) to run
those callbacks. Nothing here imports bpy.
"""

from __future__ import annotations

import queue
import threading
import traceback
from typing import Any, Callable, Optional

MainThreadCall = Callable[[], None]


class TaskCancelled(Exception):
    """Raised on the worker thread when the user cancelled."""


class Task:
    def __init__(self, name: str, work: Callable[["Task"], Any]):
        self.name = name
        self._work = work
        self._calls: "queue.SimpleQueue[MainThreadCall]" = queue.SimpleQueue()
        self._cancel = threading.Event()
        self._finished = threading.Event()
        self.result: Any = None
        self.error: Optional[BaseException] = None
        self.error_trace = ""
        self._error_lock = threading.Lock()
        self.progress = 0.0
        self.status = ""
        self._thread = threading.Thread(target=self._run, name=f"beatboard-{name}", daemon=True)

    # -- worker-thread side -------------------------------------------------------
    def post(self, call: MainThreadCall) -> None:
        """Run ``call`` on the main thread at the next pump."""
        self._calls.put(call)

    def call_main(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` on the main thread and wait for its result (raises what it raised)."""
        done = threading.Event()
        box: dict[str, Any] = {}

        def run() -> None:
            try:
                box["value"] = fn()
            except BaseException as exc:
                box["error"] = exc
            finally:
                done.set()

        self.post(run)
        while not done.wait(0.05):
            if self.cancelled:
                raise TaskCancelled()
        if "error" in box:
            raise box["error"]
        return box["value"]

    def check_cancelled(self) -> None:
        if self.cancelled:
            raise TaskCancelled()

    def report(self, progress: float, status: str) -> None:
        self.progress, self.status = progress, status

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _record_error(self, exc: BaseException) -> None:
        """Keep the first real error. A failing main-thread callback cancels the worker, whose
        TaskCancelled then arrives second: it must never hide the error the user needs to see."""
        with self._error_lock:
            if self.error is None or (isinstance(self.error, TaskCancelled)
                                      and not isinstance(exc, TaskCancelled)):
                self.error = exc
                self.error_trace = traceback.format_exc()

    def _run(self) -> None:
        try:
            self.result = self._work(self)
        except BaseException as exc:  # handed to the main thread, which reports it
            self._record_error(exc)
        finally:
            self._finished.set()

    # -- main-thread side ---------------------------------------------------------
    def start(self) -> "Task":
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._cancel.set()

    def pump(self) -> bool:
        """Run posted callbacks; True once the work is over and every callback has run."""
        finished = self._finished.is_set()
        while True:
            try:
                call = self._calls.get_nowait()
            except queue.Empty:
                break
            try:
                call()
            except BaseException as exc:
                self._record_error(exc)
                self._cancel.set()
        return finished and self._calls.empty()

    def wait(self, timeout: float) -> bool:
        return self._finished.wait(timeout)
