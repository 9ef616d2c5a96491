"""The actor store: a real SQLite file with sqlite-vec loaded through apsw."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from render_server.actors.migrations import MIGRATIONS
from render_server.actors.store import APPROVE_RATE, ActorStore, ActorStoreError
from shared_schema import ActorProfile

MODEL = "test-512"


def _vec(seed: int, dim: int = 512) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=dim).astype(np.float32)
    return v / np.linalg.norm(v)


def test_schema_is_versioned_and_reopening_does_not_migrate_twice(tmp_path):
    import apsw

    # A store written by the first release (schema 1) with one actor in it.
    old = apsw.Connection(str(tmp_path / "actors.sqlite3"))
    old.execute(MIGRATIONS[0][1])
    old.execute("PRAGMA user_version = 1")
    old.execute("INSERT INTO actors(id, name, prompt_hints, created_at, updated_at) "
                "VALUES ('a1', 'MARA', '[\"wary\"]', 0, 0)")
    old.execute("INSERT INTO notes(actor_id, text, created_at) VALUES ('a1', 'older', 0)")
    old.close()
    store = ActorStore(tmp_path / "actors.sqlite3")
    assert store.schema_version == MIGRATIONS[-1][0] == 5
    assert store.db.execute("SELECT text, promoted FROM notes").fetchall() == [("older", 0)]
    # Notes and standing hints of a single-user folder move into the default project, and stay there.
    assert [n["text"] for n in store.notes("a1", "default")] == ["older"] and store.notes("a1", "other") == []
    assert store.get("MARA", "default").prompt_hints == ["wary"] and store.get("MARA", "other").prompt_hints == []
    assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
    store.close()
    again = ActorStore(tmp_path / "actors.sqlite3")
    assert again.schema_version == 5 and [a.name for a in again.list()] == ["MARA"]
    assert again.db.execute("SELECT vec_version()").fetchone()[0].startswith("v")


def test_profile_moves_towards_an_approved_depiction_and_keeps_its_history(tmp_path):
    store = ActorStore(tmp_path / "actors.sqlite3")
    mara = store.create(ActorProfile(name="MARA", description="40s, soaked raincoat"))
    store.add_reference(mara.id, "/refs/mara.png", "abc", _vec(1), MODEL)
    before = store.profile(mara.id, MODEL)
    approved = _vec(2)
    after = store.record_verdict(mara.id, approved, MODEL, approved=True, ref="job1/0")
    assert float(after @ approved) > float(before @ approved), "closer to what the director approved"
    expected = (1 - APPROVE_RATE) * before + APPROVE_RATE * approved
    assert np.allclose(after, expected / np.linalg.norm(expected), atol=1e-6)
    rejected = _vec(3)
    moved = store.record_verdict(mara.id, rejected, MODEL, approved=False, ref="job2/0")
    assert float(moved @ rejected) < float(after @ rejected), "further from what was rejected"
    history = store.trajectory("MARA", MODEL)
    assert [h["cause"] for h in history] == ["reference", "approved", "rejected"]
    assert [h["ref"] for h in history] == ["/refs/mara.png", "job1/0", "job2/0"]
    assert np.allclose(history[-1]["vector"], store.profile(mara.id, MODEL))


def test_search_finds_the_right_actor_among_many(tmp_path):
    store = ActorStore(tmp_path / "actors.sqlite3")
    for i in range(60):
        actor = store.create(ActorProfile(name=f"ACTOR {i}"))
        store.add_reference(actor.id, f"/refs/{i}.png", str(i), _vec(100 + i), MODEL)
    query = _vec(100 + 37) + 0.3 * _vec(9999)  # a noisy depiction of actor 37
    best, distance = store.nearest_actors(query, MODEL, k=3)[0]
    assert best.name == "ACTOR 37" and distance < 0.2
    rows = store.nearest_embeddings(query, k=1, source="reference")
    assert rows[0][2] == "/refs/37.png"


def test_the_query_index_sees_new_embeddings_and_forgets_deleted_actors(tmp_path):
    store = ActorStore(tmp_path / "actors.sqlite3")
    rng = np.random.default_rng(0)
    for i in range(300):
        store.add_embedding(None, "image", "frame", rng.normal(size=512), MODEL, f"noise/{i}")
    tomas = store.create(ActorProfile(name="TOMAS"))
    target = _vec(7)
    assert store.nearest_embeddings(target, k=1)[0][2].startswith("noise/")  # index loaded now
    store.add_embedding(tomas.id, "image", "approved", target + 0.05 * _vec(8), MODEL, "job9/0")
    nearest = store.nearest_embeddings(target, k=3)
    assert nearest[0][1:3] == (tomas.id, "job9/0") and nearest[0][3] < 0.01
    assert [r[2] for r in store.nearest_embeddings(target, k=5, actor_id=tomas.id)] == ["job9/0"]
    assert all(r[2].startswith("noise/") for r in store.nearest_embeddings(target, k=5, source="frame"))
    top = store.nearest_embeddings(target, 20)
    assert [r[3] for r in top] == sorted(r[3] for r in top)
    assert all(abs(r[3] - (1 - float(_unit_rows(r[0], store) @ target))) < 1e-5 for r in top), "rescored exactly"
    store.delete(tomas.id)
    assert store.nearest_embeddings(target, k=1)[0][2].startswith("noise/")


def _unit_rows(row_id, store):
    blob = store.db.execute("SELECT embedding FROM vec_512 WHERE rowid = ?", (row_id,)).fetchone()[0]
    return np.frombuffer(blob, dtype=np.float32)


def test_names_are_unique_and_missing_actors_are_clear(tmp_path):
    store = ActorStore(tmp_path / "actors.sqlite3")
    store.create(ActorProfile(name="June"))
    with pytest.raises(ActorStoreError) as caught:
        store.create(ActorProfile(name="JUNE"))
    assert caught.value.code == "conflict"
    with pytest.raises(ActorStoreError) as caught:
        store.require("nobody")
    assert caught.value.code == "not_found"
    store.delete("june")
    assert store.list() == []


WRITER = """
import sys, numpy as np
sys.path.insert(0, {repo!r})
from render_server.actors.store import ActorStore
from shared_schema import ActorProfile
store = ActorStore({path!r})
actor = store.create(ActorProfile(name="MARA"))
for i in range(100000):
    v = np.random.default_rng(i).normal(size=512)
    if i % 2:  # an approval: embedding, profile step and history in one transaction
        store.record_verdict(actor.id, v, "m", approved=True, ref=str(i))
    else:
        store.add_embedding(actor.id, "image", "frame", v, "m", ref=str(i))
    print(i, flush=True)
"""


def test_sigkill_during_writes_loses_nothing_committed(tmp_path):
    from beatboard.paths import REPO

    path = tmp_path / "actors.sqlite3"
    writer = subprocess.Popen([sys.executable, "-c", WRITER.format(repo=str(REPO), path=str(path))],
                              stdout=subprocess.PIPE, text=True)
    acknowledged = -1
    deadline = time.monotonic() + 60
    while acknowledged < 200 and time.monotonic() < deadline:
        acknowledged = int(writer.stdout.readline())
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    store = ActorStore(path)
    count = store.db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
    vectors = store.db.execute("SELECT COUNT(*) FROM vec_512").fetchone()[0]
    assert count >= acknowledged + 1, "every write the writer saw committed is there"
    assert vectors == count, "the vector table and its metadata agree"
    approvals = store.db.execute("SELECT COUNT(*) FROM embeddings WHERE source = 'approved'").fetchone()[0]
    history = store.db.execute("SELECT COUNT(*) FROM profile_history").fetchone()[0]
    assert history == approvals >= (acknowledged + 1) // 2, "each approval moved the profile exactly once"
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_namesakes_in_two_scopes_keep_their_own_loras_and_hints(tmp_path):
    """A studio-wide MARA and one private to project Q: each is found where it belongs, and Q's LoRA
    is hidden from (and never applied in) project P while the studio MARA's is not."""
    store = ActorStore(tmp_path / "actors.sqlite3")
    private = store.create(ActorProfile(name="MARA", project="Q"))
    with pytest.raises(ActorStoreError, match="already exists"):  # by someone who can see Q's actors
        store.create(ActorProfile(name="Mara"), clashes={"Q"})
    studio = store.create(ActorProfile(name="Mara"), clashes={"P"})  # by someone in P only
    with pytest.raises(ActorStoreError, match="already exists"):
        store.create(ActorProfile(name="mara", project="Q"))
    assert store.has_namesake(studio.id) and store.has_namesake(private.id)
    assert store.get("mara", "Q").id == private.id and store.get("mara", "P").id == studio.id
    assert store.get("mara").id == studio.id
    store.add_lora_version(private.id, 1, str(tmp_path / "MARA@v1.safetensors"), "sd", 1, [], {}, True)
    store.add_lora_version(studio.id, 1, str(tmp_path / f"Mara-{studio.id}@v1.safetensors"), "sd", 1, [], {}, True)
    assert store.active_lora_name(private.id) == "MARA@v1"
    assert store.hidden_loras({"P"}) == {"mara@v1"}  # the name itself is the studio actor's too
    assert store.hidden_loras({"Q"}) == set() and store.hidden_loras(None) == set()
    store.set_hints(studio.id, "P", ["wary"])
    assert store.get(studio.id, "P").prompt_hints == ["wary"] and store.get(studio.id, "Q").prompt_hints == []
    store.close()
