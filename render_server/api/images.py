"""Uploaded images are sized from their header, before a single pixel is decoded."""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

from .errors import ApiError

# About 40 MP: a 7680x4320 (8K) still with room to spare. A 13000x13000 PNG can be a 657 KB
# upload and 500 MB once decoded; the header says so before anything is decoded.
MAX_IMAGE_PIXELS = 40_000_000


def check_image(data: bytes, what: str) -> tuple[int, int]:
    """Width and height of an uploaded PNG or JPEG; 413 past the pixel cap, 422 if not an image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # reads the header only
                width, height = image.size
    except Image.DecompressionBombError:
        width, height = None, None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ApiError(422, "validation_error", f"the {what} is not an image Pillow can read",
                       "send the PNG or JPEG file's bytes as the request body") from None
    if width is None or width * height > MAX_IMAGE_PIXELS:
        size = f"{width}x{height} pixels" if width else "larger than Pillow will open"
        raise ApiError(413, "payload_too_large", f"the {what} is {size}, more than "
                       f"{MAX_IMAGE_PIXELS / 1e6:.0f} megapixels",
                       "scale it down first: 1024 px on the long side is plenty for an actor")
    return width, height
