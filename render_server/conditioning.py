"""Turn the raw conditioning the add-on sends into arrays and ControlNet images."""

from __future__ import annotations

import base64
import binascii
import warnings
from typing import Optional

import numpy as np
from PIL import Image

from shared_schema import ActorKeypoints, DepthMap, KeypointVisibility, LabelMask, RenderRequest

from .backends.base import BackendError


# Work per job is bounded by its pixels: frame size times variations. 40 MP is a 16-variation
# board at 1920x1080 (33 MP) with room to spare, and an SDXL 1024x1024 batch of 38.
MAX_JOB_PIXELS = 40_000_000
MAX_LABELS = 255  # a label mask is uint8: 0 is the background


def _b64(data: str, field: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise BackendError("validation_error", f"{field} is not valid base64",
                           "encode the raw bytes with standard base64 (A-Z a-z 0-9 + /, padded with =)") from None


def validate_request(request: RenderRequest) -> None:
    """Refuse at submit what would only fail later in the worker; each message names the field.

    Bounds on single fields are the schema's (``check_limits``); these are the rules that tie
    fields together or need the data decoded.
    """
    pixels = request.width * request.height * request.variations
    if pixels > MAX_JOB_PIXELS:
        raise BackendError("validation_error",
                           f"width x height x variations is {pixels / 1e6:.1f} MP, more than "
                           f"{MAX_JOB_PIXELS / 1e6:.0f} MP in one job",
                           "ask for fewer variations or a smaller frame, and submit the rest as another job")
    for name, start, end in zip(("depth", "openpose"), request.control_start, request.control_end):
        if start > end:
            raise BackendError("validation_error", f"control_start for {name} ({start}) is after control_end ({end})",
                               "each ControlNet applies from control_start to control_end, fractions of the steps")
    cond = request.conditioning
    if cond.depth is not None:
        depth = cond.depth
        if not depth.near < depth.far:
            raise BackendError("validation_error",
                               f"conditioning.depth: near ({depth.near}) must be less than far ({depth.far})",
                               "send the shot's clip range: near > 0 and far beyond it")
        if depth.dtype not in ("float16", "float32"):
            raise BackendError("validation_error", f"conditioning.depth.dtype {depth.dtype!r} is not supported",
                               "send depth as little-endian float16 or float32")
        raw = _b64(depth.data_b64, "conditioning.depth.data_b64")
        expected = depth.width * depth.height * np.dtype(depth.dtype).itemsize
        if len(raw) != expected:
            raise BackendError("validation_error",
                               f"conditioning.depth.data_b64 holds {len(raw)} bytes, expected {expected} "
                               f"({depth.width}x{depth.height} {depth.dtype})",
                               "width and height must describe data_b64 exactly")
    if cond.masks is not None:
        mask = cond.masks
        if len(mask.labels) > MAX_LABELS:
            raise BackendError("validation_error", f"conditioning.masks has {len(mask.labels)} labels",
                               f"a uint8 label mask holds at most {MAX_LABELS} actors")
        raw = _b64(mask.data_b64, "conditioning.masks.data_b64")
        if len(raw) != mask.width * mask.height:
            raise BackendError("validation_error",
                               f"conditioning.masks.data_b64 holds {len(raw)} bytes, expected "
                               f"{mask.width * mask.height} ({mask.width}x{mask.height} uint8 labels)",
                               "send one uint8 label per pixel")


def label_palette(labels: list[str], colours: dict[str, np.ndarray], default) -> tuple[np.ndarray, np.ndarray]:
    """A colour per label value and which values are actors, for one vectorized lookup.

    Indexing these with a label image costs one pass over the pixels however many labels
    there are (a loop of ``labels == i`` costs a pass per label).
    """
    palette = np.zeros((256, 3), dtype=np.float64)
    is_actor = np.zeros(256, dtype=bool)
    for value, name in enumerate(labels[:MAX_LABELS], start=1):
        palette[value] = colours.get(name, default)
        is_actor[value] = True
    return palette, is_actor


def decode_depth(depth: DepthMap) -> np.ndarray:
    """Metric depth as float32 (height, width); misses hold ``far``."""
    if depth.dtype not in ("float16", "float32"):
        raise BackendError("validation_error", f"depth dtype {depth.dtype!r} is not supported",
                           "send depth as little-endian float16 or float32")
    raw = base64.b64decode(depth.data_b64)
    values = np.frombuffer(raw, dtype=np.dtype(depth.dtype).newbyteorder("<"))
    if values.size != depth.width * depth.height:
        raise BackendError("validation_error",
                           f"depth has {values.size} values, expected {depth.width}x{depth.height}",
                           "width and height must describe data_b64 exactly")
    array = values.reshape(depth.height, depth.width).astype(np.float32)
    return np.nan_to_num(array, nan=depth.far, posinf=depth.far, neginf=depth.far)


def depth_to_control(depth: DepthMap, size: tuple[int, int]) -> Image.Image:
    """ControlNet's depth convention: inverse depth normalized to [0, 1], near bright."""
    metric = np.clip(decode_depth(depth), depth.near, depth.far)
    inverse = (1.0 / metric - 1.0 / depth.far) / (1.0 / depth.near - 1.0 / depth.far)
    image = Image.fromarray((inverse * 255.0 + 0.5).astype(np.uint8), mode="L")
    return image.resize(size, Image.Resampling.BILINEAR)


def decode_labels(mask: LabelMask) -> np.ndarray:
    raw = base64.b64decode(mask.data_b64)
    if len(raw) != mask.width * mask.height:
        raise BackendError("validation_error",
                           f"mask has {len(raw)} bytes, expected {mask.width}x{mask.height}",
                           "send one uint8 label per pixel")
    return np.frombuffer(raw, dtype=np.uint8).reshape(mask.height, mask.width)


def openpose_drawing():
    """controlnet_aux's OpenPose drawing; importing it loads the whole package (seconds, noisy)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from controlnet_aux.open_pose.body import Keypoint
        from controlnet_aux.open_pose.util import draw_bodypose
    return Keypoint, draw_bodypose


def pose_to_control(poses: list[ActorKeypoints], source_size: tuple[int, int], size: tuple[int, int],
                    canvas: Optional[np.ndarray] = None) -> np.ndarray:
    """Draw OpenPose-18 skeletons the way ControlNet was trained (controlnet_aux's drawing)."""
    OpenPoseKeypoint, draw_bodypose = openpose_drawing()

    width, height = size
    if canvas is None:
        canvas = np.zeros((height, width, 3), dtype=np.uint8)
    src_w, src_h = source_size
    for actor in poses:
        points = [
            OpenPoseKeypoint(k.x / src_w, k.y / src_h)
            if k.visibility is KeypointVisibility.VISIBLE else None
            for k in actor.keypoints
        ]
        canvas = draw_bodypose(canvas, points)
    return canvas
