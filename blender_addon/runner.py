"""Run a core Task from Blender: timers pump it in the UI, a loop pumps it headless.

Progress goes to the status bar (and stdout when headless); ESC cancels through the
modal operator mixin below.
"""

from __future__ import annotations

import sys
import time
from typing import Callable, Optional

import bpy

from .core.client import ServerError
from .core.tasks import Task, TaskCancelled

_active: dict[str, Task] = {}
_timers: list[Callable] = []
PUMP_INTERVAL = 0.05


def cancel_all() -> None:
    for task in list(_active.values()):
        task.cancel()


def shutdown() -> None:
    """On unregister: cancel everything and leave no timer behind."""
    cancel_all()
    for tick in _timers:
        if bpy.app.timers.is_registered(tick):
            bpy.app.timers.unregister(tick)
    _timers.clear()
    _active.clear()


def is_running(name: str) -> bool:
    return name in _active


def describe_error(error: BaseException) -> str:
    if isinstance(error, ServerError):
        body = error.body
        return f"{body.message}. {body.hint}" if body.hint else body.message
    if isinstance(error, TaskCancelled):
        return "Cancelled"
    return f"{type(error).__name__}: {error}"


def _show_progress(scene, task: Task, in_ui: bool) -> None:
    props = scene.beatboard
    props.progress = task.progress
    props.status = task.status
    if not in_ui:
        return
    window_manager = bpy.context.window_manager
    window_manager.progress_update(int(task.progress * 100))
    if bpy.context.workspace is not None:
        bpy.context.workspace.status_text_set(f"Beatboard: {task.status} ({task.progress:.0%}) - Esc to cancel")
    for window in window_manager.windows:
        for area in window.screen.areas:
            if area.type in ("VIEW_3D", "SEQUENCE_EDITOR"):
                area.tag_redraw()


def _finish(scene, task: Task, on_done: Callable[[Task], None], in_ui: bool) -> Optional[str]:
    _active.pop(task.name, None)
    props = scene.beatboard
    props.busy = False
    if in_ui:
        bpy.context.window_manager.progress_end()
        if bpy.context.workspace is not None:
            bpy.context.workspace.status_text_set(None)
    error = None
    if task.error is None:
        try:
            on_done(task)
        except Exception as exc:  # reported like any other failure of the task
            task.error = exc
    if task.error is not None:
        error = describe_error(task.error)
        props.last_error = error
        props.status = error
        print(f"Beatboard: {error}", file=sys.stderr)
    else:
        props.last_error = ""
        props.progress = 1.0
    return error


def start(context, task: Task, on_done: Callable[[Task], None], blocking: bool = False) -> Optional[str]:
    """Start ``task``. Blocking (headless, or called from a script) it runs to the end on
    this thread's pump and returns the error text, if any; otherwise timers pump it."""
    if task.name in _active:
        return f"{task.name} is already running"
    scene = context.scene
    scene.beatboard.busy = True
    scene.beatboard.last_error = ""
    _active[task.name] = task
    task.start()
    if blocking or bpy.app.background:
        last_line = ""
        while not task.pump():
            line = f"{task.status} ({task.progress:.0%})"
            if bpy.app.background and line != last_line and task.status:
                print(f"  [{task.name}] {line}", flush=True)
                last_line = line
            time.sleep(0.01)
        _show_progress(scene, task, in_ui=False)
        return _finish(scene, task, on_done, in_ui=False)

    context.window_manager.progress_begin(0, 100)

    def tick():
        done = task.pump()
        _show_progress(scene, task, in_ui=True)
        if done:
            _timers.remove(tick)
            _finish(scene, task, on_done, in_ui=True)
            return None
        return PUMP_INTERVAL

    _timers.append(tick)
    bpy.app.timers.register(tick, first_interval=PUMP_INTERVAL)
    return None


class AsyncOperator:
    """Mixin: ``execute`` runs to the end (scripts, headless); ``invoke`` runs modal, ESC cancels."""

    task_name = "task"

    def make_task(self, context) -> Optional[tuple[Task, Callable[[Task], None]]]:
        raise NotImplementedError  # each operator says what it runs

    def execute(self, context):
        made = self.make_task(context)
        if made is None:
            return {"CANCELLED"}
        task, on_done = made
        error = start(context, task, on_done, blocking=True)
        if error:
            self.report({"ERROR"}, error)
            return {"CANCELLED"}
        return {"FINISHED"}

    def invoke(self, context, event):
        made = self.make_task(context)
        if made is None:
            return {"CANCELLED"}
        task, on_done = made
        self._task = task
        error = start(context, task, on_done)
        if error:
            self.report({"ERROR"}, error)
            return {"CANCELLED"}
        context.window_manager.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context, event):
        if event.type == "ESC" and event.value == "PRESS":
            self._task.cancel()
        if not is_running(self._task.name):
            error = context.scene.beatboard.last_error
            if error:
                self.report({"ERROR"}, error)
                return {"CANCELLED"}
            return {"FINISHED"}
        return {"PASS_THROUGH"}
