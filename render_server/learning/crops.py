"""Each actor's crop of a rendered frame, cut through the label mask the add-on sent."""

from __future__ import annotations

import numpy as np
from PIL import Image

from shared_schema import LabelMask

from ..conditioning import decode_labels

MIN_SHARE = 0.002  # an actor covering less of the frame than this is too small to judge
PAD = 0.08
BACKGROUND = 127  # everyone and everything else is greyed out, so only the actor is embedded


def actor_crops(frame: Image.Image, masks: LabelMask) -> dict[str, Image.Image]:
    """A square crop per actor visible in the frame, outside their mask filled with grey."""
    labels = np.asarray(Image.fromarray(decode_labels(masks)).resize(frame.size, Image.Resampling.NEAREST))
    pixels = np.asarray(frame.convert("RGB"))
    crops = {}
    # One pass counts every label; only actors big enough to judge get a pass of their own.
    counts = np.bincount(labels.ravel(), minlength=256)
    for value, name in enumerate(masks.labels[:255], start=1):
        if counts[value] < MIN_SHARE * labels.size:
            continue
        region = labels == value
        rows, cols = np.nonzero(region)
        top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
        side = int(max(bottom - top, right - left) * (1 + 2 * PAD))
        cy, cx = (top + bottom) // 2, (left + right) // 2
        canvas = np.full((side, side, 3), BACKGROUND, dtype=np.uint8)
        # The square around the actor, clipped to the frame, placed where it falls on the canvas.
        y0, x0 = cy - side // 2, cx - side // 2
        sy0, sx0 = max(y0, 0), max(x0, 0)
        sy1, sx1 = min(y0 + side, frame.height), min(x0 + side, frame.width)
        patch = np.where(region[sy0:sy1, sx0:sx1, None], pixels[sy0:sy1, sx0:sx1], BACKGROUND)
        canvas[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0] = patch
        crops[name] = Image.fromarray(canvas)
    return crops
