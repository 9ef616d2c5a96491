"""Actors over HTTP: profiles, reference images, casting search (open_clip, random weights)."""

import io
import os

import numpy as np

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from render_server.app import create_app
from render_server.settings import Settings

pytestmark = pytest.mark.slow

CAST = {
    "MARA": "a woman in her forties in a soaked raincoat carrying a battered suitcase",
    "TOMAS": "an old ferryman with reading glasses on a cord counting coins",
    "JUNE": "a young harbour police officer with a flashlight and a rain-soaked cap",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with TestClient(create_app(Settings(data_dir=tmp_path_factory.mktemp("data")))) as c:
        yield c


def test_actors_are_created_listed_patched_and_deleted(client):
    for name, description in CAST.items():
        response = client.post("/v1/actors", json={"name": name, "description": description, "height_m": 1.7})
        assert response.status_code == 201, response.text
    assert [a["name"] for a in client.get("/v1/actors").json()] == ["JUNE", "MARA", "TOMAS"]
    tomas = client.get("/v1/actors/tomas").json()
    patched = client.patch(f"/v1/actors/{tomas['id']}", json={"prompt_hints": ["grey beard"]}).json()
    assert patched["prompt_hints"] == ["grey beard"] and patched["description"] == CAST["TOMAS"]
    duplicate = client.post("/v1/actors", json={"name": "mara"})
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "conflict"
    temp = client.post("/v1/actors", json={"name": "EXTRA"}).json()
    assert client.delete(f"/v1/actors/{temp['id']}").status_code == 204
    assert client.get(f"/v1/actors/{temp['id']}").status_code == 404


def test_search_by_description_returns_that_actor_first(client):
    for name, description in CAST.items():
        matches = client.post("/v1/actors/search", json={"text": description, "k": 3}).json()
        assert matches["matches"][0]["actor"]["name"] == name
        assert matches["matches"][0]["distance"] < 1e-4
        assert matches["model"] == "tiny_clip:random"  # the model the tests configure (conftest)
    assert client.post("/v1/actors/search", json={"text": " "}).status_code == 422


def test_reference_images_are_stored_embedded_and_refused_when_not_images(client):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 96), (180, 40, 40)).save(buffer, format="PNG")
    response = client.post("/v1/actors/MARA/references", content=buffer.getvalue(),
                           headers={"content-type": "image/png"})
    assert response.status_code == 201
    retried = client.post("/v1/actors/MARA/references", content=buffer.getvalue(),
                          headers={"content-type": "image/png"})
    assert retried.json()["references"] == response.json()["references"], "the same image is kept once"
    bad = client.post("/v1/actors/MARA/references", content=b"not an image", headers={"content-type": "image/png"})
    assert bad.status_code == 422 and "PNG or JPEG" in bad.json()["hint"]
    assert client.post("/v1/actors/NOBODY/references", content=buffer.getvalue(),
                       headers={"content-type": "image/png"}).status_code == 404


def test_two_random_weight_embedders_give_the_same_vectors():
    import numpy as np

    from render_server.actors.embedder import ClipEmbedder

    model = os.environ["BEATBOARD_CLIP_MODEL"]
    a, b = ClipEmbedder(model).texts(["an old ferryman"]), ClipEmbedder(model).texts(["an old ferryman"])
    assert np.allclose(a, b), "vectors stored under one model name must come from one model"


def test_a_json_config_gives_clip_at_other_sizes_and_a_missing_one_is_named(tmp_path):
    from render_server.actors.embedder import ClipEmbedder
    from tests.conftest import TINY_CLIP

    tiny = ClipEmbedder(str(TINY_CLIP))
    assert tiny.name == "tiny_clip:random"
    vectors = tiny.images([Image.new("RGB", (48, 64), (200, 30, 30)), Image.new("RGB", (48, 64), (30, 30, 200))])
    assert vectors.shape == (2, 64) and tiny.texts(["a ferryman"]).shape == (1, 64)
    assert not np.allclose(vectors[0], vectors[1])
    with pytest.raises(FileNotFoundError, match="no open_clip model config"):
        ClipEmbedder(str(tmp_path / "missing.json"))
