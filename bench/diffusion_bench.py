"""Speed of the diffusion path on the real architectures, with random weights.

Builds SD 1.5 (UNet + two ControlNets: depth and openpose) and SDXL (UNet + two
ControlNets) from their published configurations with random weights - no download -
and times the diffusers ControlNet pipelines at 768x432: seconds per denoising step and
per 6-frame board at 20 steps (batch of 6, classifier-free guidance on). Text encoders
are replaced by random prompt embeddings of the right shape: they run once per board
and do not change the per-step figure.

  CPU (fp32, extrapolated from a few steps):  .venv/bin/python bench/diffusion_bench.py --device cpu
  CUDA (fp16, with and without torch.compile): python3 bench/diffusion_bench.py --device cuda --compile both
  A quick check of the code path on tiny models: --tiny
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from PIL import Image

SD15_UNET = dict(
    sample_size=64, in_channels=4, out_channels=4, layers_per_block=2,
    block_out_channels=(320, 640, 1280, 1280), cross_attention_dim=768, attention_head_dim=8,
    down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
    up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
)
SDXL_UNET = dict(
    sample_size=128, in_channels=4, out_channels=4, layers_per_block=2,
    block_out_channels=(320, 640, 1280), cross_attention_dim=2048, attention_head_dim=(5, 10, 20),
    transformer_layers_per_block=(1, 2, 10), use_linear_projection=True,
    down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
    up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
    addition_embed_type="text_time", addition_time_embed_dim=256, projection_class_embeddings_input_dim=2816,
)
VAE = dict(
    in_channels=3, out_channels=3, latent_channels=4, layers_per_block=2, block_out_channels=(128, 256, 512, 512),
    down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
)


def _tiny(config: dict) -> dict:
    tiny = dict(config)
    blocks = len(config["block_out_channels"])
    tiny["block_out_channels"] = (32, 64, 64, 64)[:blocks]
    tiny["layers_per_block"] = 1
    if "attention_head_dim" in config:
        tiny["attention_head_dim"] = 8
    if "transformer_layers_per_block" in config:
        tiny["transformer_layers_per_block"] = 1
    if "projection_class_embeddings_input_dim" in config:
        tiny["addition_time_embed_dim"] = 8
        tiny["projection_class_embeddings_input_dim"] = 1280 + 6 * 8
    return tiny


def build(arch: str, tiny: bool, dtype, device):
    from diffusers import (AutoencoderKL, ControlNetModel, DPMSolverMultistepScheduler, MultiControlNetModel,
                           StableDiffusionControlNetPipeline, StableDiffusionXLControlNetPipeline,
                           UNet2DConditionModel)


    torch.manual_seed(0)
    unet_config = SDXL_UNET if arch == "sdxl" else SD15_UNET
    vae_config = dict(VAE)
    if tiny:
        unet_config, vae_config = _tiny(unet_config), _tiny(VAE)
        vae_config["block_out_channels"] = (32, 64, 64, 64)
    unet = UNet2DConditionModel(**unet_config)
    controlnets = MultiControlNetModel([ControlNetModel.from_unet(unet), ControlNetModel.from_unet(unet)])
    vae = AutoencoderKL(**vae_config)
    scheduler = DPMSolverMultistepScheduler(use_karras_sigmas=True, algorithm_type="dpmsolver++")
    common = dict(vae=vae, unet=unet, controlnet=controlnets, scheduler=scheduler)
    if arch == "sdxl":
        pipe = StableDiffusionXLControlNetPipeline(text_encoder=None, text_encoder_2=None, tokenizer=None,
                                                   tokenizer_2=None, **common)
    else:
        pipe = StableDiffusionControlNetPipeline(text_encoder=None, tokenizer=None, safety_checker=None,
                                                 feature_extractor=None, requires_safety_checker=False, **common)
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device, dtype)


def embeddings(arch: str, batch: int, tiny: bool, dtype, device) -> dict:
    width = 2048 if arch == "sdxl" else 768
    g = torch.Generator().manual_seed(1)
    make = lambda *shape: torch.randn(*shape, generator=g).to(device, dtype)  # noqa: E731
    out = dict(prompt_embeds=make(batch, 77, width), negative_prompt_embeds=make(batch, 77, width))
    if arch == "sdxl":
        pooled = 1280
        out.update(pooled_prompt_embeds=make(batch, pooled), negative_pooled_prompt_embeds=make(batch, pooled))
    return out


def run(pipe, arch: str, batch: int, steps: int, width: int, height: int, tiny: bool, dtype, device) -> float:
    control = [Image.fromarray(np.random.default_rng(i).integers(0, 255, (height, width, 3), dtype=np.uint8))
               for i in range(2)]
    if device == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    pipe(image=control, height=height, width=width, num_inference_steps=steps, guidance_scale=5.0,
         controlnet_conditioning_scale=[1.0, 0.8], generator=torch.Generator(device).manual_seed(0),
         output_type="pil", **embeddings(arch, batch, tiny, dtype, device))
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--arch", default="both", choices=["sd15", "sdxl", "both"])
    parser.add_argument("--compile", default="no", choices=["no", "yes", "both"])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=6)
    parser.add_argument("--width", type=int, default=768)
    parser.add_argument("--height", type=int, default=432)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tiny", action="store_true")
    args = parser.parse_args()
    device = args.device
    dtype = torch.float16 if device == "cuda" else torch.float32
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
    archs = ["sd15", "sdxl"] if args.arch == "both" else [args.arch]
    compiles = {"no": [False], "yes": [True], "both": [False, True]}[args.compile]
    rows = []
    for arch in archs:
        pipe = build(arch, args.tiny, dtype, device)
        for compiled in compiles:
            if compiled:
                pipe.unet = torch.compile(pipe.unet)
                pipe.controlnet.nets = torch.nn.ModuleList(
                    [torch.compile(n) for n in pipe.controlnet.nets])
            if device == "cpu":
                # A real-size board takes hours on two cores: time 2 steps for one frame, then scale.
                run(pipe, arch, 1, 2, args.width, args.height, args.tiny, dtype, device)
                times = [run(pipe, arch, 1, 3, args.width, args.height, args.tiny, dtype, device)
                         - run(pipe, arch, 1, 1, args.width, args.height, args.tiny, dtype, device)
                         for _ in range(max(1, args.repeat - 1))]
                per_step_one = statistics.median(times) / 2
                rows.append((arch, "fp32", compiled, per_step_one, per_step_one * args.steps * args.batch,
                             "extrapolated: steps x frames"))
            else:
                warm = time.perf_counter()
                run(pipe, arch, args.batch, args.steps, args.width, args.height, args.tiny, dtype, device)
                warm = time.perf_counter() - warm
                boards = [run(pipe, arch, args.batch, args.steps, args.width, args.height, args.tiny, dtype, device)
                          for _ in range(args.repeat)]
                one = [run(pipe, arch, args.batch, 1, args.width, args.height, args.tiny, dtype, device)
                       for _ in range(args.repeat)]
                board = statistics.median(boards)
                per_step = (board - statistics.median(one)) / (args.steps - 1)
                rows.append((arch, "fp16", compiled, per_step, board, f"first run (warm-up) {warm:.1f} s"))
        del pipe
        if device == "cuda":
            torch.cuda.empty_cache()
    name = torch.cuda.get_device_name() if device == "cuda" else "CPU"
    print(f"\n{'tiny ' if args.tiny else ''}diffusion at {args.width}x{args.height}, {args.steps} steps, "
          f"board = {args.batch} frames, 2 ControlNets, CFG on, {name}, torch {torch.__version__}\n")
    print(f"{'arch':<6}{'dtype':<6}{'compile':<9}{'s/step (batch)':>16}{'s/board':>10}  note")
    for arch, dt, compiled, per_step, board, note in rows:
        print(f"{arch:<6}{dt:<6}{str(compiled):<9}{per_step:>16.3f}{board:>10.2f}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
