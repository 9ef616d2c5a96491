"""Actor LoRA training speed on a real-size SD 1.5 (UNet, VAE, text encoder from their
published configurations, random weights, no download): the server's own training loop
(render_server/learning/lora_training.py), seconds per step at 512 px, batch 4.

Runs where only torch, diffusers, transformers and peft are installed (the GPU machine):
pass --tokenizer DIR, a CLIP tokenizer folder made here beforehand with
`python bench/lora_step_bench.py --make-tokenizer DIR`.

Usage: python bench/lora_step_bench.py [--tokenizer DIR] [--steps 30] [--resolution 512]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from render_server.storage.artifacts import ArtifactStore  # noqa: E402
from render_server.backends.base import RenderContext  # noqa: E402
from render_server.learning.lora_training import LoraTrainer  # noqa: E402


def build_sd15_folder(out: Path, tokenizer_dir: Path) -> Path:
    import torch
    from diffusers import AutoencoderKL, DDPMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from diffusion_bench import SD15_UNET, VAE
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    torch.manual_seed(0)
    pipe = StableDiffusionPipeline(
        vae=AutoencoderKL(**VAE), unet=UNet2DConditionModel(**SD15_UNET),
        text_encoder=CLIPTextModel(CLIPTextConfig(hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                                                  num_attention_heads=12, vocab_size=49408,
                                                  max_position_embeddings=77, projection_dim=768)),
        tokenizer=CLIPTokenizer.from_pretrained(str(tokenizer_dir)),
        scheduler=DDPMScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012),
        safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    pipe.save_pretrained(out, safe_serialization=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--make-tokenizer", type=Path)
    parser.add_argument("--tokenizer", type=Path)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--resolution", type=int, default=512)
    parser.add_argument("--crops", type=int, default=20)
    parser.add_argument("--rank", type=int, default=8)
    args = parser.parse_args()
    if args.make_tokenizer:
        from render_server.diffusion.tiny_models import _tokenizer

        _tokenizer(args.make_tokenizer)
        return 0
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tokenizer = args.tokenizer
        if tokenizer is None:
            from render_server.diffusion.tiny_models import _tokenizer

            tokenizer = tmp / "tokenizer"
            _tokenizer(tokenizer)
        started = time.perf_counter()
        base = build_sd15_folder(tmp / "sd15", tokenizer)
        build_s = time.perf_counter() - started
        rng = np.random.default_rng(0)
        crops = []
        for i in range(args.crops):
            path = tmp / f"crop{i}.png"
            Image.fromarray(rng.integers(0, 255, size=(args.resolution, args.resolution, 3), dtype=np.uint8)).save(path)
            crops.append(path)
        settings = SimpleNamespace(lora_train_rank=args.rank, lora_train_resolution=args.resolution,
                                   lora_train_learning_rate=1e-4, artifacts=ArtifactStore(tmp))
        trainer = LoraTrainer(settings, None, None)
        started = time.perf_counter()
        models = trainer._load_base(str(base), device)
        load_s = time.perf_counter() - started
        marks: list[float] = []
        ctx = RenderContext(report=lambda fraction, message: marks.append(time.perf_counter()),
                            is_cancelled=lambda: False)
        if device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        started = time.perf_counter()
        losses = trainer._fit(*models, crops, "a photo of Mara", args.steps, device, ctx, lambda: None)
        fit_s = time.perf_counter() - started
        per_step = statistics.median(np.diff(marks[len(marks) // 5:]))  # after warm-up
        trainable = sum(p.numel() for p in models[0].parameters() if p.requires_grad)
        name = torch.cuda.get_device_name() if device == "cuda" else "CPU"
        print(f"\nLoRA training step, real-size SD 1.5 (random weights), {name}, {args.resolution}px, batch 4, "
              f"rank {args.rank} ({trainable / 1e6:.2f} M trainable), {args.steps} steps\n")
        print(f"{'figure':<44}{'value':>12}")
        rows = [("build + save the base folder, s", round(build_s, 1)), ("load base + add LoRA, s", round(load_s, 1)),
                ("seconds per step (median after warm-up)", round(per_step, 4)),
                ("fit incl. VAE encode of crops, s", round(fit_s, 1)),
                ("300-step job (default), extrapolated, s", round(300 * per_step, 0)),
                ("loss first / last", f"{losses[0]:.3f}/{losses[-1]:.3f}")]
        if device == "cuda":
            rows.append(("peak GPU memory, GiB", round(torch.cuda.max_memory_allocated() / 2**30, 2)))
        for label, value in rows:
            print(f"{label:<44}{value!s:>12}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
