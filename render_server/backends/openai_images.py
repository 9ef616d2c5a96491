"""OpenAI images: the beat's prompt, with the previs frame of the shot as the reference
image, so the composition follows the blocking. Nothing is sent unless a key is set."""

from __future__ import annotations

import base64
import io

from PIL import Image

from shared_schema import BackendInfo, RenderRequest

from ..settings import Settings
from .base import BackendError, RenderContext
from .previs import PrevisBackend

# The sizes the images API renders; the frame is fitted back to the shot's size after.
SIZES = {"landscape": "1536x1024", "portrait": "1024x1536", "square": "1024x1024"}


def api_size(width: int, height: int) -> str:
    ratio = width / height
    return SIZES["landscape"] if ratio > 1.15 else SIZES["portrait"] if ratio < 0.87 else SIZES["square"]


class OpenAIImagesBackend:
    name = "openai"

    def __init__(self, settings: Settings):
        self.settings = settings
        self._previs = PrevisBackend()

    def info(self) -> BackendInfo:
        if not self.settings.openai_api_key:
            return BackendInfo(self.name, False, "set BEATBOARD_OPENAI_API_KEY to use it (frames and prompts "
                                                 "leave this machine)", ["reference-image", "variations"])
        return BackendInfo(self.name, True, capabilities=["reference-image", "variations", "remote"])

    def _client(self):
        import openai

        if not self.settings.openai_api_key:
            raise BackendError("unauthorized", "no OpenAI API key is configured",
                               "set BEATBOARD_OPENAI_API_KEY on the server, or pick the previs or diffusers backend")
        return openai.OpenAI(api_key=self.settings.openai_api_key, base_url=self.settings.openai_base_url or None,
                             timeout=self.settings.openai_timeout_s, max_retries=2)

    def render(self, request: RenderRequest, ctx: RenderContext) -> list[Image.Image]:
        import openai

        client = self._client()
        ctx.step(0, 3, "drawing the previs reference")
        reference = self._previs.render(
            RenderRequest(shot_number=request.shot_number, width=request.width, height=request.height,
                          seed=request.seed, actors=request.actors, conditioning=request.conditioning),
            RenderContext(report=lambda f, m: None, is_cancelled=ctx.is_cancelled))[0]
        buffer = io.BytesIO()
        reference.save(buffer, format="PNG")
        prompt = request.prompt  # composed by render_server.prompts for this backend
        ctx.step(1, 3, f"waiting for {self.settings.openai_image_model}")
        try:
            result = client.images.edit(model=self.settings.openai_image_model,
                                        image=("previs.png", buffer.getvalue(), "image/png"), prompt=prompt,
                                        n=request.variations, size=api_size(request.width, request.height))
        except openai.AuthenticationError:
            raise BackendError("unauthorized", "OpenAI rejected the API key",
                               "check BEATBOARD_OPENAI_API_KEY") from None
        except openai.APIConnectionError as exc:
            raise BackendError("backend_unavailable", f"cannot reach the OpenAI API ({exc})",
                               "check the network, or BEATBOARD_OPENAI_BASE_URL") from None
        except openai.APIStatusError as exc:
            raise BackendError("render_failed", f"OpenAI images answered HTTP {exc.status_code}: {exc.message}",
                               "see the message; content policy refusals need a different prompt") from None
        ctx.step(2, 3, "decoding")
        frames = []
        for item in result.data:
            if not item.b64_json:
                raise BackendError("render_failed", "OpenAI returned an image URL instead of the image",
                                   "use a model that returns base64 images (gpt-image-1)")
            image = Image.open(io.BytesIO(base64.b64decode(item.b64_json))).convert("RGB")
            frames.append(_fit(image, request.width, request.height))
        if not frames:
            raise BackendError("render_failed", "OpenAI returned no image", "try again")
        return frames


def _fit(image: Image.Image, width: int, height: int) -> Image.Image:
    """Scale to cover the shot's frame, then crop the centre: the aspect is the shot's."""
    scale = max(width / image.width, height / image.height)
    resized = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    left, top = (resized.width - width) // 2, (resized.height - height) // 2
    return resized.crop((left, top, left + width, top + height))
