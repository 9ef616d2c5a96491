"""An in-memory kNN index over the store's embeddings of one dimension.

sqlite-vec keeps the vectors durably, but its brute-force scan takes ~100 ms at 100k x 512
on this class of machine (bench/knn_bench.py); the target is 10 ms. This index scans a
float16 copy with torch (3 ms at 100k) and rescores the best candidates exactly in float32.
It never holds anything the database has not committed: before each query it catches up
on rows newer than the last one it read, and a delete drops it to be rebuilt.
"""

from __future__ import annotations

import threading
from typing import Callable, Iterable, Optional

import numpy as np

RESCORE = 64  # float16 candidates rescored exactly in float32


class VectorIndex:
    def __init__(self, dim: int, fetch_newer: Callable[[int], Iterable[tuple[int, Optional[str], str, bytes]]]):
        """``fetch_newer(after_id)`` yields committed (id, actor_id, source, float32 blob) rows."""
        self.dim = dim
        self._fetch_newer = fetch_newer
        self._lock = threading.Lock()
        self._ids = np.zeros(0, dtype=np.int64)
        self._actors: list[Optional[str]] = []
        # Integer codes per row, so filters are one vectorized comparison.
        self._codes: dict[tuple[str, Optional[str]], int] = {}
        self._source_codes = np.zeros(0, dtype=np.int32)
        self._actor_codes = np.zeros(0, dtype=np.int32)
        self._exact = np.zeros((0, dim), dtype=np.float32)
        self._coarse = None  # torch float16 (n, dim)
        self._last_id = 0

    def __len__(self) -> int:
        return len(self._ids)

    def _catch_up(self) -> None:
        rows = list(self._fetch_newer(self._last_id))
        if not rows:
            return
        import torch

        ids = np.array([r[0] for r in rows], dtype=np.int64)
        vectors = np.frombuffer(b"".join(r[3] for r in rows), dtype=np.float32).reshape(len(rows), self.dim)
        self._ids = np.concatenate([self._ids, ids])
        self._actors.extend(r[1] for r in rows)
        self._source_codes = np.concatenate([self._source_codes, [self._code("source", r[2]) for r in rows]])
        self._actor_codes = np.concatenate([self._actor_codes, [self._code("actor", r[1]) for r in rows]])
        self._exact = np.concatenate([self._exact, vectors])
        coarse = torch.tensor(vectors, dtype=torch.float16)
        self._coarse = coarse if self._coarse is None else torch.cat([self._coarse, coarse])
        self._last_id = int(ids.max())

    def _code(self, field: str, value: Optional[str]) -> int:
        return self._codes.setdefault((field, value), len(self._codes))

    def search(self, query: np.ndarray, k: int, source: Optional[str] = None, actor_id: Optional[str] = None,
               hide_actors: frozenset = frozenset()) -> list[tuple[int, Optional[str], float]]:
        """The k nearest committed embeddings: (id, actor id, cosine distance), nearest first. Rows of the
        actors in ``hide_actors`` are masked before the top k, so hiding never shortens the answer."""
        import torch

        with self._lock:
            self._catch_up()
            if not len(self._ids):
                return []
            scores = torch.mv(self._coarse, torch.from_numpy(query.astype(np.float16))).float()
            if source is not None or actor_id is not None or hide_actors:
                keep = np.ones(len(self._ids), dtype=bool)
                for hidden in hide_actors:
                    keep &= self._actor_codes != self._codes.get(("actor", hidden), -1)
                if source is not None:
                    keep &= self._source_codes == self._codes.get(("source", source), -1)
                if actor_id is not None:
                    keep &= self._actor_codes == self._codes.get(("actor", actor_id), -1)
                scores.masked_fill_(torch.from_numpy(~keep), float("-inf"))
            top = torch.topk(scores, min(len(scores), max(k, RESCORE)))
            candidates = top.indices.numpy()[np.isfinite(top.values.numpy())]
            exact = self._exact[candidates] @ query
            order = candidates[np.argsort(-exact)][:k]
            distances = 1.0 - self._exact[order] @ query
            return [(int(self._ids[i]), self._actors[i], float(d)) for i, d in zip(order, distances)]
