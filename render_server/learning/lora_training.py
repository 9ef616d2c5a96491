"""Per-actor LoRA fine-tuning on the crops the director approved (diffusers + peft).

The standard text-to-image LoRA recipe (as in diffusers' train_text_to_image_lora example):
LoRA adapters on the UNet's attention projections, noise-prediction MSE on VAE latents of
the crops, captioned "a photo of NAME, description". Each run writes NAME@vN.safetensors.

Acceptance: a fifth of the crops (at least one) is held out. The new LoRA and the one in use
(or no LoRA, for a first version) each draw every held-out crop's caption with the same
seed; the mean CLIP similarity between drawing and crop is the score. The new version is
used only if it scores higher; otherwise it is kept aside with its metrics.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

import numpy as np
from PIL import Image

from shared_schema import LoraVersion

from ..actors.errors import ActorStoreError
from ..backends.base import BackendError, JobCancelled, RenderContext
from ..diffusion.loading import check_source, load_error
from .training_source import LocalTrainingSource, TrainingSource, lora_versions

if TYPE_CHECKING:  # kept out of the import so the training loop runs where only torch is installed
    from ..actors.embedder import ClipEmbedder
    from ..actors.repository import ActorRepository
    from ..settings import Settings

log = logging.getLogger("beatboard.lora")

HELD_OUT_SHARE = 0.2
TARGET_MODULES = ["to_q", "to_k", "to_v", "to_out.0"]


@dataclass
class TrainingPlan:
    actor_id: str
    steps: int
    train: list[Path]
    held_out: list[Path]


def split_crops(crops: list[Path]) -> tuple[list[Path], list[Path]]:
    """A stable split by file name; at least one crop on each side."""
    if len(crops) < 2:
        raise ActorStoreError("conflict", f"{len(crops)} approved crop(s) is too few to train a LoRA",
                              "approve at least 2 frames with this actor (20 or more for a useful LoRA)")
    ranked = sorted(crops, key=lambda p: hashlib.sha256(p.name.encode()).hexdigest())
    held = max(1, int(round(len(crops) * HELD_OUT_SHARE)))
    return sorted(ranked[held:]), sorted(ranked[:held])


class LoraTrainer:
    """Trains on what a training source gives (training_source.py). ``store`` is the embedded
    server's actor database (``train`` by actor id, ``versions``); a team-mode worker has none
    and calls ``train_from`` with the API as its source."""

    def __init__(self, settings: Settings, store: Optional[ActorRepository], embedder: ClipEmbedder):
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.artifacts = settings.artifacts

    @property
    def lora_dir(self) -> Path:
        return self.artifacts.lora_dir

    def approved_crops(self, actor_id: str) -> list[Path]:
        return self.artifacts.approved_crops(actor_id, self.store.approved_refs(actor_id))

    def versions(self, actor_id: str) -> list[LoraVersion]:
        return lora_versions(self.store, actor_id)

    # -- the job ---------------------------------------------------------------------------
    def train(self, actor_id: str, steps: int, ctx: RenderContext,
              between_steps: Callable[[], None] = lambda: None) -> LoraVersion:
        return self.train_from(LocalTrainingSource(self.store, self.artifacts, actor_id), steps, ctx, between_steps)

    def train_from(self, source: TrainingSource, steps: int, ctx: RenderContext,
                   between_steps: Callable[[], None] = lambda: None) -> LoraVersion:
        import torch

        actor = source.actor
        base = check_source(self.settings.diffusers_model, "diffusion model", "BEATBOARD_DIFFUSERS_MODEL")
        train, held_out = split_crops(source.crops())
        steps = steps or self.settings.lora_train_steps
        caption = f"a photo of {actor.name.title()}" + (f", {actor.description}" if actor.description else "")
        device = "cuda" if torch.cuda.is_available() and self.settings.diffusers_device != "cpu" else "cpu"
        started = time.perf_counter()
        unet, vae, text_encoder, tokenizer, noise_scheduler = self._load_base(base, device)
        try:
            losses = self._fit(unet, vae, text_encoder, tokenizer, noise_scheduler, train, caption, steps, device,
                               ctx, between_steps)
        except BaseException:
            del unet, vae, text_encoder
            _free_memory()
            raise
        version = source.next_version()
        name = source.lora_name(version)
        path = self._save(unet, name)
        del unet, vae, text_encoder
        _free_memory()
        ctx.report(0.9, f"evaluating {name} on {len(held_out)} held-out crop(s)")
        previous = source.active_lora()
        new_score = self._score(base, device, path, held_out, caption)
        old_score = self._score(base, device, previous, held_out, caption)
        accepted = new_score > old_score
        metrics = {"held_out_similarity": round(new_score, 5), "previous_similarity": round(old_score, 5),
                   "train_crops": len(train), "held_out_crops": len(held_out),
                   "first_loss": round(float(np.mean(losses[: max(1, len(losses) // 10)])), 5),
                   "final_loss": round(float(np.mean(losses[-max(1, len(losses) // 10):])), 5),
                   "seconds": round(time.perf_counter() - started, 2)}
        registered = source.register(version, path, base, steps, [p.name for p in train + held_out], metrics,
                                     accepted)
        log.info("%s: %s (%s)", registered.name, "in use" if accepted else "kept aside", metrics)
        return registered

    def _load_base(self, base: str, device: str):
        import torch
        from diffusers import AutoencoderKL, DDPMScheduler, UNet2DConditionModel
        from peft import LoraConfig
        from transformers import CLIPTextModel, CLIPTokenizer

        if (Path(base) / "text_encoder_2").exists():
            raise BackendError("validation_error", "LoRA training supports SD 1.5-family base models",
                               "point BEATBOARD_DIFFUSERS_MODEL at an SD 1.5 model to train actor LoRAs")
        _quiet_progress_bars()
        # Frozen parts in half precision on a GPU; the trained LoRA weights stay float32.
        frozen = torch.float16 if device == "cuda" else torch.float32
        try:
            unet = UNet2DConditionModel.from_pretrained(base, subfolder="unet", use_safetensors=True,
                                                        dtype=frozen)
            vae = AutoencoderKL.from_pretrained(base, subfolder="vae", use_safetensors=True, dtype=frozen)
            text_encoder = CLIPTextModel.from_pretrained(base, subfolder="text_encoder", use_safetensors=True,
                                                         dtype=frozen)
            tokenizer = CLIPTokenizer.from_pretrained(base, subfolder="tokenizer")
            noise_scheduler = DDPMScheduler.from_pretrained(base, subfolder="scheduler")
        except (OSError, ValueError) as exc:
            raise load_error(exc, base, "diffusion model", "BEATBOARD_DIFFUSERS_MODEL") from None
        for model in (unet, vae, text_encoder):
            model.requires_grad_(False)
            model.to(device)
        unet.add_adapter(LoraConfig(r=self.settings.lora_train_rank, lora_alpha=self.settings.lora_train_rank,
                                    init_lora_weights="gaussian", target_modules=TARGET_MODULES))
        for parameter in unet.parameters():
            if parameter.requires_grad:
                parameter.data = parameter.data.float()
        return unet, vae, text_encoder, tokenizer, noise_scheduler

    def _fit(self, unet, vae, text_encoder, tokenizer, noise_scheduler, crops: list[Path], caption: str,
             steps: int, device: str, ctx: RenderContext, between_steps) -> list[float]:
        import torch
        import torch.nn.functional as F

        size = self.settings.lora_train_resolution
        pixels = torch.stack([_to_tensor(Image.open(p), size) for p in crops]).to(device, dtype=vae.dtype)
        with torch.no_grad():
            latents_all = vae.encode(pixels).latent_dist.mean * vae.config.scaling_factor
            ids = tokenizer([caption], padding="max_length", max_length=tokenizer.model_max_length,
                            truncation=True, return_tensors="pt").input_ids.to(device)
            text = text_encoder(ids)[0]
        params = [p for p in unet.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(params, lr=self.settings.lora_train_learning_rate, weight_decay=1e-2)
        generator = torch.Generator(device="cpu").manual_seed(0)
        batch = min(4, len(crops))
        losses = []
        unet.train()
        for step in range(steps):
            if ctx.is_cancelled():
                raise JobCancelled()
            between_steps()  # renders that arrived meanwhile go first
            pick = torch.randint(0, len(crops), (batch,), generator=generator)
            latents = latents_all[pick].float()
            noise = torch.randn(latents.shape, generator=generator).to(device)
            timesteps = torch.randint(0, noise_scheduler.config.num_train_timesteps, (batch,),
                                      generator=generator).to(device)
            noisy = noise_scheduler.add_noise(latents, noise, timesteps)
            if noise_scheduler.config.prediction_type == "v_prediction":
                target = noise_scheduler.get_velocity(latents, noise, timesteps)
            else:
                target = noise
            with torch.autocast(device_type="cuda", dtype=torch.float16, enabled=device == "cuda"):
                prediction = unet(noisy.to(unet.dtype), timesteps, text.expand(batch, -1, -1)).sample
            loss = F.mse_loss(prediction.float(), target.float())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            losses.append(float(loss.detach()))
            ctx.report(0.9 * (step + 1) / steps, f"training step {step + 1}/{steps}, loss {losses[-1]:.4f}")
        unet.eval()
        return losses

    def _save(self, unet, name: str) -> Path:
        from diffusers import StableDiffusionPipeline
        from diffusers.utils import convert_state_dict_to_diffusers
        from peft.utils import get_peft_model_state_dict

        layers = convert_state_dict_to_diffusers(get_peft_model_state_dict(unet))
        return self.artifacts.write_atomic(self.artifacts.lora_path(name), lambda temporary: (
            StableDiffusionPipeline.save_lora_weights(temporary.parent, unet_lora_layers=layers,
                                                      weight_name=temporary.name)))

    def _score(self, base: str, device: str, lora: Optional[Path], held_out: list[Path], caption: str) -> float:
        """Mean CLIP similarity between each held-out crop and a drawing of its caption with ``lora``."""
        import torch
        from diffusers import StableDiffusionPipeline

        pipe = StableDiffusionPipeline.from_pretrained(
            base, use_safetensors=True, safety_checker=None, requires_safety_checker=False,
            dtype=torch.float16 if device == "cuda" else torch.float32).to(device)
        pipe.set_progress_bar_config(disable=True)
        if lora is not None:
            # The same loading path the renderer takes: a version that loads here loads there.
            pipe.load_lora_weights(str(lora.parent), weight_name=lora.name, adapter_name="candidate")
        size = self.settings.lora_train_resolution
        images = pipe(prompt=[caption] * len(held_out), height=size, width=size,
                      num_inference_steps=self.settings.lora_eval_steps, guidance_scale=6.0,
                      generator=[torch.Generator("cpu").manual_seed(i) for i in range(len(held_out))]).images
        drawn = self.embedder.images(images)
        real = self.embedder.images([Image.open(p) for p in held_out])
        del pipe
        _free_memory()
        return float(np.mean(np.sum(drawn * real, axis=1)))


def training_summary(version: LoraVersion) -> str:
    """The finished job's message: which version, whether it is used, and why."""
    verdict = "in use" if version.status == "active" else "kept aside (did not beat the version in use)"
    return (f"{version.name}: {verdict}; held-out similarity {version.metrics['held_out_similarity']:.3f} "
            f"vs {version.metrics['previous_similarity']:.3f}")


def _free_memory() -> None:
    """Give the training copies' GPU memory back before the renderer needs it."""
    import gc

    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def _quiet_progress_bars() -> None:
    """Loading bars belong in a terminal, not in the server log of a background job."""
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    diffusers_logging.disable_progress_bar()
    transformers_logging.disable_progress_bar()


def _to_tensor(image: Image.Image, size: int):
    import torch

    array = np.asarray(image.convert("RGB").resize((size, size), Image.Resampling.BICUBIC), dtype=np.float32)
    return torch.from_numpy(array / 127.5 - 1.0).permute(2, 0, 1)
