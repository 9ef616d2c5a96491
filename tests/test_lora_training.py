"""Actor LoRA training from approved crops on the tiny SD 1.5 UNet (diffusers + peft), as a
background job on the one worker that gives way to renders."""

import time

import pytest
import torch
from fastapi.testclient import TestClient
from safetensors.torch import load_file

import shared_schema as wire
from render_server.app import create_app
from render_server.settings import Settings
from tests.server_helpers import label_mask, render_request

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(tiny_models, tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), diffusers_model=str(tiny_models["base"]),
                        controlnet_depth=str(tiny_models["depth"]), controlnet_openpose=str(tiny_models["openpose"]),
                        diffusers_device="cpu", lora_train_threshold=3, lora_train_steps=6,
                        lora_train_resolution=64, lora_eval_steps=2, lora_train_rank=4)
    with TestClient(create_app(settings)) as c:
        c.settings = settings
        yield c


def _wait(client, url, states=("DONE", "FAILED", "CANCELLED"), timeout=120) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = client.get(url).json()
        if job["state"] in states:
            return job
        time.sleep(0.05)
    raise AssertionError(f"{url} stayed {job['state']}")


def _approved_frame(client, seed: int) -> dict:
    request = render_request(seed=seed, actors=[wire.ActorPlacement(name="MARA")],
                             conditioning=wire.Conditioning(masks=label_mask(80, 45, ["MARA"], [(25, 3, 45, 44)])))
    job = _wait(client, client.post("/v1/jobs", json=wire.to_dict(request)).json()["url"])
    return client.post(f"/v1/jobs/{job['id']}/frames/0/feedback",
                       json={"shot_number": "1", "verdict": "APPROVE"}).json()


def test_enough_approvals_train_a_loadable_lora_that_is_versioned_and_judged(client):
    mara = client.post("/v1/actors", json={"name": "MARA", "description": "forties, raincoat"}).json()
    results = [_approved_frame(client, seed) for seed in (1, 2, 3)]
    assert [r["training_jobs"] for r in results[:2]] == [[], []]
    (job_id,) = results[2]["training_jobs"]  # the third approval reaches the threshold
    job = _wait(client, f"/v1/jobs/{job_id}")
    assert job["state"] == "DONE" and job["kind"] == "TRAIN_LORA", job
    (version,) = client.get(f"/v1/actors/{mara['id']}/loras").json()
    assert version["name"] == "MARA@v1" and len(version["source_frames"]) == 3
    metrics = version["metrics"]
    assert metrics["train_crops"] == 2 and metrics["held_out_crops"] == 1
    # Used only if it draws the held-out crop closer than no LoRA does; otherwise kept aside.
    accepted = metrics["held_out_similarity"] > metrics["previous_similarity"]
    assert version["status"] == ("active" if accepted else "kept_aside")
    # The weights changed: peft starts LoRA's up-projections at zero; training moved them.
    weights = load_file(version["path"])
    ups = [v for k, v in weights.items() if "lora_B" in k or "lora.up" in k]
    assert ups and all(float(v.abs().max()) > 0 for v in ups)
    # It loads the way the renderer loads LoRAs and changes what the UNet draws.
    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline.from_pretrained(client.settings.diffusers_model, safety_checker=None,
                                                   requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)

    def draw():
        return pipe("mara", height=64, width=64, num_inference_steps=2, output_type="np",
                    generator=torch.Generator().manual_seed(0)).images

    before = draw()
    pipe.load_lora_weights(version["path"].rsplit("/", 1)[0], weight_name="MARA@v1.safetensors")
    assert abs(draw() - before).max() > 1e-4
    # Crops trained on are not "new": the next automatic run needs three fresh approvals.
    assert _approved_frame(client, 4)["training_jobs"] == []
    # An active version is what renders of MARA use from now on.
    assert client.get(f"/v1/actors/{mara['id']}").json()["lora_version"] == ("v1" if accepted else "")
    # Any version can be asked for by name (NAME@vN) and the diffusers backend draws with it.
    request = render_request(width=64, height=64, backend="diffusers", steps=2,
                             actors=[wire.ActorPlacement(name="MARA", lora="MARA@v1")],
                             conditioning=wire.Conditioning(masks=label_mask(64, 64, ["MARA"], [(20, 5, 44, 60)])))
    rendered = _wait(client, client.post("/v1/jobs", json=wire.to_dict(request)).json()["url"])
    assert rendered["state"] == "DONE", rendered
    events = client.get(f"/v1/jobs/{rendered['id']}/events").json()["events"]
    assert any("LoRA (MARA_v1)" in e["message"] for e in events)


def test_training_gives_way_to_renders_and_can_be_cancelled(client):
    mara = client.get("/v1/actors/MARA").json()
    accepted = client.post(f"/v1/actors/{mara['id']}/loras", json={"steps": 100000}).json()
    assert client.post(f"/v1/actors/{mara['id']}/loras", json={}).status_code == 409  # one at a time
    deadline = time.time() + 60
    while client.get(accepted["url"]).json()["progress"] == 0 and time.time() < deadline:
        time.sleep(0.05)
    render = client.post("/v1/jobs", json=wire.to_dict(render_request())).json()
    assert _wait(client, render["url"], timeout=30)["state"] == "DONE"
    training = client.get(accepted["url"]).json()
    assert training["state"] == "RUNNING" and training["progress"] < 0.9, "the render ran between training steps"
    client.post(f"{accepted['url']}/cancel")
    assert _wait(client, accepted["url"])["state"] == "CANCELLED"
    assert [v["version"] for v in client.get(f"/v1/actors/{mara['id']}/loras").json()] == [1]


def test_training_without_approved_crops_says_what_to_do(client):
    nobody = client.post("/v1/actors", json={"name": "EXTRA"}).json()
    accepted = client.post(f"/v1/actors/{nobody['id']}/loras", json={}).json()
    job = _wait(client, accepted["url"])
    assert job["state"] == "FAILED" and "approve at least 2 frames" in job["error"]["hint"]
