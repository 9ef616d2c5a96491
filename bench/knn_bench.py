"""kNN over 100k 512-d embeddings: sqlite-vec float, sqlite-vec int8 and bit (with float
rescoring), numpy brute force, and the actor store's own query (its in-memory float16 index
with float32 rescoring, render_server/actors/vector_index.py). Prints p50/p95 per query and
recall@10 against exact.

Usage: .venv/bin/python bench/knn_bench.py [--n 100000] [--queries 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import apsw
import numpy as np
import sqlite_vec

from render_server.actors.store import ActorStore

K = 10
RESCORE = 200  # candidates taken from a quantized index before exact rescoring


def _connect(path: Path) -> apsw.Connection:
    db = apsw.Connection(str(path))
    db.enable_load_extension(True)
    db.load_extension(sqlite_vec.loadable_path())
    db.execute("PRAGMA journal_mode=WAL")
    return db


def _timed(fn, queries) -> tuple[list[float], list[list[int]]]:
    times, results = [], []
    for q in queries:
        started = time.perf_counter()
        results.append(fn(q))
        times.append((time.perf_counter() - started) * 1000)
    return times, results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    # Clustered data, like embeddings of many frames of fewer actors, not uniform noise.
    centres = rng.normal(size=(args.n // 50, args.dim)).astype(np.float32)
    data = centres[rng.integers(0, len(centres), args.n)] + 0.5 * rng.normal(size=(args.n, args.dim)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    queries = data[rng.integers(0, args.n, args.queries)] + 0.1 * rng.normal(size=(args.queries, args.dim))
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)

    with tempfile.TemporaryDirectory() as tmp:
        db = _connect(Path(tmp) / "knn.sqlite3")
        started = time.perf_counter()
        db.execute(f"CREATE VIRTUAL TABLE vf USING vec0(embedding float[{args.dim}] distance_metric=cosine)")
        db.execute(f"CREATE VIRTUAL TABLE vi USING vec0(embedding int8[{args.dim}])")
        db.execute(f"CREATE VIRTUAL TABLE vb USING vec0(embedding bit[{args.dim}])")
        with db:
            for i, v in enumerate(data):
                blob = v.tobytes()
                db.execute("INSERT INTO vf(rowid, embedding) VALUES (?, ?)", (i, blob))
                db.execute("INSERT INTO vi(rowid, embedding) VALUES (?, vec_quantize_int8(?, 'unit'))", (i, blob))
                db.execute("INSERT INTO vb(rowid, embedding) VALUES (?, vec_quantize_binary(?))", (i, blob))
        build = time.perf_counter() - started

        store = ActorStore(Path(tmp) / "actors.sqlite3")
        store._vec_table(args.dim)
        with store.db:
            for i, v in enumerate(data):
                store.db.execute("INSERT INTO embeddings(id, kind, source, model, dim, created_at) "
                                 "VALUES (?, 'image', 'approved', 'bench', ?, 0)", (i + 1, args.dim))
                store.db.execute(f"INSERT INTO vec_{args.dim}(rowid, embedding) VALUES (?, ?)", (i + 1, v.tobytes()))
        import torch  # noqa: F401  (imported before timing the load: the index scans with it)

        started = time.perf_counter()
        store.nearest_embeddings(queries[0], k=K)
        index_load = time.perf_counter() - started

        def exact(q):
            return list(np.argsort(-(data @ q))[:K])

        def numpy_partition(q):
            scores = data @ q
            top = np.argpartition(-scores, K)[:K]
            return list(top[np.argsort(-scores[top])])

        def store_query(q):
            return [row_id - 1 for row_id, *_ in store.nearest_embeddings(q, k=K)]

        def vec_float(q):
            rows = db.execute("SELECT rowid FROM vf WHERE embedding MATCH ? AND k = ? ORDER BY distance",
                              (q.tobytes(), K)).fetchall()
            return [r[0] for r in rows]

        def rescored(table, quantize):
            def search(q):
                rows = db.execute(f"SELECT rowid FROM {table} WHERE embedding MATCH {quantize} AND k = ? "
                                  "ORDER BY distance", (q.tobytes(), RESCORE)).fetchall()
                ids = np.array([r[0] for r in rows])
                return list(ids[np.argsort(-(data[ids] @ q))[:K]])
            return search

        methods = {
            "numpy brute force (float32, argsort)": exact,
            "numpy brute force (argpartition)": numpy_partition,
            "ActorStore.nearest_embeddings": store_query,
            "sqlite-vec float32": vec_float,
            f"sqlite-vec int8 + rescore {RESCORE}": rescored("vi", "vec_quantize_int8(?, 'unit')"),
            f"sqlite-vec bit + rescore {RESCORE}": rescored("vb", "vec_quantize_binary(?)"),
        }
        truth = [exact(q) for q in queries]
        print(f"\nkNN k={K} over {args.n:,} x {args.dim}-d (clustered, unit vectors), {args.queries} queries; "
              f"sqlite-vec build {build:.1f} s, store index load {index_load:.2f} s\n")
        print(f"{'method':<40}{'p50 ms':>9}{'p95 ms':>9}{'recall@10':>11}")
        for name, fn in methods.items():
            fn(queries[0])  # warm the page cache
            times, results = _timed(fn, queries)
            recall = statistics.mean(len(set(r) & set(t)) / K for r, t in zip(results, truth))
            times.sort()
            print(f"{name:<40}{statistics.median(times):>9.2f}{times[int(0.95 * (len(times) - 1))]:>9.2f}"
                  f"{recall:>11.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
