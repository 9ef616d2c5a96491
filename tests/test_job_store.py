from shared_schema import EventKind, Frame, JobState

from render_server.storage.job_store import JobStore
from tests.server_helpers import render_request


def test_a_job_moves_through_its_states_with_events(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite3")
    job = store.create(render_request(), "previs")
    assert job.state is JobState.QUEUED
    claimed = store.claim_next()
    assert claimed.id == job.id and claimed.state is JobState.RUNNING and claimed.attempts == 1
    assert store.claim_next() is None
    store.progress(job.id, 0.5, "halfway")
    store.add_frame(job.id, Frame(0, "/f.png", 10, 10, 3, "previs"))
    store.finish(job.id, JobState.DONE, "1 frame")
    kinds = [e.kind for e in store.events(job.id)]
    assert kinds == [EventKind.QUEUED, EventKind.STARTED, EventKind.PROGRESS, EventKind.FRAME, EventKind.DONE]
    assert [e.seq for e in store.events(job.id, after=3)] == [4, 5]
    assert store.get(job.id).frames[0].seed == 3
    assert store.request_of(job.id) == render_request()


def test_jobs_are_claimed_oldest_first(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite3")
    first = store.create(render_request(), "previs")
    second = store.create(render_request(), "previs")
    assert store.claim_next().id == first.id
    assert store.claim_next().id == second.id


def test_interrupted_jobs_are_requeued_then_failed_with_a_reason(tmp_path):
    path = tmp_path / "jobs.sqlite3"
    store = JobStore(path)
    job = store.create(render_request(), "previs")
    store.claim_next()
    store.close()  # the process died with the job RUNNING

    store = JobStore(path)
    assert store.recover_interrupted(max_attempts=2) == [job.id]
    assert store.get(job.id).state is JobState.QUEUED
    assert store.events(job.id)[-1].kind is EventKind.REQUEUED
    store.claim_next()
    store.close()  # and died again

    store = JobStore(path)
    store.recover_interrupted(max_attempts=2)
    failed = store.get(job.id)
    assert failed.state is JobState.FAILED
    assert failed.error.code == "worker_lost" and "2 times" in failed.error.message and failed.error.hint


def test_cancelling_a_queued_job_ends_it_at_once(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite3")
    job = store.create(render_request(), "previs")
    assert store.request_cancel(job.id).state is JobState.CANCELLED
    assert store.claim_next() is None
