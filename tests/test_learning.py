"""Learning from the director over HTTP: verdicts move profiles through actor crops, notes
recur into hints, casting carries, and the reward model ranks variations."""

import io
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

import shared_schema as wire
from render_server.app import create_app
from render_server.settings import Settings
from tests.server_helpers import label_mask, render_request

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    with TestClient(create_app(Settings(data_dir=data, reward_retrain_every=1))) as c:
        c.data_dir = data
        yield c


def _png(color) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 96), color).save(buffer, format="PNG")
    return buffer.getvalue()


def _render(client, **overrides) -> dict:
    request = render_request(**overrides)
    accepted = client.post("/v1/jobs", json=wire.to_dict(request)).json()
    deadline = time.time() + 30
    while time.time() < deadline:
        job = client.get(accepted["url"]).json()
        if job["state"] in ("DONE", "FAILED"):
            assert job["state"] == "DONE", job
            return job
        time.sleep(0.05)
    raise AssertionError("the job did not finish")


def _two_actor_overrides():
    return dict(actors=[wire.ActorPlacement(name="MARA"), wire.ActorPlacement(name="TOMAS")],
                conditioning=wire.Conditioning(masks=label_mask(80, 45, ["MARA", "TOMAS"],
                                                                [(10, 5, 30, 40), (50, 5, 70, 40)])))


def test_an_approval_moves_only_the_cast_actor_towards_their_crop(client):
    mara = client.post("/v1/actors", json={"name": "MARA", "description": "forties, raincoat"}).json()
    client.post(f"/v1/actors/{mara['id']}/references", content=_png((200, 40, 40)),
                headers={"content-type": "image/png"})
    job = _render(client, **_two_actor_overrides())
    result = client.post(f"/v1/jobs/{job['id']}/frames/0/feedback",
                         json={"shot_number": "1", "verdict": "APPROVE", "rating": 4}).json()
    assert result["profiles_moved"] == ["MARA"]
    assert any("TOMAS is not cast" in w for w in result["warnings"])
    history = client.get(f"/v1/actors/{mara['id']}/history").json()
    assert [h["cause"] for h in history] == ["reference", "approved"]
    assert history[-1]["ref"] == f"{job['id']}/0" and history[-1]["moved"] > 0
    crop = client.data_dir / "actors" / mara["id"] / "approved" / f"{job['id']}_0.png"
    # The crop is square around MARA's mask, with TOMAS's side of the frame greyed out.
    pixels = np.asarray(Image.open(crop))
    assert pixels.shape[0] == pixels.shape[1] and (pixels == 127).all(axis=2).mean() > 0.2
    from render_server.actors.store import ActorStore

    ratings = ActorStore(client.data_dir / "actors.sqlite3").db.execute(
        "SELECT actor_id, frame_ref, rating, verdict FROM ratings").fetchall()
    assert ratings == [(mara["id"], f"{job['id']}/0", 4, "APPROVE")]
    frames = client.get(f"/v1/actors/{mara['id']}/frames").json()
    assert [f["frame"] for f in frames] == [f"{job['id']}/0"]
    assert client.get(frames[0]["url"]).status_code == 200
    again = client.post(f"/v1/jobs/{job['id']}/frames/0/feedback",
                        json={"shot_number": "1", "verdict": "APPROVE"}).json()
    assert again["profiles_moved"] == [] and "once per frame" in again["warnings"][0]
    assert len(client.get(f"/v1/actors/{mara['id']}/history").json()) == 2


def test_the_same_feedback_sent_twice_changes_nothing_the_second_time(client):
    """A client that lost the reply retries: no second rating, note, profile step or crop."""
    wren = client.post("/v1/actors", json={"name": "WREN"}).json()
    overrides = dict(actors=[wire.ActorPlacement(name="WREN")],
                     conditioning=wire.Conditioning(masks=label_mask(80, 45, ["WREN"], [(20, 5, 40, 40)])))
    job = _render(client, **overrides)
    body = {"shot_number": "1", "verdict": "APPROVE", "rating": 5, "picked": True, "note": "warmer light on her",
            "scope": "ACTOR", "actor": "WREN"}
    first = client.post(f"/v1/jobs/{job['id']}/frames/0/feedback", json=body)
    retry = client.post(f"/v1/jobs/{job['id']}/frames/0/feedback", json=body)
    assert first.status_code == retry.status_code == 200
    assert first.json()["profiles_moved"] == ["WREN"] and retry.json()["profiles_moved"] == []
    from render_server.actors.repository import ActorRepository

    repository = ActorRepository(client.data_dir / "actors.sqlite3")
    try:
        assert repository.ratings(wren["id"]) == [(f"{job['id']}/0", 5, "APPROVE")]
    finally:
        repository.close()
    assert [n["text"] for n in client.get(f"/v1/actors/{wren['id']}/notes").json()] == ["warmer light on her"]
    assert [h["cause"] for h in client.get(f"/v1/actors/{wren['id']}/history").json()] == ["approved"]
    crops = list((client.data_dir / "actors" / wren["id"] / "approved").iterdir())
    assert [c.name for c in crops] == [f"{job['id']}_0.png"], "one crop, no temporary file left"


def test_a_note_given_three_times_becomes_a_removable_standing_hint(client):
    june = client.post("/v1/actors", json={"name": "JUNE"}).json()
    overrides = dict(actors=[wire.ActorPlacement(name="JUNE")],
                     conditioning=wire.Conditioning(masks=label_mask(80, 45, ["JUNE"], [(20, 5, 40, 40)])))
    job = _render(client, **overrides)
    said = []
    for note in ("More expressive!", "more expressive", "Please, more expressive."):
        said.append(client.post(f"/v1/jobs/{job['id']}/frames/0/feedback",
                                json={"shot_number": "1", "note": note, "scope": "ACTOR", "actor": "JUNE"}).json())
    assert [r["hints_added"] for r in said] == [[], [], ["JUNE: more expressive"]]
    assert client.get(f"/v1/actors/{june['id']}").json()["prompt_hints"] == ["more expressive"]
    # The next render carries the hint into its prompt and into JUNE's placement.
    later = _render(client, **overrides)
    stored = client.get(f"/v1/jobs/{later['id']}").json()
    # The prompt builder names the hint once, with the actor it belongs to.
    prompt = stored["frames"][0]["prompt"]
    assert "June (more expressive)" in prompt and prompt.count("more expressive") == 1
    # Removed by the director, it stays removed until the note recurs three more times.
    client.patch(f"/v1/actors/{june['id']}", json={"prompt_hints": []})
    client.post(f"/v1/jobs/{later['id']}/frames/0/feedback",
                json={"shot_number": "1", "note": "more expressive", "scope": "ACTOR", "actor": "JUNE"})
    assert client.get(f"/v1/actors/{june['id']}").json()["prompt_hints"] == []
    notes = client.get(f"/v1/actors/{june['id']}/notes").json()
    assert [n["promoted"] for n in notes] == [True, True, True, False]


def test_casting_carries_a_character_to_a_stored_actor_in_any_script(client):
    tomas = client.post("/v1/actors", json={"name": "Tomas Reyes", "prompt_hints": ["reading glasses"]}).json()
    assert client.put("/v1/castings/FERRYMAN", json={"character": "FERRYMAN", "actor_id": tomas["id"]}).status_code == 200
    assert client.get(f"/v1/actors/{tomas['id']}").json()["cast_as"] == ["FERRYMAN"]
    job = _render(client, actors=[wire.ActorPlacement(name="Ferryman")],
                  conditioning=wire.Conditioning(masks=label_mask(80, 45, ["Ferryman"], [(20, 5, 40, 40)])))
    assert "Ferryman (reading glasses)" in job["frames"][0]["prompt"]
    result = client.post(f"/v1/jobs/{job['id']}/frames/0/feedback",
                         json={"shot_number": "1", "verdict": "APPROVE"}).json()
    assert result["profiles_moved"] == ["Tomas Reyes"]
    missing = client.put("/v1/castings/FERRYMAN", json={"character": "FERRYMAN", "actor_id": "nobody"})
    assert missing.status_code == 404


def test_feedback_on_a_missing_frame_or_a_bad_rating_is_refused(client):
    assert client.post("/v1/jobs/nope/frames/0/feedback", json={"shot_number": "1"}).status_code == 404
    job = _render(client)
    assert client.post(f"/v1/jobs/{job['id']}/frames/5/feedback", json={"shot_number": "1"}).status_code == 404
    bad = client.post(f"/v1/jobs/{job['id']}/frames/0/feedback", json={"shot_number": "1", "rating": 9})
    assert bad.status_code == 422 and "rating" in bad.json()["message"] and "5" in bad.json()["message"]


def test_picks_and_ratings_train_a_reward_model_that_ranks_variations(client):
    for _ in range(4):
        job = _render(client, variations=3)
        client.post(f"/v1/jobs/{job['id']}/frames/2/feedback", json={"shot_number": "1", "picked": True, "rating": 5})
        client.post(f"/v1/jobs/{job['id']}/frames/0/feedback", json={"shot_number": "1", "rating": 1})
    deadline = time.time() + 20  # it retrains in the background
    while (reward := client.get("/v1/reward").json()).get("frames", 0) < 8 and time.time() < deadline:
        time.sleep(0.1)
    assert reward["pairs"] >= 8 and reward["frames"] >= 8, reward
    fresh = _render(client, variations=3)
    ranking = client.get(f"/v1/jobs/{fresh['id']}/ranking").json()
    assert sorted(ranking["order"]) == [0, 1, 2]
    assert ranking["scores"] == sorted(ranking["scores"], reverse=True)


def _texture(seed: int, noise: float = 0.0) -> bytes:
    rng = np.random.default_rng(seed)
    blocks = np.kron(rng.integers(0, 255, size=(6, 4, 3)), np.ones((16, 16, 1)))
    blocks = blocks + noise * np.random.default_rng(seed + 1000).normal(size=blocks.shape)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(blocks, 0, 255).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_crop_is_identified_as_the_actor_it_shows(client):
    ids = {}
    for seed, name in enumerate(["ODILE", "BRUNO", "CLEM", "DEV", "EVE"], start=40):
        made = client.post("/v1/actors", json={"name": name}).json()
        assert "id" in made, made
        ids[name] = made["id"]
        client.post(f"/v1/actors/{ids[name]}/references", content=_texture(seed), headers={"content-type": "image/png"})
    for seed, name in enumerate(["ODILE", "BRUNO", "CLEM", "DEV", "EVE"], start=40):
        found = client.post("/v1/actors/identify", content=_texture(seed, noise=12.0),
                            headers={"content-type": "image/png"}).json()["matches"]
        assert found[0]["actor"]["name"] == name, (name, found)
    bad = client.post("/v1/actors/identify", content=b"not an image", headers={"content-type": "image/png"})
    assert bad.status_code == 422 and "PNG or JPEG" in bad.json()["hint"]
