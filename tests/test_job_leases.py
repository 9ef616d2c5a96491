"""Team mode's leases on the job store: claims by id, fencing by attempt, expiry, poison jobs."""

import pytest

import shared_schema as wire
from render_server.storage.job_leases import Claim, JobLeases
from render_server.storage.job_store import JobStore
from render_server.team.routing import priority_for, queue_for
from shared_schema import Frame, JobState
from tests.server_helpers import render_request

A = wire.WorkerRef(host="box-a", device="cuda:0", name="box-a:1")
B = wire.WorkerRef(host="box-b", device="cpu", name="box-b:2")
EXPIRED = -1.0  # a lease that has already run out


@pytest.fixture
def leases(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite3")
    yield JobLeases(store)
    store.close()


def test_a_claimed_job_is_busy_for_others_and_records_its_worker(leases):
    job = leases.store.create(render_request(), "previs")
    outcome, claimed = leases.claim(job.id, A, 30.0, max_attempts=2)
    assert outcome is Claim.CLAIMED and claimed.state is JobState.RUNNING and claimed.attempts == 1
    assert claimed.worker == A
    assert leases.claim(job.id, B, 30.0, max_attempts=2)[0] is Claim.BUSY
    outcome, retried = leases.claim(job.id, A, 30.0, max_attempts=2)  # A's first answer was lost on the way
    assert outcome is Claim.CLAIMED and retried.attempts == 1
    leases.store.finish(job.id, JobState.DONE, "1 frame(s)")
    assert leases.claim(job.id, B, 30.0, max_attempts=2)[0] is Claim.FINISHED
    assert leases.claim("nope", B, 30.0, max_attempts=2)[0] is Claim.MISSING


def test_a_job_whose_lease_ran_out_goes_to_the_next_claimer_and_the_old_attempt_is_fenced_off(leases):
    job = leases.store.create(render_request(variations=2), "previs")
    leases.claim(job.id, A, EXPIRED, max_attempts=3)
    leases.store.add_frame(job.id, Frame(index=0, url="u", width=8, height=8, seed=3, backend="previs"))
    outcome, again = leases.claim(job.id, B, 30.0, max_attempts=3)
    assert outcome is Claim.CLAIMED and again.attempts == 2 and again.worker == B
    assert again.frames == []  # the new attempt writes every frame again
    assert leases.holds(job.id, attempt=1) is None and leases.holds(job.id, attempt=2) is not None
    kinds = [e.kind for e in leases.store.events(job.id)]
    assert kinds == [wire.EventKind.QUEUED, wire.EventKind.STARTED, wire.EventKind.FRAME, wire.EventKind.REQUEUED,
                     wire.EventKind.STARTED]


def test_a_poison_job_fails_once_out_of_attempts(leases):
    job = leases.store.create(render_request(), "previs")
    for _ in range(2):
        assert leases.claim(job.id, A, EXPIRED, max_attempts=2)[0] is Claim.CLAIMED
    outcome, failed = leases.claim(job.id, B, 30.0, max_attempts=2)
    assert outcome is Claim.FINISHED and failed.state is JobState.FAILED and failed.error.code == "worker_lost"


def test_expiry_requeues_silent_workers_jobs_cancels_cancelled_ones_and_spares_live_leases(leases):
    silent, cancelled, live = (leases.store.create(render_request(seed=s), "previs") for s in (1, 2, 3))
    leases.claim(silent.id, A, EXPIRED, max_attempts=2)
    leases.claim(cancelled.id, A, EXPIRED, max_attempts=2)
    leases.store.request_cancel(cancelled.id)
    leases.claim(live.id, B, 30.0, max_attempts=2)
    assert leases.expire(max_attempts=2) == [silent.id]
    assert leases.store.get(silent.id).state is JobState.QUEUED
    assert leases.store.get(cancelled.id).state is JobState.CANCELLED
    assert leases.store.get(live.id).state is JobState.RUNNING
    assert [job_id for job_id, *_ in leases.queued()] == [silent.id]


def test_heartbeats_extend_the_lease_of_the_attempt_that_holds_it(leases):
    job = leases.store.create(render_request(), "previs")
    leases.claim(job.id, A, EXPIRED, max_attempts=2)
    assert leases.holds(job.id, attempt=1, lease_s=30.0) is not None
    assert leases.claim(job.id, B, 30.0, max_attempts=2)[0] is Claim.BUSY
    assert leases.expire(max_attempts=2) == []


def test_queue_positions_count_queued_jobs_of_the_same_kind_in_order(leases):
    leases.store.create_training("actor-1", "Mara", 10, "approved frames")  # the training queue is another line
    first, second = (leases.store.create(render_request(seed=s), "previs") for s in (1, 2))
    assert [leases.queue_position(leases.store.get(j.id)) for j in (first, second)] == [1, 2]
    leases.claim(first.id, A, 30.0, max_attempts=2)
    assert [leases.queue_position(leases.store.get(j.id)) for j in (first, second)] == [0, 1]


def test_routing_puts_renders_by_backend_and_family_training_apart_and_refines_first():
    assert queue_for("RENDER", "previs") == "render.previs"
    assert queue_for("RENDER", "diffusers", "sdxl") == "render.sdxl"
    assert queue_for("RENDER", "diffusers", "") == "render.sd15"
    assert queue_for("TRAIN_LORA", "lora-trainer") == "training"
    assert priority_for("RENDER", parent_job_id="abc") < priority_for("RENDER", parent_job_id="")
