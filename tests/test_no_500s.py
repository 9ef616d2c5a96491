"""Each way a client used to get a 500 (issue 14) now gets a 4xx that says what to fix."""

import json
import logging
import struct
import time
import zlib

import pytest
from fastapi.testclient import TestClient

import shared_schema as wire
from render_server.app import create_app
from render_server.settings import Settings
from tests.server_helpers import render_request

BIG = 9223372036854775808  # one past SQLite's INTEGER


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    # ViT-S-32: a small real open_clip architecture, so actor routes answer quickly on CPU.
    return create_app(Settings(data_dir=tmp_path_factory.mktemp("data"), clip_model="ViT-S-32",
                               previs_step_delay_s=0.05))


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as c:
        yield c


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "hint"} and body["hint"], body
    return body


def _wait_finished(client, job_id: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["state"] in ("DONE", "FAILED", "CANCELLED"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares its size and holds no pixels: what a decompression bomb's header says."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = lambda kind, data: (struct.pack(">I", len(data)) + kind + data
                                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_event_cursors_past_sqlites_integer_are_422_not_500(client):
    job_id = client.post("/v1/jobs", json=wire.to_dict(render_request())).json()["id"]
    body = _error(client.get(f"/v1/jobs/{job_id}/events", params={"after": BIG}), 422)
    assert "after" in body["message"]
    _error(client.get(f"/v1/jobs/{job_id}/events/stream", params={"after": BIG}), 422)
    # The stream itself runs to the end of the job: DONE arrives as a whole event, not a cut body.
    with client.stream("GET", f"/v1/jobs/{job_id}/events/stream") as stream:
        text = "".join(stream.iter_text())
    assert text.rstrip().endswith("}") and "event: DONE" in text


def test_reference_index_past_sqlites_integer_is_422(client):
    actor = client.post("/v1/actors", json={"name": "INDEXED"}).json()
    _error(client.get(f"/v1/actors/{actor['id']}/references/{BIG}.png"), 422)
    assert _error(client.get(f"/v1/actors/{actor['id']}/references/0.png"), 404)["code"] == "not_found"


def test_renaming_an_actor_to_a_taken_or_blank_name_is_refused(client):
    first = client.post("/v1/actors", json={"name": "ALICE"}).json()
    second = client.post("/v1/actors", json={"name": "BOB"}).json()
    taken = _error(client.patch(f"/v1/actors/{second['id']}", json={"name": "alice"}), 409)
    assert taken["code"] == "conflict" and "name" in taken["message"]
    for actor in (first, second):  # blank twice used to hit the UNIQUE constraint the second time
        blank = _error(client.patch(f"/v1/actors/{actor['id']}", json={"name": ""}), 422)
        assert "name" in blank["message"]
        _error(client.patch(f"/v1/actors/{actor['id']}", json={"name": "   "}), 422)
    assert client.get(f"/v1/actors/{second['id']}").json()["name"] == "BOB"


@pytest.mark.parametrize("path, body", [
    ("/v1/actors", '{"name": "\\ud800"}'),
    ("/v1/beats", '{"script": "INT. ROOM - DAY\\n\\nA\\ud800 waits."}'),
    ("/v1/jobs", '{"shot_number": "1", "width": 64, "height": 64, "prompt": "x\\udfff"}'),
    ("/v1/actors/search", '{"text": "\\ud800"}'),
])
def test_a_lone_surrogate_in_any_string_is_422(client, path, body):
    response = client.post(path, content=body.encode(), headers={"Content-Type": "application/json"})
    message = _error(response, 422)["message"]
    assert "surrogate" in message or "unicode" in message


@pytest.mark.parametrize("route", ["/v1/actors/identify", "/v1/actors/{id}/references"])
def test_an_image_declaring_50000x50000_is_refused_from_its_header(client, route):
    actor = client.post("/v1/actors", json={"name": f"BOMB{len(route)}"}).json()
    for width, height in ((50000, 50000), (13000, 13000)):
        response = client.post(route.format(id=actor["id"]), content=png_header(width, height),
                               headers={"Content-Type": "image/png"})
        body = _error(response, 413)
        assert body["code"] == "payload_too_large" and "megapixels" in body["message"]
    assert client.get(f"/v1/actors/{actor['id']}").json()["references"] == []
    not_image = client.post(route.format(id=actor["id"]), content=b"%PDF-1.4", headers={"Content-Type": "image/png"})
    assert _error(not_image, 422)["code"] == "validation_error"


def test_an_unexpected_error_answers_an_incident_id_and_logs_the_text(tmp_path, caplog):
    def boom():
        raise RuntimeError("secret path /home/director/nda.fountain")

    app = create_app(Settings(data_dir=tmp_path))
    app.add_api_route("/v1/_test_boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR):
        response = client.get("/v1/_test_boom")
    body = _error(response, 500)
    assert body["code"] == "internal_error" and "nda.fountain" not in response.text
    incident = body["message"].split("incident ")[1].rstrip(")")
    assert any(incident in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_405_lists_every_method_of_the_path(client):
    response = client.put("/v1/jobs")
    assert response.status_code == 405 and set(response.headers["allow"].split(", ")) >= {"GET", "POST"}


@pytest.mark.parametrize("change, field", [
    (lambda r: setattr(r, "seed", -1), "seed"),
    (lambda r: setattr(r, "steps", -1), "steps"),
    (lambda r: setattr(r, "steps", 10**30), "steps"),
    (lambda r: setattr(r.conditioning.depth, "near", 0.0), "near"),
    (lambda r: setattr(r.conditioning.depth, "near", 30.0), "near"),  # beyond far (20)
    (lambda r: setattr(r.conditioning.poses[0], "keypoints", r.conditioning.poses[0].keypoints[:3]), "keypoints"),
    (lambda r: setattr(r.conditioning.depth, "data_b64", "not base64!"), "depth.data_b64"),
    (lambda r: setattr(r.conditioning.masks, "data_b64", "AAA"), "masks.data_b64"),
    (lambda r: setattr(r.conditioning.masks, "labels", [f"A{i}" for i in range(4000)]), "labels"),
    (lambda r: setattr(r, "variations", 16) or setattr(r, "width", 4096) or setattr(r, "height", 4096), "MP"),
    (lambda r: setattr(r, "prompt", "x" * 31_000_000), "prompt"),
])
def test_bad_render_inputs_are_refused_at_submit_naming_the_field(client, change, field):
    request = render_request()
    change(request)
    before = len(client.get("/v1/jobs").json())
    response = client.post("/v1/jobs", json=wire.to_dict(request))
    if response.status_code == 413:  # the 31 MB prompt is over the body cap before it is even parsed
        assert response.json()["code"] == "payload_too_large"
    else:
        assert field in _error(response, 422)["message"]
    assert len(client.get("/v1/jobs").json()) == before


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_guidance_is_refused(client, value):
    body = json.dumps(wire.to_dict(render_request())).replace('"guidance_scale": 6.0', f'"guidance_scale": {value}')
    assert value in body
    response = client.post("/v1/jobs", content=body, headers={"Content-Type": "application/json"})
    assert "guidance_scale" in _error(response, 422)["message"]


def test_an_older_minor_client_is_served_and_a_newer_minor_client_too(client):
    older = {**wire.to_dict(render_request()), "schema_version": "1.0"}
    assert client.post("/v1/jobs", json=older).status_code == 202
    newer = {**wire.to_dict(render_request()), "schema_version": "1.9", "shot_group": "b1", "take_of": "j0"}
    assert client.post("/v1/jobs", json=newer).status_code == 202
    assert _error(client.post("/v1/jobs", json={**older, "schema_version": "2.0"}), 409)["code"] == "schema_mismatch"


@pytest.mark.parametrize("body, field", [
    ('{"name": "HUGE", "color": [1e999, 0, 0]}', "color"),
    ('{"name": "NAN", "height_m": NaN}', "height_m"),
    ('{"name": "STR", "height_m": "1.8"}', "height_m"),
])
def test_actor_numbers_that_json_cannot_round_trip_are_422(client, body, field):
    response = client.post("/v1/actors", content=body, headers={"Content-Type": "application/json"})
    assert field in _error(response, 422)["message"]
    assert all(a["name"] not in ("HUGE", "NAN", "STR") for a in client.get("/v1/actors").json())
