"""Project isolation below the API: the kNN mask for private actors, and ``beatboard users`` on a data
folder no server holds."""

from __future__ import annotations

import numpy as np

from beatboard.cli import main as cli
from render_server.actors.store import ActorStore
from render_server.people import PeopleRepository, PeopleService
from shared_schema import ActorProfile

MODEL = "test-64"


def _near(base: np.ndarray, seed: int, spread: float) -> np.ndarray:
    v = base + spread * np.random.default_rng(seed).normal(size=base.shape).astype(np.float32)
    return v / np.linalg.norm(v)


def test_hiding_private_actors_happens_before_the_top_k_so_the_answer_stays_whole(tmp_path):
    store = ActorStore(tmp_path / "actors.sqlite3")
    query = _near(np.ones(64, dtype=np.float32), 0, 0.0)
    private = store.create(ActorProfile(name="Lookalike", project="p-nda"))
    public = store.create(ActorProfile(name="Baker"))
    for i in range(80):  # the private actor crowds the neighbourhood of the query
        store.add_embedding(private.id, "image", "reference", _near(query, i, 0.05), MODEL, f"p{i}")
    for i in range(5):
        store.add_embedding(public.id, "image", "reference", _near(query, 100 + i, 0.5), MODEL, f"b{i}")
    unfiltered = store.nearest_embeddings(query, k=5, source="reference")
    assert {actor for _, actor, _, _ in unfiltered} == {private.id}
    hidden = frozenset(store.private_actor_ids("p-other"))
    assert hidden == {private.id}
    filtered = store.nearest_embeddings(query, k=5, source="reference", hide=hidden)
    assert len(filtered) == 5 and {actor for _, actor, _, _ in filtered} == {public.id}
    assert store.private_actor_ids("p-nda") == set()  # in its own project it is no stranger
    store.close()


def test_users_directly_on_a_data_folder_no_server_holds(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("BEATBOARD_TOKEN", raising=False)
    data = tmp_path / "data"
    assert cli(["users", "add", "ann", "--role", "admin", "--data-dir", str(data)]) == 0
    token = next(line.strip() for line in capsys.readouterr().out.splitlines() if line.strip().startswith("bb_"))
    assert cli(["users", "add", "bob", "--role", "viewer", "--data-dir", str(data)]) == 0
    assert cli(["users", "revoke", "bob", "--data-dir", str(data)]) == 0
    assert cli(["users", "add", "ann", "--role", "viewer", "--data-dir", str(data)]) == 1
    assert "already exists" in capsys.readouterr().err
    people = PeopleService(PeopleRepository(data / "people.sqlite3"))
    assert people.authenticate(token).name == "ann"
    assert [u["name"] for u in people.users() if not u["revoked"]] == ["ann"]
    assert not (data / "people.sqlite3").read_bytes().count(token.encode())
    people.repo.close()
