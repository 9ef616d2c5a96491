"""The /v1/worker routes of a team-mode API (real Redis broker, in-process app): what a worker
gets from a claim, frames upserted by index, cancel in the progress answer, fencing, heartbeats."""

import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image

import shared_schema as wire
from render_server.app import create_app
from render_server.settings import Settings
from tests.server_helpers import render_request

WORKER = {"host": "gpu-box-2", "device": "cuda:0", "name": "gpu-box-2:4711"}


@pytest.fixture
def api(tmp_path, redis_server):
    with TestClient(create_app(Settings(data_dir=tmp_path, broker_url=redis_server.url, worker_lease_s=30))) as client:
        yield client


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def _submit(api, **overrides) -> str:
    response = api.post("/v1/jobs", json=wire.to_dict(render_request(**overrides)))
    assert response.status_code == 202, response.text
    return response.json()["id"]


def test_a_claimed_job_carries_its_request_and_attempt_and_shows_its_worker(api):
    job_id = _submit(api, variations=2, seed=11)
    claim = api.post(f"/v1/worker/jobs/{job_id}/claim", json={"worker": WORKER})
    assert claim.status_code == 200, claim.text
    claimed = wire.from_dict(wire.WorkerClaimed, claim.json())
    assert claimed.attempt == 1 and claimed.request.seed == 11 and claimed.request.variations == 2
    job = wire.from_dict(wire.Job, api.get(f"/v1/jobs/{job_id}").json())
    assert job.state is wire.JobState.RUNNING and job.worker == wire.WorkerRef(**WORKER)
    again = api.post(f"/v1/worker/jobs/{job_id}/claim", json={"worker": {**WORKER, "name": "other:1"}})
    assert again.status_code == 409 and again.json()["code"] == "job_running"


def test_frames_are_upserted_by_index_and_done_needs_every_frame(api):
    job_id = _submit(api, variations=2, seed=12)
    api.post(f"/v1/worker/jobs/{job_id}/claim", json={"worker": WORKER})
    for _ in range(2):  # a retried upload replaces the frame
        put = api.put(f"/v1/worker/jobs/{job_id}/frames/0.png?attempt=1", content=_png(160, 90),
                      headers={"Content-Type": "image/png"})
        assert put.status_code == 204, put.text
    early = api.post(f"/v1/worker/jobs/{job_id}/finish", json={"attempt": 1, "state": "DONE", "message": "done"})
    assert early.status_code == 409 and early.json()["code"] == "frames_missing"
    api.put(f"/v1/worker/jobs/{job_id}/frames/1.png?attempt=1", content=_png(160, 90),
            headers={"Content-Type": "image/png"})
    beyond = api.put(f"/v1/worker/jobs/{job_id}/frames/2.png?attempt=1", content=_png(160, 90),
                     headers={"Content-Type": "image/png"})
    assert beyond.status_code == 422
    done = api.post(f"/v1/worker/jobs/{job_id}/finish", json={"attempt": 1, "state": "DONE", "message": "2 frame(s)"})
    job = wire.from_dict(wire.Job, done.json())
    assert job.state is wire.JobState.DONE and [f.index for f in job.frames] == [0, 1]
    assert [f.seed for f in job.frames] == [12, 13]
    assert api.get(f"/v1/jobs/{job_id}/frames/1.png").content == _png(160, 90)
    late = api.post(f"/v1/worker/jobs/{job_id}/progress", json={"attempt": 1, "progress": 0.5, "message": "x"})
    assert late.status_code == 409 and late.json()["code"] == "lease_lost"


def test_the_progress_answer_carries_a_cancel_and_the_worker_ends_the_job_cancelled(api):
    job_id = _submit(api, seed=13)
    api.post(f"/v1/worker/jobs/{job_id}/claim", json={"worker": WORKER})
    answer = api.post(f"/v1/worker/jobs/{job_id}/progress", json={"attempt": 1, "progress": 0.25, "message": "step"})
    assert answer.json() == {"state": "RUNNING", "cancel_requested": False}
    api.post(f"/v1/jobs/{job_id}/cancel")
    answer = api.post(f"/v1/worker/jobs/{job_id}/progress", json={"attempt": 1, "progress": 0.5, "message": "step"})
    assert answer.json()["cancel_requested"] is True
    api.post(f"/v1/worker/jobs/{job_id}/finish", json={"attempt": 1, "state": "CANCELLED", "message": "cancelled"})
    assert api.get(f"/v1/jobs/{job_id}").json()["state"] == "CANCELLED"


def test_heartbeats_list_the_worker_and_its_current_job(api):
    job_id = _submit(api, seed=14)
    api.post(f"/v1/worker/jobs/{job_id}/claim", json={"worker": WORKER})
    beat = {"worker": WORKER, "queues": ["render.sdxl", "render.previs"], "loaded_model": "sdxl-base",
            "current_job": job_id, "attempt": 1}
    assert api.post("/v1/worker/heartbeat", json=beat).status_code == 204
    [listed] = api.get("/v1/workers").json()
    assert listed["worker"] == WORKER and listed["current_job"] == job_id and listed["loaded_model"] == "sdxl-base"
    assert listed["last_heartbeat"] > 0


def test_an_embedded_server_refuses_worker_calls_and_lists_no_workers(tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        refused = client.post("/v1/worker/jobs/abc/claim", json={"worker": WORKER})
        assert refused.status_code == 409 and "BEATBOARD_BROKER_URL" in refused.json()["hint"]
        assert client.get("/v1/workers").json() == []
