"""The actor database under concurrent use: the server calls one repository from many threads."""

import threading

import numpy as np

from render_server.actors.store import ActorStore
from shared_schema import ActorProfile

MODEL = "test-64"


def test_many_threads_reading_and_writing_one_repository_all_succeed(tmp_path):
    store = ActorStore(tmp_path / "actors.sqlite3")
    rng = np.random.default_rng(0)
    seed = [store.create(ActorProfile(name=f"SEED{i}"), rng.normal(size=64), MODEL) for i in range(3)]
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def work(worker: int) -> None:
        try:
            start.wait()
            for i in range(40):
                actor = seed[(worker + i) % len(seed)]
                if i % 4 == 0:
                    store.create(ActorProfile(name=f"W{worker}-{i}"), np.ones(64) + worker + i, MODEL)
                    store.add_note(actor.id, f"note {worker} {i}")
                    store.cast_character(f"CHAR{worker}", actor.id, "default")
                store.get(actor.id)
                store.list()
                store.notes(actor.id)
                store.castings("default")
                store.nearest_embeddings(np.ones(64), k=3)
        except BaseException as error:  # noqa: BLE001 - any failure in a thread fails the test
            errors.append(error)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.list()) == 3 + 6 * 10
    assert sum(len(store.notes(a.id)) for a in seed) == 6 * 10
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.close()
