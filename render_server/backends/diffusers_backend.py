"""ControlNet diffusion (SD 1.5 and SDXL families) with depth + openpose together, and
actor LoRAs applied to each actor's region only.

Regional LoRAs, the method: a plate pass renders the whole frame with no LoRA; then, for
each actor who has a LoRA, a ControlNet inpaint pass with that actor's LoRA and prompt
redraws only their mask (grown a few pixels), from the same seed and conditioning, and
the result is composited through that mask. Pixels outside an actor's mask are the
plate's, exactly, so two actors in one frame keep two identities.
"""

from __future__ import annotations

import gc
import logging
import threading
from pathlib import Path
from typing import Optional

import numpy as np
from PIL import Image, ImageFilter

from shared_schema import BackendInfo, RenderRequest

from ..conditioning import decode_labels, depth_to_control, pose_to_control
from ..diffusion.loading import check_source, load_error
from ..diffusion.schedulers import SCHEDULERS, make_scheduler
from ..diffusion.weighting import weighted_prompt
from ..settings import Settings
from .base import BackendError, RenderContext
from .lora_files import find_lora

log = logging.getLogger("beatboard.diffusers")

MASK_GROW_PX = 4
INPAINT_STRENGTH = 0.8


class DiffusersBackend:
    name = "diffusers"

    def __init__(self, settings: Settings):
        self.settings = settings
        self._pipe = None
        self._inpaint = None
        self._key: Optional[tuple] = None
        self._loaded_loras: dict[str, Path] = {}  # adapter name: the file it was loaded from
        self._lock = threading.Lock()

    # -- what it offers ------------------------------------------------------------------
    def info(self) -> BackendInfo:
        if not self.settings.diffusers_model:
            return BackendInfo(self.name, False, "set BEATBOARD_DIFFUSERS_MODEL (and the two ControlNets) to use it",
                               ["depth", "pose"])
        return BackendInfo(self.name, True, capabilities=[
            "depth", "pose", "controlnets:2", "loras", "regional-loras", "variations", "schedulers", "cancel"])

    @property
    def model_source(self) -> str:
        return self.settings.diffusers_model

    def loras(self) -> list[str]:
        folder = Path(self.settings.lora_dir).expanduser() if self.settings.lora_dir else None
        return sorted(p.stem for p in folder.glob("*.safetensors")) if folder and folder.is_dir() else []

    # -- loading -------------------------------------------------------------------------
    def _device(self):
        import torch

        wanted = self.settings.diffusers_device
        if wanted == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        if wanted == "cuda" and not torch.cuda.is_available():
            raise BackendError("backend_unavailable", "BEATBOARD_DIFFUSERS_DEVICE=cuda but no CUDA device is visible",
                               "set it to auto or cpu, or check the GPU driver")
        return wanted

    @staticmethod
    def _family(source: str) -> str:
        """"sdxl" or "sd15", from the pipeline's own model_index.json."""
        from diffusers import DiffusionPipeline

        try:
            class_name = DiffusionPipeline.load_config(source).get("_class_name", "")
        except (OSError, ValueError):
            return "sd15"  # from_pretrained below reports the real problem
        return "sdxl" if "XL" in class_name else "sd15"

    def _load(self, model: str):
        import torch
        from diffusers import (ControlNetModel, StableDiffusionControlNetInpaintPipeline,
                               StableDiffusionControlNetPipeline, StableDiffusionXLControlNetInpaintPipeline,
                               StableDiffusionXLControlNetPipeline)

        s = self.settings
        model = model or s.diffusers_model
        sources = (
            check_source(model, "diffusion model", "BEATBOARD_DIFFUSERS_MODEL"),
            check_source(s.controlnet_depth, "depth ControlNet", "BEATBOARD_CONTROLNET_DEPTH"),
            check_source(s.controlnet_openpose, "openpose ControlNet", "BEATBOARD_CONTROLNET_OPENPOSE"),
        )
        device = self._device()
        key = (*sources, device, s.cpu_offload)
        if self._key == key:
            return self._pipe, self._inpaint
        self.unload()  # one pipeline at a time: switching models frees the old one first
        dtype = torch.float16 if device == "cuda" else torch.float32
        names = ("diffusion model", "depth ControlNet", "openpose ControlNet")
        settings_names = ("BEATBOARD_DIFFUSERS_MODEL", "BEATBOARD_CONTROLNET_DEPTH", "BEATBOARD_CONTROLNET_OPENPOSE")
        try:
            controlnets = [ControlNetModel.from_pretrained(src, torch_dtype=dtype, use_safetensors=True)
                           for src in sources[1:]]
        except (OSError, ValueError) as exc:
            index = 1 if sources[1] in str(exc) else 2
            raise load_error(exc, sources[index], names[index], settings_names[index]) from None
        xl = self._family(sources[0]) == "sdxl"
        try:
            if xl:
                pipe = StableDiffusionXLControlNetPipeline.from_pretrained(
                    sources[0], controlnet=controlnets, torch_dtype=dtype, use_safetensors=True)
            else:
                pipe = StableDiffusionControlNetPipeline.from_pretrained(
                    sources[0], controlnet=controlnets, torch_dtype=dtype, use_safetensors=True,
                    safety_checker=None, requires_safety_checker=False)
        except (OSError, ValueError) as exc:
            raise load_error(exc, sources[0], names[0], settings_names[0]) from None
        pipe.set_progress_bar_config(disable=True)
        if s.cpu_offload and device == "cuda":
            pipe.enable_model_cpu_offload()
        else:
            pipe.to(device)
        inpaint_class = StableDiffusionXLControlNetInpaintPipeline if xl else StableDiffusionControlNetInpaintPipeline
        inpaint = inpaint_class.from_pipe(pipe)
        inpaint.set_progress_bar_config(disable=True)
        self._pipe, self._inpaint, self._key = pipe, inpaint, key
        self._loaded_loras = {}
        log.info("loaded %s on %s (%s)", sources[0], device, dtype)
        return pipe, inpaint

    def unload(self) -> None:
        self._pipe = self._inpaint = None
        self._key = None
        self._loaded_loras = {}
        gc.collect()
        try:
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()
        except ImportError:
            pass

    def _lora_path(self, name: str, fetched: dict[str, Path]) -> Path:
        if name in fetched:  # team mode: the API's file, fetched for this job
            return fetched[name]
        path = find_lora(self.settings, name)
        if path is not None:
            return path
        if "@v" in name:  # a version the server trained from approvals (NAME@vN)
            raise BackendError("model_missing", f"the trained LoRA {name!r} is gone from "
                               f"{self.settings.artifacts.lora_dir}",
                               "GET /v1/actors/{id}/loras lists the versions; train again or pick another")
        raise BackendError("model_missing", f"no LoRA named {name!r}",
                           f"put {name}.safetensors in BEATBOARD_LORA_DIR ({self.settings.lora_dir or 'unset'})")

    # -- rendering -----------------------------------------------------------------------
    def render(self, request: RenderRequest, ctx: RenderContext) -> list[Image.Image]:
        with self._lock:
            return self._render(request, ctx)

    def _render(self, request: RenderRequest, ctx: RenderContext) -> list[Image.Image]:
        import torch

        size = (request.width - request.width % 8, request.height - request.height % 8)
        pipe, inpaint = self._load(request.model)
        scheduler = request.scheduler or self.settings.default_scheduler
        if scheduler not in SCHEDULERS:
            raise BackendError("validation_error", f"unknown scheduler {scheduler!r}",
                               f"use one of: {', '.join(SCHEDULERS)}")
        pipe.scheduler = make_scheduler(scheduler, pipe.scheduler.config)
        inpaint.scheduler = pipe.scheduler
        control = self._control_images(request, size)
        plate = self._plate(request, size)
        regional = self._regional_actors(request, continuing=plate is not None, fetched=ctx.loras)
        # An inpaint pass at strength s runs int(steps * s) of the steps (diffusers' rule).
        inpaint_steps = max(1, int(request.steps * INPAINT_STRENGTH))
        total = (0 if plate is not None else request.steps) + inpaint_steps * len(regional)

        def progress(offset: int, label: str, count: int):
            def callback(_pipe, step, _timestep, kwargs):
                ctx.step(offset + step + 1, total, f"{label}: step {step + 1}/{count}")
                return kwargs
            return callback

        def generators():
            return [torch.Generator(device="cpu").manual_seed(request.seed + i) for i in range(request.variations)]

        if self._loaded_loras:
            pipe.disable_lora()  # the plate carries no actor's identity
        ctx.step(0, total, "plate")
        if plate is not None:
            plates = [plate] * request.variations
            done = 0
        else:
            plates = pipe(
                **weighted_prompt(pipe, request.prompt, request.negative_prompt, 1), image=control,
                height=size[1], width=size[0], num_inference_steps=request.steps,
                guidance_scale=request.guidance_scale, num_images_per_prompt=request.variations,
                generator=generators(), **self._control_kwargs(request),
                callback_on_step_end=progress(0, "plate", request.steps),
            ).images
            done = request.steps
        frames = [np.asarray(p, dtype=np.uint8).copy() for p in plates]
        for n, (actor, mask) in enumerate(regional, start=1):
            adapter = (self._use_lora(pipe, actor.lora, actor.lora_weight, ctx.loras)
                       if actor.lora not in ("", "none") else "no LoRA")
            region = mask.resize(size, Image.Resampling.NEAREST).filter(ImageFilter.MaxFilter(2 * MASK_GROW_PX + 1))
            prompt = actor.prompt or request.prompt  # composed once by render_server.prompts
            redrawn = inpaint(
                **weighted_prompt(inpaint, prompt, request.negative_prompt, request.variations),
                image=[Image.fromarray(f) for f in frames],
                mask_image=[region] * request.variations, control_image=control, height=size[1], width=size[0],
                num_inference_steps=request.steps, strength=INPAINT_STRENGTH, guidance_scale=request.guidance_scale,
                generator=generators(), **self._control_kwargs(request),
                callback_on_step_end=progress(done + (n - 1) * inpaint_steps,
                                              f"{actor.name}'s LoRA ({adapter})", inpaint_steps),
            ).images
            keep = np.asarray(region, dtype=np.uint8)[..., None] > 127
            for i, image in enumerate(redrawn):
                frames[i] = np.where(keep, np.asarray(image, dtype=np.uint8), frames[i])
            pipe.disable_lora()
        return [Image.fromarray(f).resize((request.width, request.height), Image.Resampling.LANCZOS)
                if f.shape[1::-1] != (request.width, request.height) else Image.fromarray(f) for f in frames]

    def _use_lora(self, pipe, name: str, weight: float, fetched: dict[str, Path]) -> str:
        adapter = "".join(c if c.isalnum() else "_" for c in name)
        path = fetched.get(name)
        if path is not None and self._loaded_loras.get(adapter, path) != path:
            pipe.delete_adapters(adapter)  # a team worker's copy of a newer version of the API's file
            del self._loaded_loras[adapter]
        if adapter not in self._loaded_loras:
            path = self._lora_path(name, fetched)
            try:
                pipe.load_lora_weights(str(path.parent), weight_name=path.name, adapter_name=adapter)
            except (OSError, ValueError, KeyError) as exc:
                raise BackendError("model_missing", f"could not load the LoRA {name!r}: {exc}",
                                   "it must be a diffusers/peft LoRA for this base model, as safetensors") from None
            self._loaded_loras[adapter] = path
        pipe.enable_lora()
        pipe.set_adapters([adapter], adapter_weights=[weight])
        return adapter

    @staticmethod
    def _control_kwargs(request: RenderRequest) -> dict:
        for start, end in zip(request.control_start, request.control_end):
            if not 0.0 <= start < end <= 1.0:
                raise BackendError("validation_error", f"control start/end {start}/{end} are not 0 <= start < end <= 1",
                                   "give each ControlNet the fraction of the steps it acts on, e.g. 0.0 to 0.8")
        return dict(controlnet_conditioning_scale=list(request.control_scales),
                    control_guidance_start=list(request.control_start), control_guidance_end=list(request.control_end))

    def _control_images(self, request: RenderRequest, size: tuple[int, int]) -> list[Image.Image]:
        cond = request.conditioning
        if cond.depth is not None:
            depth = depth_to_control(cond.depth, size).convert("RGB")
        else:
            depth = Image.new("RGB", size)
        canvas = pose_to_control(cond.poses, (request.width, request.height), size) if cond.poses else None
        pose = Image.fromarray(canvas) if canvas is not None else Image.new("RGB", size)
        return [depth, pose]

    def _plate(self, request: RenderRequest, size: tuple[int, int]) -> Optional[Image.Image]:
        if not request.plate_job:
            return None
        path = self.settings.artifacts.plate_path(request.plate_job, request.plate_frame)
        if not path.is_file():
            raise BackendError("plate_missing", f"the earlier frame {request.plate_job}/{request.plate_frame} is gone",
                               "render the earlier shot of this setup again, or drop plate_job")
        plate = Image.open(path).convert("RGB")
        if plate.size != (request.width, request.height):
            raise BackendError("validation_error", f"the plate is {plate.size[0]}x{plate.size[1]}, the shot "
                               f"{request.width}x{request.height}", "a plate must come from the same camera setup")
        return plate.resize(size, Image.Resampling.LANCZOS) if plate.size != size else plate

    def _regional_actors(self, request: RenderRequest, continuing: bool = False,
                         fetched: Optional[dict[str, Path]] = None) -> list[tuple]:
        masks = request.conditioning.masks
        if masks is None:
            return []
        labels = decode_labels(masks)
        available = set(self.loras()) | set(fetched or {})
        out = []
        for actor in request.actors:
            # An actor's own LoRA (ACTOR.safetensors) is used unless the request names another or "none".
            if not actor.lora and actor.name in available:
                actor.lora = actor.name
            if continuing:
                # On a reused plate everyone else is already drawn: only the newcomers are painted in.
                if actor.name not in request.inpaint_actors or actor.name not in masks.labels:
                    continue
            elif not actor.lora or actor.lora == "none" or actor.name not in masks.labels:
                continue
            region = labels == masks.labels.index(actor.name) + 1
            if region.any():
                out.append((actor, Image.fromarray((region * 255).astype(np.uint8), mode="L")))
        return out


