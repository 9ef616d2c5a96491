"""The mannequin's body as a light mesh over the joint model: a lofted torso with hips, waist,
chest and shoulders, tapered capsules for neck and limbs, an egg-shaped head with a nose,
and a visor band across the eyes. Pure Python: vertices and faces per bone.

Why lofted by hand rather than Blender's skin modifier or metaballs: both need a
subdivision pass to read as a body (4-8k triangles per actor), and the depth rasterizer's
cost grows with the triangle count. This body stays near the blocky one's ~1300 triangles.
The joints are the truth: every part is placed from ``mannequin.joint_positions``, so
keypoints never move when the body changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

Vec = tuple[float, float, float]

LIMB_SEGMENTS = 8
TORSO_SEGMENTS = 12
HEAD_SEGMENTS = 12

# Torso cross-sections up the spine, standing proportions (fractions of height):
# (height, half width, half depth, centre forward of the spine).
TORSO_RINGS = (
    (0.475, 0.072, 0.052, 0.0),    # crotch
    (0.505, 0.098, 0.066, 0.0),    # hips
    (0.55, 0.097, 0.064, 0.0),
    (0.615, 0.082, 0.056, 0.004),  # waist
    (0.685, 0.094, 0.063, 0.008),  # chest
    (0.75, 0.108, 0.064, 0.006),
    (0.80, 0.117, 0.056, 0.0),     # shoulders
    (0.833, 0.088, 0.045, 0.0),    # shoulder slope
    (0.848, 0.04, 0.034, 0.0),     # base of the neck
)
PELVIS_Z, NECK_Z = 0.53, 0.84
TORSO_BOTTOM, TORSO_TOP = 0.46, 0.852

# (bone, head joint, tail joint, radius at head, radius at tail), fractions of height.
LIMBS = (
    ("r_shoulder", "r_shoulder", "r_elbow", 0.034, 0.027),
    ("r_elbow", "r_elbow", "r_wrist", 0.027, 0.02),
    ("r_wrist", "r_wrist", "r_hand", 0.022, 0.019),
    ("l_shoulder", "l_shoulder", "l_elbow", 0.034, 0.027),
    ("l_elbow", "l_elbow", "l_wrist", 0.027, 0.02),
    ("l_wrist", "l_wrist", "l_hand", 0.022, 0.019),
    ("r_hip", "r_hip", "r_knee", 0.056, 0.037),
    ("r_knee", "r_knee", "r_ankle", 0.037, 0.024),
    ("r_ankle", "r_ankle", "r_toe", 0.027, 0.022),
    ("l_hip", "l_hip", "l_knee", 0.056, 0.037),
    ("l_knee", "l_knee", "l_ankle", 0.037, 0.024),
    ("l_ankle", "l_ankle", "l_toe", 0.027, 0.022),
)
# The head: an ellipsoid (half width, half depth, half height) whose centre sits this far up
# the neck bone, a little back so the skull is round behind and the face flatter in front.
HEAD_AXES = (0.052, 0.06, 0.066)
HEAD_CENTRE_UP = 0.1
HEAD_CENTRE_BACK = 0.004
NOSE_LENGTH = 0.03
SHOULDER_TUCK = 0.028
VISOR = (0.64, 0.022, 1.1)  # arc half-angle (radians off the front), half height (of height), scale


@dataclass
class Part:
    bone: str
    verts: list[Vec] = field(default_factory=list)
    faces: list[tuple[int, ...]] = field(default_factory=list)


def _add(a: Vec, b: Vec) -> Vec:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def _sub(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def _mul(a: Vec, k: float) -> Vec:
    return (a[0] * k, a[1] * k, a[2] * k)


def _dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _cross(a: Vec, b: Vec) -> Vec:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _unit(a: Vec, fallback: Vec = (0.0, 0.0, 1.0)) -> Vec:
    n = math.sqrt(_dot(a, a))
    return _mul(a, 1.0 / n) if n > 1e-9 else fallback


def _perpendicular(axis: Vec, hint: Vec) -> Vec:
    """``hint`` made perpendicular to ``axis`` (any perpendicular if they are parallel)."""
    v = _sub(hint, _mul(axis, _dot(hint, axis)))
    if _dot(v, v) < 1e-10:
        v = _sub((1.0, 0.0, 0.0), _mul(axis, axis[0]))
        if _dot(v, v) < 1e-10:
            v = _sub((0.0, 1.0, 0.0), _mul(axis, axis[1]))
    return _unit(v)


Ring = tuple[Vec, Vec, Vec, float, float]  # centre, first axis, second axis, radius along each


def loft(part: Part, rings: list[Ring], segments: int, start: Vec | None, end: Vec | None) -> None:
    """Quads between consecutive elliptical rings, closed by a fan to ``start`` and ``end``."""
    base = len(part.verts)
    for centre, ax, ay, rx, ry in rings:
        for k in range(segments):
            a = 2.0 * math.pi * k / segments
            part.verts.append(_add(centre, _add(_mul(ax, rx * math.cos(a)), _mul(ay, ry * math.sin(a)))))
    for i in range(len(rings) - 1):
        row, nxt = base + i * segments, base + (i + 1) * segments
        for k in range(segments):
            k2 = (k + 1) % segments
            part.faces.append((row + k, row + k2, nxt + k2, nxt + k))  # outward: Workbench lights them
    if start is not None:
        part.verts.append(start)
        pole = len(part.verts) - 1
        part.faces += [(pole, base + (k + 1) % segments, base + k) for k in range(segments)]
    if end is not None:
        part.verts.append(end)
        pole, last = len(part.verts) - 1, base + (len(rings) - 1) * segments
        part.faces += [(pole, last + k, last + (k + 1) % segments) for k in range(segments)]


def capsule(part: Part, a: Vec, b: Vec, ra: float, rb: float, hint: Vec = (0.0, -1.0, 0.0),
            segments: int = LIMB_SEGMENTS) -> None:
    """A tapered capsule from ``a`` to ``b``: round ends, so joints meet without seams."""
    axis = _unit(_sub(b, a))
    ax = _perpendicular(axis, hint)
    ay = _cross(axis, ax)
    c = math.cos(math.pi / 4)
    rings = [(_sub(a, _mul(axis, ra * c)), ax, ay, ra * c, ra * c), (a, ax, ay, ra, ra),
             (b, ax, ay, rb, rb), (_add(b, _mul(axis, rb * c)), ax, ay, rb * c, rb * c)]
    loft(part, rings, segments, _sub(a, _mul(axis, ra)), _add(b, _mul(axis, rb)))


def _torso_frame(j: dict[str, Vec]) -> tuple[Vec, Vec, Vec]:
    """(up the spine, towards the body's left, towards its front)."""
    up = _unit(_sub(j["neck"], j["pelvis"]))
    left = _perpendicular(up, _sub(j["l_shoulder"], j["r_shoulder"]))
    return up, left, _cross(left, up)


def head_frame(j: dict[str, Vec], height: float) -> tuple[Vec, Vec, Vec, Vec]:
    """(centre, up, left, front) of the head; front points where the eyes look."""
    up = _unit(_sub(j["head_top"], j["neck"]))
    left = _perpendicular(up, _sub(j["l_eye"], j["r_eye"]))
    front = _cross(left, up)
    centre = _add(j["neck"], _add(_mul(up, HEAD_CENTRE_UP * height), _mul(front, -HEAD_CENTRE_BACK * height)))
    return centre, up, left, front


def torso(j: dict[str, Vec], height: float) -> Part:
    up, left, front = _torso_frame(j)
    part = Part("spine")
    rings = []
    for z, half_w, half_d, ahead in TORSO_RINGS:
        centre = _add(j["pelvis"], _add(_mul(up, (z - PELVIS_Z) * height), _mul(front, ahead * height)))
        rings.append((centre, left, _mul(front, -1.0), half_w * height, half_d * height))  # counter-clockwise about up
    bottom = _add(j["pelvis"], _mul(up, (TORSO_BOTTOM - PELVIS_Z) * height))
    top = _add(j["pelvis"], _mul(up, (TORSO_TOP - PELVIS_Z) * height))
    loft(part, rings, TORSO_SEGMENTS, bottom, top)
    return part


def head(j: dict[str, Vec], height: float) -> Part:
    """An egg of a head, and a nose that points where the face looks."""
    centre, up, left, front = head_frame(j, height)
    hx, hy, hz = (a * height for a in HEAD_AXES)
    part = Part("neck")
    rings = []
    latitudes = 7
    for i in range(1, latitudes + 1):
        t = math.pi * i / (latitudes + 1)  # from the crown down
        ring_up, ring_r = math.cos(t), math.sin(t)
        # The jaw narrows: the lower half is a little slimmer side to side.
        narrow = 1.0 - 0.18 * max(0.0, -ring_up)
        rings.append((_add(centre, _mul(up, hz * ring_up)), left, front, hx * ring_r * narrow, hy * ring_r))
    loft(part, rings, HEAD_SEGMENTS, _add(centre, _mul(up, hz)), _sub(centre, _mul(up, hz)))
    # The neck: from inside the shoulders into the head.
    capsule(part, _add(j["neck"], _mul(up, -0.02 * height)), centre, 0.034 * height, 0.03 * height, front)
    nose_root = _add(j["nose"], _add(_mul(front, -0.012 * height), _mul(up, 0.012 * height)))
    nose_tip = _add(j["nose"], _add(_mul(front, NOSE_LENGTH * height), _mul(up, -0.004 * height)))
    capsule(part, nose_root, nose_tip, 0.016 * height, 0.007 * height, up, segments=6)
    return part


def visor(j: dict[str, Vec], height: float) -> Part:
    """A band round the front of the head at the eyes: the face reads at a glance."""
    centre, up, left, front = head_frame(j, height)
    eyes = _mul(_add(j["r_eye"], j["l_eye"]), 0.5)
    level = _add(centre, _mul(up, _dot(_sub(eyes, centre), up)))
    half_angle, half_h, scale = VISOR
    hx, hy = HEAD_AXES[0] * height, HEAD_AXES[1] * height
    part = Part("neck")
    steps = 8
    for i in range(steps + 1):
        a = -half_angle + 2 * half_angle * i / steps
        direction = _add(_mul(left, hx * math.sin(a)), _mul(front, hy * math.cos(a)))
        for s in (scale, 0.92):
            for dz in (half_h, -half_h):
                part.verts.append(_add(level, _add(_mul(direction, s), _mul(up, dz * height))))
    for i in range(steps):
        o, n = 4 * i, 4 * (i + 1)
        # outer face, inner face, top, bottom
        part.faces += [(o, o + 1, n + 1, n), (o + 2, n + 2, n + 3, o + 3), (o, n, n + 2, o + 2), (o + 1, o + 3, n + 3, n + 1)]
    last = 4 * steps
    part.faces += [(0, 2, 3, 1), (last, last + 1, last + 3, last + 2)]
    return part


def body_parts(j: dict[str, Vec], height: float) -> list[Part]:
    """Every part of the body (not the visor), each bound to one bone of the rig."""
    parts = [torso(j, height), head(j, height)]
    _, _, front = _torso_frame(j)
    for bone, a, b, ra, rb in LIMBS:
        part = Part(bone)
        start = j[a]
        if bone.endswith("shoulder"):  # the arm's round top tucks under the shoulder line
            start = _add(start, _mul(_unit(_sub(j[b], j[a])), SHOULDER_TUCK * height))
        capsule(part, start, j[b], ra * height, rb * height, front)
        parts.append(part)
    return parts


def triangle_count(parts: list[Part]) -> int:
    return sum(len(f) - 2 for p in parts for f in p.faces)
