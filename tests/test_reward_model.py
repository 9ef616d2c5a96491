"""The reward model learns what the director prefers from ratings and picks, over real
(random-weight) open_clip image embeddings, and ranks unseen variations by it."""

import numpy as np
import pytest
from PIL import Image

from render_server.learning.reward import Judgement, RewardModel, is_held_out, preference_pairs, train_reward

pytestmark = pytest.mark.slow


def _frame(rng, warmth: float) -> Image.Image:
    """A busy random frame, graded warmer (more red, less blue) as warmth goes 0 -> 1."""
    base = rng.integers(40, 200, size=(8, 12, 3)).astype(np.float32)
    base = np.kron(base, np.ones((16, 16, 1)))
    base[..., 0] += 60 * warmth
    base[..., 2] -= 60 * warmth
    return Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))


@pytest.fixture(scope="module")
def embedder(clip_embedder):
    return clip_embedder


def test_preference_pairs_follow_picks_ratings_and_verdicts():
    v = np.zeros(4)
    judged = [Judgement("a/0", "a", v, picked=True), Judgement("a/1", "a", v, rating=2),
              Judgement("b/0", "b", v, rating=4, verdict="APPROVE"), Judgement("b/1", "b", v, verdict="REJECT")]
    assert set(preference_pairs(judged)) == {(0, 1), (2, 1), (2, 3)}


def test_the_reward_model_learns_a_directors_taste_and_ranks_held_out_pairs(embedder, tmp_path):
    rng = np.random.default_rng(1)
    judged, warmth_of = [], {}
    for job in range(48):
        warmth = rng.uniform(0, 1, size=3)
        vectors = embedder.images([_frame(rng, w) for w in warmth])
        best = int(np.argmax(warmth))
        for i, (w, vector) in enumerate(zip(warmth, vectors)):
            ref = f"job{job}/{i}"
            warmth_of[ref] = w
            judged.append(Judgement(ref, f"job{job}", vector, rating=1 + int(round(4 * w)), picked=i == best))
    assert 0 < sum(is_held_out(j.job_id) for j in judged) < len(judged)
    reward = train_reward(judged, embedder.name)
    assert reward.metrics["held_out_pairs"] > 30
    assert reward.metrics["held_out_accuracy"] >= 0.8, reward.metrics  # chance is 0.5
    # Saved and loaded, it ranks fresh variations warmest first.
    reward.save(tmp_path / "reward.npz")
    loaded = RewardModel.load(tmp_path / "reward.npz")
    fresh = np.array([0.1, 0.9, 0.5])
    order = loaded.rank(embedder.images([_frame(rng, w) for w in fresh]))
    assert order[0] == 1 and order[-1] == 0
    # Control: the same frames with ratings unrelated to them stay near chance on held-out jobs.
    shuffled = np.random.default_rng(5)
    for j in judged:
        j.rating, j.picked = int(shuffled.integers(1, 6)), False
    assert train_reward(judged, embedder.name).metrics["held_out_accuracy"] < 0.65


def test_no_contrast_in_the_feedback_is_said_plainly(embedder):
    v = np.ones(512, dtype=np.float32)
    with pytest.raises(ValueError, match="no preferences"):
        train_reward([Judgement("a/0", "a", v, rating=3), Judgement("b/0", "b", v, rating=3)], embedder.name)
