"""The HTTP API through the real app and lifespan (store, worker thread, previs backend)."""

import io
import time

import pytest
from fastapi.testclient import TestClient
from PIL import Image

import shared_schema as wire
from render_server.app import create_app
from render_server.settings import Settings
from tests.server_helpers import render_request

FERRY = """INT. FERRY CABIN - NIGHT

TOMAS (60s, ferryman) counts coins.

MARA
One ticket.

JUNE (20s) bursts in.
"""


def _client(tmp_path, **settings) -> TestClient:
    return TestClient(create_app(Settings(data_dir=tmp_path, **settings)))


def _wait_finished(client: TestClient, job_id: str, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["state"] in ("DONE", "FAILED", "CANCELLED"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def test_health_names_version_schema_and_backends(tmp_path):
    with _client(tmp_path) as client:
        health = client.get("/v1/health").json()
    assert health["schema_version"] == wire.SCHEMA_VERSION
    assert health["version"] == wire.version.PACKAGE_VERSION
    backends = {b["name"]: b for b in health["backends"]}
    assert backends["previs"]["available"] and health["default_backend"] == "previs"
    assert not backends["diffusers"]["available"] and "BEATBOARD_DIFFUSERS_MODEL" in backends["diffusers"]["reason"]


def test_models_lists_backends_schedulers_and_loras(tmp_path):
    (tmp_path / "loras").mkdir()
    (tmp_path / "loras" / "MARA.safetensors").write_bytes(b"")
    with _client(tmp_path, diffusers_model="/models/sd15", lora_dir=str(tmp_path / "loras")) as client:
        models = client.get("/v1/models").json()
    by_backend = {m["backend"]: m for m in models["models"]}
    assert by_backend["diffusers"]["source"] == "/models/sd15" and "regional-loras" in by_backend["diffusers"]["capabilities"]
    assert models["loras"] == ["MARA"] and "dpmpp_2m_karras" in models["schedulers"]


def test_a_render_job_is_accepted_then_done_with_a_frame_of_the_asked_size(tmp_path):
    with _client(tmp_path) as client:
        response = client.post("/v1/jobs", json=wire.to_dict(render_request(variations=2)))
        assert response.status_code == 202
        accepted = response.json()
        job = _wait_finished(client, accepted["id"])
        assert job["state"] == "DONE", job
        assert [f["seed"] for f in job["frames"]] == [3, 4]
        png = client.get(job["frames"][1]["url"])
        assert png.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(png.content)).size == (160, 90)
        events = client.get(accepted["events_url"]).json()["events"]
        kinds = [e["kind"] for e in events]
        assert kinds[0] == "QUEUED" and kinds[1] == "STARTED" and kinds[-1] == "DONE"
        assert kinds.count("FRAME") == 2
        progress = [e["progress"] for e in events if e["kind"] == "PROGRESS"]
        assert progress == sorted(progress) and progress[-1] < 1.0


def test_long_poll_returns_as_soon_as_an_event_arrives(tmp_path):
    with _client(tmp_path, previs_step_delay_s=0.2) as client:
        job_id = client.post("/v1/jobs", json=wire.to_dict(render_request())).json()["id"]
        started = time.monotonic()
        events = client.get(f"/v1/jobs/{job_id}/events", params={"after": 2, "wait": 10}).json()["events"]
        assert events and time.monotonic() - started < 5.0


def test_event_stream_ends_with_the_final_event(tmp_path):
    with _client(tmp_path) as client:
        job_id = client.post("/v1/jobs", json=wire.to_dict(render_request())).json()["id"]
        with client.stream("GET", f"/v1/jobs/{job_id}/events/stream") as stream:
            body = "".join(stream.iter_text())
    names = [line.split(": ", 1)[1] for line in body.splitlines() if line.startswith("event: ")]
    assert names[0] == "QUEUED" and names[-1] == "DONE"


def test_cancel_stops_a_running_job_between_steps(tmp_path):
    with _client(tmp_path, previs_step_delay_s=0.3) as client:
        job_id = client.post("/v1/jobs", json=wire.to_dict(render_request(variations=4))).json()["id"]
        deadline = time.monotonic() + 10
        while client.get(f"/v1/jobs/{job_id}").json()["state"] != "RUNNING":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        asked = time.monotonic()
        client.post(f"/v1/jobs/{job_id}/cancel")
        job = _wait_finished(client, job_id)
        assert job["state"] == "CANCELLED"
        assert time.monotonic() - asked < 1.0, "cancel waits at most one step (0.3 s)"
        assert job["frames"] == []


@pytest.mark.parametrize("body, status, code, hint_part", [
    ({"shot_number": "1", "width": "wide", "height": 90}, 422, "validation_error", "schema.json"),
    ({"shot_number": "1", "width": 99999, "height": 90}, 422, "validation_error", "between 16 and 4096"),
    ({"shot_number": "1", "width": 64, "height": 64, "backend": "midjourney"}, 409, "backend_unavailable",
     "previs"),
    ({"shot_number": "1", "width": 64, "height": 64, "schema_version": "9.0"}, 409, "schema_mismatch",
     "same Beatboard release"),
])
def test_bad_requests_get_the_one_error_shape_with_a_hint(tmp_path, body, status, code, hint_part):
    with _client(tmp_path) as client:
        response = client.post("/v1/jobs", json=body)
    assert response.status_code == status
    error = response.json()
    assert set(error) == {"code", "message", "hint"}
    assert error["code"] == code and hint_part in error["hint"]


def test_a_50_mb_upload_is_refused_before_it_is_read(tmp_path):
    with _client(tmp_path) as client:
        response = client.post("/v1/jobs", content=b"x" * (50 * 1024 * 1024),
                               headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert "BEATBOARD_MAX_BODY_MB" in response.json()["hint"]


def test_corrupt_conditioning_is_refused_at_submit_with_a_reason(tmp_path):
    request = render_request()
    request.conditioning.depth.width = 7  # no longer matches the data
    with _client(tmp_path) as client:
        response = client.post("/v1/jobs", json=wire.to_dict(request))
        assert client.get("/v1/jobs").json() == []  # nothing was queued
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error" and "(7x45 float16)" in response.json()["message"]


def test_unknown_jobs_and_paths_are_404_with_a_hint(tmp_path):
    with _client(tmp_path) as client:
        assert client.get("/v1/jobs/nope").json()["code"] == "not_found"
        response = client.get("/v2/anything")
    assert response.status_code == 404 and "/v1" in response.json()["hint"]


def test_token_is_required_when_set(tmp_path):
    with _client(tmp_path, token="s3cret-s3cret-s3cret") as client:
        assert client.get("/v1/health").status_code == 200
        refused = client.post("/v1/beats", json={"script": FERRY})
        assert refused.status_code == 401 and refused.json()["code"] == "unauthorized"
        allowed = client.post("/v1/beats", json={"script": FERRY},
                              headers={"Authorization": "Bearer s3cret-s3cret-s3cret"})
        assert allowed.status_code == 200


def test_beats_endpoint_returns_beats_and_refuses_an_empty_script(tmp_path):
    with _client(tmp_path) as client:
        response = client.post("/v1/beats", json={"script": FERRY, "n": 2}).json()
        empty = client.post("/v1/beats", json={"script": "  \n"})
    assert response["characters"] == ["TOMAS", "MARA", "JUNE"]
    assert len(response["beats"]) == 2
    assert response["beats"][1]["entering"] == ["JUNE"]
    assert empty.status_code == 422 and "Fountain" in empty.json()["hint"]
