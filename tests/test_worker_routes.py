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


# -- LoRA training on a worker: the bundle, the downloads, the upload and the registration --------------
def _approved_crop(api, seed: int) -> None:
    """A render of MARA run by "the worker" and approved: the API cuts and keeps her crop."""
    from tests.server_helpers import label_mask

    job_id = _submit(api, seed=seed, actors=[wire.ActorPlacement(name="MARA")],
                     conditioning=wire.Conditioning(masks=label_mask(80, 45, ["MARA"], [(25, 3, 45, 44)])))
    api.post(f"/v1/worker/jobs/{job_id}/claim", json={"worker": WORKER})
    noise = Image.frombytes("RGB", (160, 90), bytes((seed * 7 + i) % 251 for i in range(160 * 90 * 3)))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    api.put(f"/v1/worker/jobs/{job_id}/frames/0.png?attempt=1", content=buffer.getvalue(),
            headers={"Content-Type": "image/png"})
    api.post(f"/v1/worker/jobs/{job_id}/finish", json={"attempt": 1, "state": "DONE", "message": "1 frame(s)"})
    feedback = api.post(f"/v1/jobs/{job_id}/frames/0/feedback", json={"shot_number": "1", "verdict": "APPROVE"})
    assert feedback.json()["profiles_moved"] == ["MARA"], feedback.text


def _safetensors(tensors: dict) -> bytes:
    import numpy as np
    from safetensors.numpy import save

    return save({name: np.full(shape, 0.5, dtype=np.float32) for name, shape in tensors.items()})


def test_a_training_worker_fetches_its_bundle_and_crops_and_registers_an_uploaded_lora_once(api):
    mara = api.post("/v1/actors", json={"name": "MARA", "description": "forties, raincoat"}).json()
    for seed in (21, 22):
        _approved_crop(api, seed)
    job_id = api.post(f"/v1/actors/{mara['id']}/loras", json={"steps": 7}).json()["id"]
    claimed = wire.from_dict(wire.WorkerClaimed, api.post(f"/v1/worker/jobs/{job_id}/claim",
                                                          json={"worker": WORKER}).json())
    assert claimed.training.actor_id == mara["id"] and claimed.training.steps == 7 and claimed.request is None
    route = f"/v1/worker/jobs/{job_id}/training"
    bundle = wire.from_dict(wire.WorkerTrainingBundle, api.get(route, params={"attempt": 1}).json())
    assert (bundle.actor_name, bundle.description, bundle.active_lora, bundle.next_version) == \
        ("MARA", "forties, raincoat", "", 1)
    assert bundle.clip_model == api.app.state.beatboard.settings.clip_model  # the worker scores with the API's CLIP
    assert len(bundle.crops) == 2
    artifacts = api.app.state.beatboard.settings.artifacts
    for name in bundle.crops:
        crop = api.get(f"{route}/crops/{name}", params={"attempt": 1})
        assert crop.status_code == 200 and crop.content == (artifacts.approved_dir(mara["id"]) / name).read_bytes()
    assert api.get(f"{route}/crops/other_0.png", params={"attempt": 1}).status_code == 404
    assert api.get(f"{route}/active-lora", params={"attempt": 1}).json()["code"] == "not_found"
    # A pickle (or anything not safetensors) is refused and says what to send; so is a file with no LoRA in it.
    octet = {"Content-Type": "application/octet-stream"}
    pickled = api.put(f"{route}/lora", params={"attempt": 1}, content=b"\x80\x04\x95" + b"\0" * 64, headers=octet)
    assert pickled.status_code == 422 and pickled.json()["code"] == "not_safetensors"
    assert ".safetensors" in pickled.json()["hint"]
    not_lora = api.put(f"{route}/lora", params={"attempt": 1}, content=_safetensors({"weight": (2, 2)}),
                       headers=octet)
    assert not_lora.status_code == 422 and not_lora.json()["code"] == "not_a_lora"
    lora = _safetensors({"unet.down.to_q.lora.down.weight": (4, 8), "unet.down.to_q.lora.up.weight": (8, 4)})
    assert api.put(f"{route}/lora", params={"attempt": 1}, content=lora,
                   headers={"Content-Type": "image/png"}).status_code == 415
    # Fenced by the claim's attempt, like frames: a stale attempt writes nothing.
    stale = api.put(f"{route}/lora", params={"attempt": 2}, content=lora, headers=octet)
    assert stale.status_code == 409 and stale.json()["code"] == "lease_lost"
    register = {"attempt": 1, "version": 1, "base_model": "tiny-sd15", "steps": 7, "source_frames": bundle.crops,
                "metrics": {"held_out_similarity": 0.61, "previous_similarity": 0.4, "train_crops": 1}, "accepted": True}
    early = api.post(f"{route}/register", json=register)
    assert early.status_code == 409 and early.json()["code"] == "lora_missing"
    assert api.put(f"{route}/lora", params={"attempt": 1}, content=lora, headers=octet).status_code == 204
    assert api.post(f"{route}/register", json={**register, "attempt": 2}).json()["code"] == "lease_lost"
    unknown = api.post(f"{route}/register", json={**register, "source_frames": ["elsewhere_0.png"]})
    assert unknown.status_code == 422
    version = wire.from_dict(wire.LoraVersion, api.post(f"{route}/register", json=register).json())
    assert (version.name, version.status, version.steps) == ("MARA@v1", "active", 7)
    assert version.path == str(artifacts.lora_path("MARA@v1")) and artifacts.lora_path("MARA@v1").read_bytes() == lora
    assert not artifacts.lora_upload_path(job_id).exists()
    again = api.post(f"{route}/register", json=register)  # its answer was lost: the same version, not a second
    assert again.status_code == 200 and again.json()["version"] == 1
    assert [v["name"] for v in api.get(f"/v1/actors/{mara['id']}/loras").json()] == ["MARA@v1"]
    assert api.get(f"/v1/actors/{mara['id']}").json()["lora_version"] == "v1"
    done = api.post(f"/v1/worker/jobs/{job_id}/finish", json={"attempt": 1, "state": "DONE", "message": "MARA@v1"})
    assert done.json()["state"] == "DONE"


# -- a render worker fetches the LoRAs its job uses from the API -------------------------------------
def test_a_render_worker_gets_only_the_loras_its_job_uses_and_never_another_projects(tmp_path, redis_server):
    studio_dir = tmp_path / "studio-loras"  # BEATBOARD_LORA_DIR of the API
    studio_dir.mkdir()
    (studio_dir / "DOT.safetensors").write_bytes(_safetensors({"dot.lora.up.weight": (2, 2)}))
    (studio_dir / "SECRET.safetensors").write_bytes(_safetensors({"secret.lora.up.weight": (2, 2)}))
    settings = Settings(data_dir=tmp_path / "data", broker_url=redis_server.url, worker_lease_s=30,
                        lora_dir=str(studio_dir))
    with TestClient(create_app(settings)) as api:
        other = api.post("/v1/projects", json={"name": "other"}).json()["id"]
        assert api.post("/v1/actors", json={"name": "SECRET", "project": other}).status_code == 201
        mara = api.post("/v1/actors", json={"name": "MARA"}).json()
        trained = _safetensors({"unet.to_q.lora.up.weight": (8, 4)})
        path = settings.artifacts.write_atomic(settings.artifacts.lora_path("MARA@v1"),
                                               lambda p: p.write_bytes(trained))
        api.app.state.beatboard.actors.store.add_lora_version(mara["id"], 1, str(path), "tiny", 4, [], {}, True)
        # Casting names MARA's version in use; SECRET (private to "other") names no LoRA of hers.
        job_id = _submit(api, actors=[wire.ActorPlacement(name="MARA"), wire.ActorPlacement(name="SECRET")])
        claimed = wire.from_dict(wire.WorkerClaimed, api.post(f"/v1/worker/jobs/{job_id}/claim",
                                                              json={"worker": WORKER}).json())
        assert [a.lora for a in claimed.request.actors] == ["MARA@v1", ""]
        route = f"/v1/worker/jobs/{job_id}/loras"
        got = api.get(f"{route}/MARA@v1", params={"attempt": 1})
        assert got.status_code == 200 and got.content == trained
        # The ETag names the file's version: a worker holding that copy downloads nothing.
        again = api.get(f"{route}/MARA@v1", params={"attempt": 1}, headers={"If-None-Match": got.headers["etag"]})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == got.headers["etag"]
        stale = api.get(f"{route}/MARA@v1", params={"attempt": 2})
        assert stale.status_code == 409 and stale.json()["code"] == "lease_lost"
        unnamed = api.get(f"{route}/DOT", params={"attempt": 1})  # on the server, but not this job's
        assert unnamed.status_code == 404 and "request does not use" in unnamed.json()["message"]
        private = api.get(f"{route}/SECRET", params={"attempt": 1})  # named, but another project's actor
        assert private.status_code == 404 and private.json()["hint"]
        assert b"secret" not in private.content
        # A studio LoRA by an actor's own name is served to a job that casts that actor.
        dot_job = _submit(api, seed=31, actors=[wire.ActorPlacement(name="DOT")])
        api.post(f"/v1/worker/jobs/{dot_job}/claim", json={"worker": WORKER})
        assert api.get(f"/v1/worker/jobs/{dot_job}/loras/DOT", params={"attempt": 1}).content == \
            (studio_dir / "DOT.safetensors").read_bytes()
        _worker_side_fetches_into_its_cache(api, tmp_path / "worker", job_id, claimed.request, path)


def _worker_side_fetches_into_its_cache(api, worker_dir, job_id: str, request, api_file) -> None:
    """The worker's client (remote_loras.py) over the same app: a copy per ETag, reused while current."""
    import os

    from render_server.backends.base import BackendError
    from render_server.storage.artifacts import ArtifactStore
    from render_server.team.remote_loras import fetch_loras
    from render_server.team.worker_api import WorkerApi

    client, artifacts = WorkerApi("http://testserver"), ArtifactStore(worker_dir)
    client.http = api  # TestClient is an httpx.Client
    first = fetch_loras(client, artifacts, job_id, 1, request)
    assert list(first) == ["MARA@v1"] and first["MARA@v1"].read_bytes() == api_file.read_bytes()  # SECRET: none
    stamp = first["MARA@v1"].stat().st_mtime_ns
    assert fetch_loras(client, artifacts, job_id, 1, request) == first  # a 304: not downloaded again
    assert first["MARA@v1"].stat().st_mtime_ns == stamp
    api_file.write_bytes(_safetensors({"unet.to_q.lora.up.weight": (8, 2)}))  # the API's file changes
    os.utime(api_file, ns=(stamp + 10**9, stamp + 10**9))
    second = fetch_loras(client, artifacts, job_id, 1, request)
    assert second["MARA@v1"] != first["MARA@v1"] and not first["MARA@v1"].exists()
    assert second["MARA@v1"].read_bytes() == api_file.read_bytes()
    request.actors[1].lora = "SECRET"  # named outright, and not the server's to give: the job fails, saying so
    with pytest.raises(BackendError) as refused:
        fetch_loras(client, artifacts, job_id, 1, request)
    assert refused.value.body.code == "model_missing"
