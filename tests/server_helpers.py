"""Building realistic render requests for server tests without Blender."""

from __future__ import annotations

import base64

import numpy as np

import shared_schema as wire


def depth_map(width: int, height: int, near: float = 1.0, far: float = 20.0, fill: float = 10.0,
              box: tuple[int, int, int, int] | None = None, box_depth: float = 2.0) -> wire.DepthMap:
    values = np.full((height, width), fill, dtype="<f2")
    if box:
        x0, y0, x1, y1 = box
        values[y0:y1, x0:x1] = box_depth
    return wire.DepthMap(width=width, height=height, near=near, far=far,
                         data_b64=base64.b64encode(values.tobytes()).decode())


def label_mask(width: int, height: int, labels: list[str], boxes: list[tuple[int, int, int, int]]) -> wire.LabelMask:
    values = np.zeros((height, width), dtype=np.uint8)
    for index, (x0, y0, x1, y1) in enumerate(boxes, start=1):
        values[y0:y1, x0:x1] = index
    return wire.LabelMask(width=width, height=height, labels=labels,
                          data_b64=base64.b64encode(values.tobytes()).decode())


def standing_pose(actor: str, cx: float, top: float, scale: float) -> wire.ActorKeypoints:
    """A front-facing OpenPose-18 figure with its neck at (cx, top + 0.2 * scale)."""
    offsets = [(0, 0.1), (0, 0.2), (-0.15, 0.2), (-0.2, 0.4), (-0.22, 0.6), (0.15, 0.2), (0.2, 0.4), (0.22, 0.6),
               (-0.08, 0.6), (-0.09, 0.8), (-0.09, 1.0), (0.08, 0.6), (0.09, 0.8), (0.09, 1.0),
               (-0.03, 0.07), (0.03, 0.07), (-0.06, 0.08), (0.06, 0.08)]
    return wire.ActorKeypoints(actor=actor, keypoints=[wire.Keypoint(cx + dx * scale, top + dy * scale)
                                                       for dx, dy in offsets])


def render_request(width: int = 160, height: int = 90, **overrides) -> wire.RenderRequest:
    request = wire.RenderRequest(
        shot_number="1", width=width, height=height, prompt="a pier at night", seed=3, caption="WS 24mm",
        actors=[wire.ActorPlacement(name="MARA", color=(0.9, 0.2, 0.2))],
        conditioning=wire.Conditioning(
            depth=depth_map(width // 2, height // 2, box=(30, 5, 50, 40)),
            poses=[standing_pose("MARA", cx=width * 0.5, top=10, scale=70)],
            masks=label_mask(width // 2, height // 2, ["MARA"], [(30, 5, 50, 40)]),
        ),
    )
    for key, value in overrides.items():
        setattr(request, key, value)
    return request
