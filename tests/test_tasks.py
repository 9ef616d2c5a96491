import threading
import time


from blender_addon.core.tasks import Task, TaskCancelled


def _pump_until_done(task: Task, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not task.pump():
        assert time.monotonic() < deadline, "task never finished"
        time.sleep(0.005)


def test_work_runs_off_the_main_thread_and_posts_back_to_it():
    main = threading.get_ident()
    seen = {}

    def work(task: Task):
        seen["worker"] = threading.get_ident()
        value = task.call_main(lambda: threading.get_ident())
        task.post(lambda: seen.setdefault("posted", threading.get_ident()))
        return value

    task = Task("t", work).start()
    _pump_until_done(task)
    assert seen["worker"] != main
    assert task.result == main
    assert seen["posted"] == main
    assert task.error is None


def test_errors_on_either_side_are_kept_for_the_main_thread():
    task = Task("t", lambda t: t.call_main(lambda: 1 / 0)).start()
    _pump_until_done(task)
    assert isinstance(task.error, ZeroDivisionError)


def test_cancel_stops_a_worker_waiting_on_the_main_thread():
    task = Task("t", lambda t: t.call_main(lambda: None)).start()
    time.sleep(0.05)
    task.cancel()  # the main thread never pumps the call: the worker must not hang
    assert task.wait(2.0)
    assert isinstance(task.error, TaskCancelled)


def test_a_main_thread_error_is_what_the_user_sees_not_the_cancel_it_causes():
    """A posted callback fails (say, a Blender API missing on this version): the worker is
    cancelled, and its TaskCancelled must not replace the real error."""

    def work(task: Task):
        task.post(lambda: {}["sequence_editor.strips"])
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # HTTP work between checks, as a render does
            task.check_cancelled()
            time.sleep(0.005)

    task = Task("t", work).start()
    _pump_until_done(task)
    assert isinstance(task.error, KeyError), task.error
    assert "sequence_editor.strips" in str(task.error)
    assert "KeyError" in task.error_trace


def test_a_main_thread_error_replaces_a_cancel_that_reached_the_worker_first():
    release = threading.Event()

    def work(task: Task):
        task.post(lambda: release.wait(2) and 1 / 0)
        task.cancel()
        task.check_cancelled()

    task = Task("t", work).start()
    assert task.wait(2.0)
    assert isinstance(task.error, TaskCancelled)
    release.set()
    _pump_until_done(task)
    assert isinstance(task.error, ZeroDivisionError)
