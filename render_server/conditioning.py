"""Turn the raw conditioning the add-on sends into arrays and ControlNet images."""

from __future__ import annotations

import base64
import warnings
from typing import Optional

import numpy as np
from PIL import Image

from shared_schema import ActorKeypoints, DepthMap, KeypointVisibility, LabelMask

from .backends.base import BackendError


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
