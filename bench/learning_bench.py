"""Learning figures: the reward model's held-out ranking accuracy, and actor LoRA training.

Reward: a synthetic director who prefers warmer frames rates and picks among 3 variations
per job; frames are embedded by open_clip (random weights unless BEATBOARD_CLIP_CHECKPOINT
names real ones). Reported: held-out pair accuracy (jobs never seen in training), the same
with ratings shuffled (a control that must sit near 0.5), fit and rank times.

LoRA: the server's own LoraTrainer on --base tiny (the test models) or sd15 (a real-size
SD 1.5 UNet, VAE and text encoder from their published configurations with random weights,
no download), trained on synthetic approved crops: seconds per step, the whole job, and the
held-out evaluation.

Usage: .venv/bin/python bench/learning_bench.py [--base tiny|sd15] [--steps 20] [--crops 20]
       [--resolution 512] [--skip-reward] [--skip-lora]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from render_server.actors.embedder import ClipEmbedder  # noqa: E402
from render_server.actors.store import ActorStore  # noqa: E402
from render_server.backends.base import RenderContext  # noqa: E402
from render_server.learning.lora_training import LoraTrainer  # noqa: E402
from render_server.learning.reward import Judgement, train_reward  # noqa: E402
from render_server.settings import Settings  # noqa: E402
from shared_schema import ActorProfile  # noqa: E402


def _frame(rng, warmth: float, size: int = 128) -> Image.Image:
    base = np.kron(rng.integers(40, 200, size=(size // 16, size // 16, 3)).astype(np.float32), np.ones((16, 16, 1)))
    base[..., 0] += 60 * warmth
    base[..., 2] -= 60 * warmth
    return Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))


def reward_figures(jobs: int) -> None:
    embedder = ClipEmbedder()
    rng = np.random.default_rng(1)
    judged = []
    for job in range(jobs):
        warmth = rng.uniform(0, 1, size=3)
        vectors = embedder.images([_frame(rng, w) for w in warmth])
        for i, (w, vector) in enumerate(zip(warmth, vectors)):
            judged.append(Judgement(f"job{job}/{i}", f"job{job}", vector, rating=1 + int(round(4 * w)),
                                    picked=i == int(np.argmax(warmth))))
    started = time.perf_counter()
    reward = train_reward(judged, embedder.name)
    fit_s = time.perf_counter() - started
    shuffled = np.random.default_rng(5)
    control = [Judgement(j.frame_ref, j.job_id, j.vector, rating=int(shuffled.integers(1, 6))) for j in judged]
    control_accuracy = train_reward(control, embedder.name).metrics["held_out_accuracy"]
    variations = [_frame(rng, w) for w in rng.uniform(0, 1, size=4)]
    times = []
    for _ in range(5):
        started = time.perf_counter()
        reward.rank(embedder.images(variations))
        times.append(time.perf_counter() - started)
    m = reward.metrics
    print(f"\nReward model ({embedder.name}), {m['frames']} judged frames in {jobs} jobs, {m['pairs']} pairs\n")
    print(f"{'figure':<48}{'value':>10}")
    for name, value in [("held-out pairs", m["held_out_pairs"]),
                        ("held-out ranking accuracy", m["held_out_accuracy"]),
                        ("control: shuffled ratings, held-out accuracy", control_accuracy),
                        ("train accuracy", m["train_accuracy"]),
                        ("fit (split + refit), s", round(fit_s, 3)),
                        ("rank 4 variations incl. embedding, s (median)", round(statistics.median(times), 3))]:
        print(f"{name:<48}{value:>10}")


def _sd15_folder(out: Path) -> Path:
    from lora_step_bench import build_sd15_folder

    from render_server.diffusion.tiny_models import _tokenizer

    _tokenizer(out / "_tokenizer")
    return build_sd15_folder(out / "sd15-random", out / "_tokenizer")


def lora_figures(base: str, steps: int, crops: int, resolution: int, eval_steps: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        if base == "tiny":
            from render_server.diffusion.tiny_models import make_tiny_models

            folder = make_tiny_models(tmp / "models")["base"]
        else:
            folder = _sd15_folder(tmp / "models")
        build_s = time.perf_counter() - started
        settings = Settings(data_dir=tmp / "data", diffusers_model=str(folder), lora_train_steps=steps,
                            lora_train_resolution=resolution, lora_eval_steps=eval_steps)
        store = ActorStore(settings.actors_db_path)
        actor = store.create(ActorProfile(name="MARA", description="forties, raincoat"))
        approved = settings.artifacts.approved_dir(actor.id)
        approved.mkdir(parents=True)
        rng = np.random.default_rng(0)
        for i in range(crops):
            _frame(rng, 0.5, size=resolution).save(approved / f"job{i}_0.png")
            # Training takes the crops whose approval is recorded, as feedback records it.
            vector = np.random.default_rng(1000 + i).normal(size=16)
            store.record_verdict(actor.id, vector, "bench", approved=True, ref=f"job{i}/0")
        marks: list[tuple[float, str]] = []
        ctx = RenderContext(report=lambda fraction, message: marks.append((time.perf_counter(), message)),
                            is_cancelled=lambda: False)
        trainer = LoraTrainer(settings, store, ClipEmbedder())
        started = time.perf_counter()
        version = trainer.train(actor.id, steps, ctx)
        total_s = time.perf_counter() - started
        step_marks = [t for t, m in marks if m.startswith("training step")]
        per_step = statistics.median(np.diff(step_marks)) if len(step_marks) > 2 else float("nan")
        eval_start = next(t for t, m in marks if m.startswith("evaluating"))
        import torch

        device = torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU"
        print(f"\nLoRA training, base {base} ({device}), {crops} crops at {resolution}px, batch 4, "
              f"rank {settings.lora_train_rank}, {steps} steps, eval {eval_steps} steps\n")
        print(f"{'figure':<48}{'value':>10}")
        for name, value in [("build the base model folder, s", round(build_s, 1)),
                            ("seconds per training step (median)", round(per_step, 4)),
                            ("whole job (load, train, save, evaluate), s", round(total_s, 1)),
                            ("held-out evaluation (2 versions), s", round(started + total_s - eval_start, 1)),
                            ("first-tenth loss", version.metrics["first_loss"]),
                            ("last-tenth loss", version.metrics["final_loss"]),
                            (f"status ({version.metrics['held_out_similarity']:.4f} vs "
                             f"{version.metrics['previous_similarity']:.4f})", version.status)]:
            print(f"{name:<48}{value:>10}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", choices=("tiny", "sd15"), default="tiny")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--crops", type=int, default=20)
    parser.add_argument("--resolution", type=int, default=0, help="default: 64 for tiny, 512 for sd15")
    parser.add_argument("--eval-steps", type=int, default=0, help="default: 2 for tiny, 20 for sd15")
    parser.add_argument("--jobs", type=int, default=48)
    parser.add_argument("--skip-reward", action="store_true")
    parser.add_argument("--skip-lora", action="store_true")
    args = parser.parse_args()
    if not args.skip_reward:
        reward_figures(args.jobs)
    if not args.skip_lora:
        resolution = args.resolution or (64 if args.base == "tiny" else 512)
        eval_steps = args.eval_steps or (2 if args.base == "tiny" else 20)
        lora_figures(args.base, args.steps, args.crops, resolution, eval_steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
