"""Jobs are never doubled: frames after a rerun, claims by concurrent workers, retried submissions."""

import threading

import pytest
from fastapi.testclient import TestClient

from shared_schema import Frame, JobState
from render_server.app import create_app
from render_server.settings import Settings
from render_server.storage.job_store import JobStore
from tests.server_helpers import render_request


def _frame(index: int, seed: int = 3) -> Frame:
    return Frame(index, f"/f/{index}.png", 10, 10, seed + index, "previs")


def test_a_requeued_job_reruns_with_exactly_its_frames(tmp_path):
    path = tmp_path / "jobs.sqlite3"
    store = JobStore(path)
    job = store.create(render_request(variations=3), "previs")
    store.claim_next()
    store.add_frame(job.id, _frame(0))
    store.add_frame(job.id, _frame(1))
    store.close()  # killed between frame writes

    store = JobStore(path)
    assert store.recover_interrupted(max_attempts=2) == [job.id]
    requeued = store.get(job.id)
    assert requeued.state is JobState.QUEUED and requeued.frames == [] and requeued.progress == 0
    store.claim_next()
    for index in range(3):
        store.add_frame(job.id, _frame(index))
    store.finish(job.id, JobState.DONE, "3 frames")
    assert [f.index for f in store.get(job.id).frames] == [0, 1, 2]


def test_a_frame_written_twice_is_replaced_not_doubled(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite3")
    job = store.create(render_request(variations=2), "previs")
    store.claim_next()
    store.add_frame(job.id, _frame(1, seed=3))
    store.add_frame(job.id, _frame(0, seed=3))
    store.add_frame(job.id, _frame(1, seed=50))
    frames = store.get(job.id).frames
    assert [(f.index, f.seed) for f in frames] == [(0, 3), (1, 51)]


def test_the_database_refuses_two_frames_of_one_index(tmp_path):
    import json
    import sqlite3

    path = tmp_path / "jobs.sqlite3"
    job = JobStore(path).create(render_request(), "previs")
    raw = sqlite3.connect(path)
    doubled = json.dumps([{"index": 0}, {"index": 0}])
    with pytest.raises(sqlite3.IntegrityError, match="two frames of one index"):
        raw.execute("UPDATE jobs SET frames = ? WHERE id = ?", (doubled, job.id))


def test_concurrent_claimers_on_one_database_never_share_a_job(tmp_path):
    path = tmp_path / "jobs.sqlite3"
    setup = JobStore(path)
    ids = {setup.create(render_request(), "previs").id for _ in range(120)}
    claimers = [JobStore(path) for _ in range(6)]  # separate connections, as separate processes would have
    claimed: list[list[str]] = [[] for _ in claimers]
    start = threading.Barrier(len(claimers))

    def claim_all(store: JobStore, out: list[str]) -> None:
        start.wait()
        while (job := store.claim_next()) is not None:
            out.append(job.id)

    threads = [threading.Thread(target=claim_all, args=(s, out)) for s, out in zip(claimers, claimed)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    every = [job_id for out in claimed for job_id in out]
    assert sorted(every) == sorted(ids), "each job claimed exactly once"
    assert all(j.attempts == 1 and j.state is JobState.RUNNING for j in setup.list(limit=1000))
    started = [e for job_id in ids for e in setup.events(job_id) if e.kind.value == "STARTED"]
    assert len(started) == len(ids)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with TestClient(create_app(Settings(data_dir=tmp_path_factory.mktemp("idem"), previs_step_delay_s=0.0))) as c:
        yield c


def _job_count(client) -> int:
    return len(client.get("/v1/jobs", params={"limit": 1000}).json())


def test_a_retried_submission_with_the_same_key_returns_the_same_job(client):
    body = {**_body(), "seed": 11}
    before = _job_count(client)
    first = client.post("/v1/jobs", json=body, headers={"Idempotency-Key": "take-1-attempt"})
    retry = client.post("/v1/jobs", json=body, headers={"Idempotency-Key": "take-1-attempt"})
    assert first.status_code == retry.status_code == 202
    assert first.json()["id"] == retry.json()["id"]
    assert _job_count(client) == before + 1
    other = client.post("/v1/jobs", json=body, headers={"Idempotency-Key": "take-2-attempt"})
    assert other.json()["id"] != first.json()["id"]


def test_a_key_reused_for_a_different_body_is_refused(client):
    client.post("/v1/jobs", json={**_body(), "seed": 1}, headers={"Idempotency-Key": "reused-key"})
    before = _job_count(client)
    response = client.post("/v1/jobs", json={**_body(), "seed": 2}, headers={"Idempotency-Key": "reused-key"})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused" and "same body" in response.json()["hint"]
    assert _job_count(client) == before


@pytest.mark.parametrize("key", [" ", "x" * 201, "caf\xe9"])
def test_a_malformed_key_is_a_422_not_a_500(client, key):
    response = client.post("/v1/jobs", json=_body(), headers=[(b"Idempotency-Key", key.encode("latin-1"))])
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


def test_concurrent_retries_with_one_key_make_one_job(client):
    body = {**_body(), "seed": 99}
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(client.post(
        "/v1/jobs", json=body, headers={"Idempotency-Key": "raced-key"}).json()["id"])) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(answers) == 6 and len(set(answers)) == 1


def _body() -> dict:
    from shared_schema import to_dict

    return to_dict(render_request())
