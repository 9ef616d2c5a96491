"""The weights-free default backend: a readable previs frame drawn from the scene data.

Shaded depth, each actor's region in their colour lit by a key light from normals read off
the depth (so a nose, a visor and the turn of a body read), the OpenPose skeletons, name
labels and a caption: everything a director needs to read the shot, no GPU.
"""

from __future__ import annotations

import time

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from shared_schema import BackendInfo, RenderRequest

from ..conditioning import (
    decode_depth,
    decode_labels,
    depth_to_control,
    label_palette,
    openpose_drawing,
    pose_to_control,
)
from .base import RenderContext

_STEPS = ("shading depth", "tinting actors", "drawing poses", "labelling")
# Key light in camera space (x right, y up, z towards the camera): high, from the left, in front.
KEY_LIGHT = np.array([-0.45, 0.55, 0.7]) / np.linalg.norm([-0.45, 0.55, 0.7])
DEFAULT_FOCAL_FRACTION = 50.0 / 36.0  # focal length over sensor width when the request has no camera


def _focal_px(request: RenderRequest, width: int) -> float:
    camera = request.camera
    if camera is None:
        return DEFAULT_FOCAL_FRACTION * width
    if camera.sensor_fit.value == "VERTICAL" or (camera.sensor_fit.value == "AUTO" and request.height > request.width):
        return camera.focal_length_mm / camera.sensor_width_mm * width * max(request.height / request.width, 1.0)
    return camera.focal_length_mm / camera.sensor_width_mm * width


SMOOTH_RADIUS = 3  # pixels of the depth map


def _box_blur(values: np.ndarray, radius: int) -> np.ndarray:
    """Mean over a (2r+1)^2 window (edges repeat), by cumulative sums: numpy only."""
    if radius <= 0:
        return values
    out = values
    for axis in (0, 1):
        padded = np.pad(out, [(radius, radius) if a == axis else (0, 0) for a in (0, 1)], mode="edge")
        summed = np.cumsum(np.insert(padded, 0, 0.0, axis=axis), axis=axis)
        width = 2 * radius + 1
        out = (np.take(summed, range(width, summed.shape[axis]), axis=axis)
               - np.take(summed, range(0, summed.shape[axis] - width), axis=axis)) / width
    return out


def key_light(metric: np.ndarray, focal_px: float) -> np.ndarray:
    """Lambert shading (0..1) of the key light on normals taken from metric view depth.

    Neighbouring pixels one apart see points ``depth / focal_px`` metres apart sideways, so
    the depth gradient per pixel divided by that is the surface's slope; where depth jumps
    (a silhouette) the slope is steep and the edge falls dark, which outlines figures."""
    # Depth arrives as float16 (a millimetre step at a metre or two): slopes of the raw values
    # band into stripes, so smooth first over a few pixels.
    grad_y, grad_x = np.gradient(_box_blur(metric.astype(np.float64), SMOOTH_RADIUS))
    spacing = np.maximum(metric, 1e-3) / focal_px
    normals = np.stack([grad_x / spacing, -grad_y / spacing, np.ones_like(spacing)], axis=-1)
    normals /= np.linalg.norm(normals, axis=-1, keepdims=True)
    return np.clip(normals @ KEY_LIGHT, 0.0, 1.0).astype(np.float32)


# Where the depth holds nothing (a miss: the depth's far value), an exterior shows sky, graded
# from the zenith at the top of the frame to the horizon at the bottom, by time of day; an
# interior keeps the dim far tone (a ceiling in shadow). Without it, day exteriors read as a
# black wall above the set.
SKIES = {  # (zenith, horizon), linear RGB 0..1
    "day": ((0.36, 0.56, 0.86), (0.80, 0.88, 0.96)),
    "dusk": ((0.26, 0.22, 0.45), (0.96, 0.60, 0.36)),
    "night": ((0.02, 0.04, 0.11), (0.09, 0.12, 0.23)),
}
_DUSK_WORDS = ("DUSK", "DAWN", "SUNSET", "SUNRISE", "EVENING", "TWILIGHT", "MAGIC HOUR", "GOLDEN HOUR", "NIGHTFALL",
               "DAYBREAK")


def sky_for(time_of_day: str) -> str:
    """"day", "dusk" or "night" for a heading's time of day ("NIGHT", "DUSK", "LATER": day)."""
    when = time_of_day.upper()
    if any(w in when for w in _DUSK_WORDS):
        return "dusk"
    return "night" if any(w in when for w in ("NIGHT", "MIDNIGHT")) else "day"


def _sky(height: int, width: int, sky: str) -> np.ndarray:
    zenith, horizon = (np.array(c) for c in SKIES[sky])
    t = np.linspace(0.0, 1.0, height)[:, None, None] ** 0.8
    return np.broadcast_to(zenith * (1 - t) + horizon * t, (height, width, 3))


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


class PrevisBackend:
    name = "previs"
    # Bumped whenever the drawing changes: the frame cache keys on it, so an upgraded server
    # draws again rather than answer with frames of the old look (2: skies in exteriors).
    revision = "2"

    def __init__(self, step_delay_s: float = 0.0):
        self.step_delay_s = step_delay_s

    def warm(self) -> None:
        openpose_drawing()  # seconds to import: do it before the first job asks

    def info(self) -> BackendInfo:
        return BackendInfo(name=self.name, available=True, capabilities=["depth", "pose", "masks", "variations"])

    def render(self, request: RenderRequest, ctx: RenderContext) -> list[Image.Image]:
        frames = []
        total = len(_STEPS) * request.variations
        for variation in range(request.variations):
            frames.append(self._one(request, variation, ctx, done=variation * len(_STEPS), total=total))
        return frames

    def _step(self, ctx: RenderContext, done: int, total: int, message: str) -> None:
        ctx.step(done, total, message)
        if self.step_delay_s:
            time.sleep(self.step_delay_s)

    def _one(self, request: RenderRequest, variation: int, ctx: RenderContext, done: int, total: int) -> Image.Image:
        size = (request.width, request.height)
        cond = request.conditioning
        rng = np.random.default_rng(request.seed + variation)
        self._step(ctx, done, total, "shading depth")
        if cond.depth is not None:
            inverse = np.asarray(depth_to_control(cond.depth, size), dtype=np.float32) / 255.0
        else:
            inverse = np.tile(np.linspace(0.2, 0.6, request.height, dtype=np.float32)[:, None], (1, request.width))
        # Warm key light near, cool fill far; the seed nudges the grade so variations differ.
        warm = np.array([1.0, 0.93, 0.82]) * (0.9 + 0.1 * rng.random(3))
        cool = np.array([0.16, 0.19, 0.26])
        shade = 0.15 + 0.85 * inverse[..., None] ** 0.8
        rgb = cool * (1 - shade) + warm * shade

        if cond.depth is not None:
            metric = decode_depth(cond.depth)
            lambert = key_light(metric, _focal_px(request, cond.depth.width))
            lit = np.asarray(Image.fromarray(lambert, mode="F").resize(size, Image.Resampling.BILINEAR))[..., None]
        else:
            lit = np.full((request.height, request.width, 1), 0.7, dtype=np.float32)
        rgb = rgb * (0.55 + 0.45 * lit)
        description = request.description
        if cond.depth is not None and description is not None and description.int_ext.value == "EXT":
            # (the far value went through float16 on the wire: a miss reads within its rounding)
            miss = Image.fromarray((metric >= cond.depth.far * 0.995).astype(np.uint8) * 255)
            miss = np.asarray(miss.resize(size, Image.Resampling.NEAREST))[..., None] > 0
            rgb = np.where(miss, _sky(request.height, request.width, sky_for(description.time_of_day)), rgb)

        self._step(ctx, done + 1, total, "tinting actors")
        colours = {a.name: np.array(a.color) for a in request.actors}
        if cond.masks is not None:
            labels = np.asarray(
                Image.fromarray(decode_labels(cond.masks)).resize(size, Image.Resampling.NEAREST)
            )
            palette, is_actor = label_palette(cond.masks.labels, colours, np.array([0.8, 0.8, 0.8]))
            region = is_actor[labels][..., None]
            # The actor's own colour under the key light: form reads, hue stays theirs.
            body = palette[labels] * (0.22 + 0.95 * lit) * (0.75 + 0.25 * shade)
            rgb = np.where(region, body, rgb)
        image = np.clip(rgb * 255.0, 0, 255).astype(np.uint8)

        self._step(ctx, done + 2, total, "drawing poses")
        if cond.poses:
            # Keypoints are in pixels of the requested frame, whatever the depth resolution.
            image = pose_to_control(cond.poses, size, size, canvas=image.copy())
        frame = Image.fromarray(image)

        self._step(ctx, done + 3, total, "labelling")
        self._labels(frame, request, labels if cond.masks is not None else None,
                     cond.masks.labels if cond.masks is not None else [])
        return frame

    def _labels(self, frame: Image.Image, request: RenderRequest, labels: np.ndarray | None,
                names: list[str]) -> None:
        draw = ImageDraw.Draw(frame, "RGBA")
        small = _font(max(11, request.height // 26))
        for actor in request.conditioning.poses:
            visible = [k for k in actor.keypoints[:2] if k.visibility.value == "VISIBLE"]
            if not visible:
                continue
            x, y = visible[0].x, visible[0].y - request.height * 0.09
            if labels is not None and actor.actor in names:
                # Above the head, not across the face: just over the actor's topmost pixel.
                rows = np.flatnonzero((labels == names.index(actor.actor) + 1).any(axis=1))
                if rows.size:
                    y = max(float(rows[0]) - 4.0, small.size + 4.0)
            box = draw.textbbox((x, y), actor.actor, font=small, anchor="mb")
            draw.rectangle((box[0] - 3, box[1] - 2, box[2] + 3, box[3] + 2), fill=(0, 0, 0, 150))
            draw.text((x, y), actor.actor, font=small, anchor="mb", fill=(255, 255, 255, 255))
        caption = f"{request.shot_number}  {request.caption}".strip()
        if caption:
            font = _font(max(12, request.height // 22))
            bar = int(font.size * 1.8)
            draw.rectangle((0, request.height - bar, request.width, request.height), fill=(0, 0, 0, 170))
            draw.text((10, request.height - bar / 2), caption[:120], font=font, anchor="lm", fill=(255, 255, 255, 255))
