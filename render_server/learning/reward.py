"""A reward model over image embeddings, trained on the director's ratings and picks.

A linear head w scores an embedding; a preference "a over b" has probability
sigmoid(w . (a - b)) (Bradley-Terry), fitted by L2-regularized logistic regression on the
differences. A linear head because the director judges a few hundred frames, not millions:
a bigger head only overfits them. Evaluated on pairs from jobs it never saw.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HELD_OUT_SHARE = 0.25
MAX_PAIRS = 20000  # ratings compare every rated frame with every other: sample beyond this


@dataclass
class Judgement:
    """One judged frame: its embedding, the job it came from, and what the director said."""

    frame_ref: str
    job_id: str
    vector: np.ndarray
    rating: int = 0  # 1..5, 0 when not rated
    verdict: str = "NONE"
    picked: bool = False


def preference_pairs(judged: list[Judgement]) -> list[tuple[int, int]]:
    """(winner, loser) index pairs the feedback implies.

    Within a job, the picked variation beats the others. Anywhere, a higher rating beats a
    lower one and an approval beats a rejection (ratings are on one scale for the board).
    """
    ratings = np.array([j.rating for j in judged])
    approved = np.array([j.verdict == "APPROVE" for j in judged])
    rejected = np.array([j.verdict == "REJECT" for j in judged])
    picked = np.array([j.picked for j in judged])
    jobs = np.unique([j.job_id for j in judged], return_inverse=True)[1]
    rated = ratings > 0
    wins = (rated[:, None] & rated[None, :] & (ratings[:, None] > ratings[None, :]))
    wins |= approved[:, None] & rejected[None, :]
    wins |= (jobs[:, None] == jobs[None, :]) & picked[:, None] & ~picked[None, :]
    pairs = np.argwhere(wins)
    if len(pairs) > MAX_PAIRS:
        pairs = pairs[np.sort(np.random.default_rng(0).choice(len(pairs), MAX_PAIRS, replace=False))]
    return [(int(a), int(b)) for a, b in pairs]


def is_held_out(job_id: str) -> bool:
    """A stable split by job, so variations of one job never sit on both sides."""
    return int(hashlib.sha256(job_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < HELD_OUT_SHARE


class RewardModel:
    def __init__(self, weights: np.ndarray, model: str, metrics: dict):
        self.weights = weights.astype(np.float32)
        self.model = model
        self.metrics = metrics

    def score(self, vectors: np.ndarray) -> np.ndarray:
        return np.asarray(vectors, dtype=np.float32) @ self.weights

    def rank(self, vectors: np.ndarray) -> list[int]:
        """Indices best-first."""
        return [int(i) for i in np.argsort(-self.score(vectors), kind="stable")]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, weights=self.weights, model=self.model, metrics=json.dumps(self.metrics))

    @classmethod
    def load(cls, path: Path) -> "RewardModel":
        with np.load(path) as data:
            return cls(data["weights"], str(data["model"]), json.loads(str(data["metrics"])))


def _fit(differences: np.ndarray, l2: float = 1e-2, iterations: int = 8) -> np.ndarray:
    """Logistic regression without intercept on (winner - loser) vectors, by Newton's method
    (a 512x512 solve per iteration: converges in a few, unlike gradient descent)."""
    x = differences.astype(np.float64)
    w = np.zeros(x.shape[1])
    n = len(x)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        gradient = x.T @ (p - 1.0) / n + l2 * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x / n + l2 * np.eye(x.shape[1])
        w -= np.linalg.solve(hessian, gradient)
    return w


def pair_accuracy(weights: np.ndarray, vectors: np.ndarray, pairs: list[tuple[int, int]]) -> float:
    scores = vectors @ weights
    return float(np.mean([scores[a] > scores[b] for a, b in pairs])) if pairs else float("nan")


def train_reward(judged: list[Judgement], model: str) -> RewardModel:
    """Fit on the training jobs' pairs, report accuracy on the held-out jobs' pairs, then refit on all."""
    if not judged:
        raise ValueError("no judged frames yet: rate, approve or pick some variations first")
    vectors = np.stack([j.vector for j in judged]).astype(np.float32)
    pairs = preference_pairs(judged)
    if not pairs:
        raise ValueError("the feedback implies no preferences yet: rate frames differently, or pick a variation")
    held = [is_held_out(j.job_id) for j in judged]
    train = [(a, b) for a, b in pairs if not held[a] and not held[b]]
    test = [(a, b) for a, b in pairs if held[a] and held[b]]
    metrics = {"pairs": len(pairs), "train_pairs": len(train), "held_out_pairs": len(test),
               "frames": len(judged)}
    if train and test:
        w = _fit(vectors[[a for a, _ in train]] - vectors[[b for _, b in train]])
        metrics["held_out_accuracy"] = round(pair_accuracy(w, vectors, test), 4)
        metrics["train_accuracy"] = round(pair_accuracy(w, vectors, train), 4)
    w = _fit(vectors[[a for a, _ in pairs]] - vectors[[b for _, b in pairs]])
    return RewardModel(w.astype(np.float32), model, metrics)
