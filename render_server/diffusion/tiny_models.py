"""Tiny random-weight models of the real architectures, so the diffusers path runs anywhere.

`beatboard make-tiny-models DIR` writes, all as safetensors in the normal diffusers
layout: an SD 1.5-style pipeline (UNet, VAE, CLIP text encoder and tokenizer), depth and
openpose ControlNets made from that UNet, an inpainting variant (9-channel UNet), and a
LoRA per demo actor. The CLIP tokenizer is built offline from the BPE vocabulary that
open_clip ships, so nothing is downloaded.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

DEMO_ACTORS = ("MARA", "TOMAS", "JUNE")
HIDDEN = 32


def _tokenizer(folder: Path):
    from open_clip.tokenizer import SimpleTokenizer
    from transformers import CLIPTokenizer

    simple = SimpleTokenizer()
    folder.mkdir(parents=True, exist_ok=True)
    # open_clip names the special tokens differently from Hugging Face's CLIP tokenizer.
    renamed = {"<start_of_text>": "<|startoftext|>", "<end_of_text>": "<|endoftext|>"}
    vocab = {renamed.get(token, token): index for token, index in simple.encoder.items()}
    (folder / "vocab.json").write_text(json.dumps(vocab))
    merges = sorted(simple.bpe_ranks.items(), key=lambda item: item[1])
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(" ".join(pair) for pair, _ in merges) + "\n")
    tokenizer = CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=77)
    tokenizer.save_pretrained(folder)
    return tokenizer


def _unet(in_channels: int = 4):
    from diffusers import UNet2DConditionModel

    return UNet2DConditionModel(
        sample_size=32, in_channels=in_channels, out_channels=4, layers_per_block=1,
        block_out_channels=(32, 64), cross_attention_dim=HIDDEN, attention_head_dim=8, norm_num_groups=16,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
    )


def _lora(unet, seed: int):
    """A LoRA on the UNet's attention with non-zero weights, as a diffusers state dict."""
    import torch
    from peft import LoraConfig, get_peft_model_state_dict

    config = LoraConfig(r=4, lora_alpha=4, target_modules=["to_q", "to_k", "to_v", "to_out.0"],
                        init_lora_weights=False)
    unet.add_adapter(config, adapter_name="tmp")
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in unet.named_parameters():
            if "lora_" in name:
                param.copy_(torch.randn(param.shape, generator=generator) * 0.3)
    state = get_peft_model_state_dict(unet, adapter_name="tmp")
    unet.delete_adapters("tmp")
    return state


def make_tiny_models(out: Path, actors: tuple[str, ...] = DEMO_ACTORS) -> dict[str, Path]:
    import torch
    from diffusers import (AutoencoderKL, ControlNetModel, DPMSolverMultistepScheduler, StableDiffusionPipeline)
    from transformers import CLIPTextConfig, CLIPTextModel

    out = Path(out)
    torch.manual_seed(0)
    unet = _unet()
    # Four blocks, like SD's VAE: latents are 1/8 of the image, as the ControlNets expect.
    vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(16, 16, 32, 32),
                        layers_per_block=1, norm_num_groups=16,
                        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4)
    text_encoder = CLIPTextModel(CLIPTextConfig(hidden_size=HIDDEN, intermediate_size=37, num_hidden_layers=2,
                                                num_attention_heads=4, vocab_size=49408, max_position_embeddings=77,
                                                projection_dim=HIDDEN))
    tokenizer = _tokenizer(out / "_tokenizer")
    scheduler = DPMSolverMultistepScheduler(use_karras_sigmas=True, algorithm_type="dpmsolver++")
    pipe = StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
                                   scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                   requires_safety_checker=False)
    paths = {"base": out / "sd15-tiny"}
    pipe.save_pretrained(paths["base"], safe_serialization=True)
    for kind, seed in (("depth", 1), ("openpose", 2)):
        torch.manual_seed(seed)
        controlnet = ControlNetModel.from_unet(unet)
        with torch.no_grad():  # from_unet zero-inits the outputs; random ones make the conditioning matter
            for name, param in controlnet.named_parameters():
                if "zero_conv" in name or "mid_block" in name or "controlnet_cond_embedding.conv_out" in name:
                    param.copy_(torch.randn_like(param) * 0.05)
        paths[kind] = out / f"controlnet-{kind}-tiny"
        controlnet.save_pretrained(paths[kind], safe_serialization=True)
    torch.manual_seed(3)
    inpaint = StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=_unet(9),
                                      scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                      requires_safety_checker=False)
    paths["inpaint"] = out / "sd15-tiny-inpaint"
    inpaint.save_pretrained(paths["inpaint"], safe_serialization=True)
    loras = out / "loras"
    loras.mkdir(parents=True, exist_ok=True)
    for index, actor in enumerate(actors):
        StableDiffusionPipeline.save_lora_weights(loras, unet_lora_layers=_lora(unet, 10 + index),
                                                  weight_name=f"{actor}.safetensors", safe_serialization=True)
    paths["loras"] = loras
    (out / "README.txt").write_text(
        "Tiny random-weight models made by 'beatboard make-tiny-models'. They produce noise-like\n"
        "images: they exist to run the real diffusers code path without downloading weights.\n"
        f"BEATBOARD_DIFFUSERS_MODEL={paths['base']}\nBEATBOARD_CONTROLNET_DEPTH={paths['depth']}\n"
        f"BEATBOARD_CONTROLNET_OPENPOSE={paths['openpose']}\nBEATBOARD_LORA_DIR={loras}\n")
    with gzip.open(out / "_tokenizer" / "source.txt.gz", "wt") as handle:
        handle.write("built from open_clip's bpe_simple_vocab_16e6.txt.gz\n")
    return paths
