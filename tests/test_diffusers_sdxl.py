"""The SDXL family through the same backend, on a tiny random-weight SDXL."""

import pytest

from render_server.backends.base import RenderContext
from render_server.backends.diffusers_backend import DiffusersBackend
from render_server.settings import Settings
from tests.server_helpers import render_request

pytestmark = pytest.mark.slow


def _tiny_sdxl(folder):
    import torch
    from diffusers import (AutoencoderKL, ControlNetModel, EulerDiscreteScheduler, StableDiffusionXLPipeline,
                           UNet2DConditionModel)
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    from render_server.diffusion.tiny_models import _tokenizer

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        sample_size=32, in_channels=4, out_channels=4, layers_per_block=1, block_out_channels=(32, 64),
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4), use_linear_projection=True, addition_embed_type="text_time",
        addition_time_embed_dim=8, transformer_layers_per_block=(1, 2), projection_class_embeddings_input_dim=80,
        cross_attention_dim=64, norm_num_groups=16)
    vae = AutoencoderKL(block_out_channels=(16, 16, 32, 32), in_channels=3, out_channels=3, latent_channels=4,
                        layers_per_block=1, norm_num_groups=16,
                        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4)
    config = dict(hidden_size=32, intermediate_size=37, num_hidden_layers=2, num_attention_heads=4,
                  vocab_size=49408, max_position_embeddings=77, projection_dim=32, hidden_act="gelu")
    tokenizer = _tokenizer(folder / "_tok")
    pipe = StableDiffusionXLPipeline(vae=vae, unet=unet, scheduler=EulerDiscreteScheduler(),
                                     text_encoder=CLIPTextModel(CLIPTextConfig(**config)),
                                     text_encoder_2=CLIPTextModelWithProjection(CLIPTextConfig(**config)),
                                     tokenizer=tokenizer, tokenizer_2=tokenizer)
    pipe.save_pretrained(folder / "sdxl", safe_serialization=True)
    for kind in ("depth", "openpose"):
        ControlNetModel.from_unet(unet).save_pretrained(folder / kind, safe_serialization=True)
    return folder


def test_an_sdxl_model_loads_the_xl_pipelines_and_renders(tmp_path):
    models = _tiny_sdxl(tmp_path)
    backend = DiffusersBackend(Settings(data_dir=tmp_path, diffusers_model=str(models / "sdxl"),
                                        controlnet_depth=str(models / "depth"),
                                        controlnet_openpose=str(models / "openpose"), diffusers_device="cpu"))
    request = render_request(width=64, height=64, variations=2)
    request.steps = 2
    frames = backend.render(request, RenderContext(report=lambda f, m: None, is_cancelled=lambda: False))
    assert [f.size for f in frames] == [(64, 64), (64, 64)]
    pipe, inpaint = backend._load("")
    assert type(pipe).__name__ == "StableDiffusionXLControlNetPipeline"
    assert type(inpaint).__name__ == "StableDiffusionXLControlNetInpaintPipeline"
