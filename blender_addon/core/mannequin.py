"""An OpenPose-18 mannequin: joint positions for a height and a pose.

Local frame: feet on z=0, the actor faces -Y (Blender's front), their right is -X.
Proportions are fractions of standing height, from common figure-drawing canons.
"""

from __future__ import annotations

import math

Vec = tuple[float, float, float]

# OpenPose-18 (COCO) order; the index is the keypoint's position on the wire.
JOINTS = (
    "nose", "neck",
    "r_shoulder", "r_elbow", "r_wrist",
    "l_shoulder", "l_elbow", "l_wrist",
    "r_hip", "r_knee", "r_ankle",
    "l_hip", "l_knee", "l_ankle",
    "r_eye", "l_eye", "r_ear", "l_ear",
)

# Bones of the rig: (name, head joint, tail joint, parent bone). Each OpenPose joint is
# the head of exactly one bone, so posing the rig moves the keypoints with it.
BONES = (
    ("spine", "pelvis", "neck", None),
    ("neck", "neck", "head_top", "spine"),
    ("nose", "nose", "nose_tip", "neck"),
    ("r_eye", "r_eye", "r_eye_tip", "neck"),
    ("l_eye", "l_eye", "l_eye_tip", "neck"),
    ("r_ear", "r_ear", "r_ear_tip", "neck"),
    ("l_ear", "l_ear", "l_ear_tip", "neck"),
    ("r_shoulder", "r_shoulder", "r_elbow", "spine"),
    ("r_elbow", "r_elbow", "r_wrist", "r_shoulder"),
    ("r_wrist", "r_wrist", "r_hand", "r_elbow"),
    ("l_shoulder", "l_shoulder", "l_elbow", "spine"),
    ("l_elbow", "l_elbow", "l_wrist", "l_shoulder"),
    ("l_wrist", "l_wrist", "l_hand", "l_elbow"),
    ("r_hip", "r_hip", "r_knee", "spine"),
    ("r_knee", "r_knee", "r_ankle", "r_hip"),
    ("r_ankle", "r_ankle", "r_toe", "r_knee"),
    ("l_hip", "l_hip", "l_knee", "spine"),
    ("l_knee", "l_knee", "l_ankle", "l_hip"),
    ("l_ankle", "l_ankle", "l_toe", "l_knee"),
)

# Body volumes that read in depth: (bone, radius as a fraction of height).
LIMB_RADII = {
    "spine": 0.085, "neck": 0.04, "r_shoulder": 0.032, "r_elbow": 0.027, "r_wrist": 0.026,
    "l_shoulder": 0.032, "l_elbow": 0.027, "l_wrist": 0.026, "r_hip": 0.05, "r_knee": 0.038,
    "r_ankle": 0.03, "l_hip": 0.05, "l_knee": 0.038, "l_ankle": 0.03,
}

# Standing proportions: (x, y, z) as fractions of height.
_STAND = {
    "head_top": (0.0, 0.0, 1.0), "nose": (0.0, -0.055, 0.915), "neck": (0.0, 0.0, 0.84),
    "r_eye": (-0.02, -0.045, 0.935), "l_eye": (0.02, -0.045, 0.935),
    "r_ear": (-0.045, 0.0, 0.93), "l_ear": (0.045, 0.0, 0.93),
    "r_shoulder": (-0.13, 0.0, 0.82), "l_shoulder": (0.13, 0.0, 0.82),
    "r_elbow": (-0.15, 0.01, 0.63), "l_elbow": (0.15, 0.01, 0.63),
    "r_wrist": (-0.16, -0.01, 0.47), "l_wrist": (0.16, -0.01, 0.47),
    "pelvis": (0.0, 0.0, 0.53),
    "r_hip": (-0.055, 0.0, 0.52), "l_hip": (0.055, 0.0, 0.52),
    "r_knee": (-0.06, -0.01, 0.285), "l_knee": (0.06, -0.01, 0.285),
    "r_ankle": (-0.06, 0.01, 0.045), "l_ankle": (0.06, 0.01, 0.045),
}
CHIN_FRACTION = 0.87


def joint_clearance(joint: str, height: float) -> float:
    """How deep a joint sits inside the body: the widest volume that meets it, plus a margin.

    A ray that hits the body closer than (distance - clearance) is hidden behind something.
    """
    radii = [LIMB_RADII.get(bone, 0.0) for bone, head, tail, _ in BONES if joint in (head, tail)]
    if joint in ("nose", "r_eye", "l_eye", "r_ear", "l_ear"):
        radii.append(0.068)  # the head sphere
    return (max(radii, default=0.03) * 1.25 + 0.03) * height
WAIST_FRACTION = 0.60
EYE_FRACTION = 0.935


def _rotate_about(point: Vec, pivot: Vec, axis: str, degrees: float) -> Vec:
    a = math.radians(degrees)
    x, y, z = (p - q for p, q in zip(point, pivot))
    c, s = math.cos(a), math.sin(a)
    if axis == "x":
        y, z = y * c - z * s, y * s + z * c
    elif axis == "y":
        x, z = x * c + z * s, -x * s + z * c
    else:
        x, y = x * c - y * s, x * s + y * c
    return (x + pivot[0], y + pivot[1], z + pivot[2])


def _swing(joints: dict[str, Vec], chain: tuple[str, ...], axis: str, degrees: float) -> None:
    """Rotate every joint after the first of ``chain`` about the first."""
    pivot = joints[chain[0]]
    for name in chain[1:]:
        joints[name] = _rotate_about(joints[name], pivot, axis, degrees)


def _pose_walk(j: dict[str, Vec]) -> None:
    _swing(j, ("r_hip", "r_knee", "r_ankle"), "x", 22)
    _swing(j, ("l_hip", "l_knee", "l_ankle"), "x", -18)
    _swing(j, ("r_shoulder", "r_elbow", "r_wrist"), "x", -18)
    _swing(j, ("l_shoulder", "l_elbow", "l_wrist"), "x", 18)


def _pose_point(j: dict[str, Vec]) -> None:
    # Right arm raised forward to shoulder height.
    _swing(j, ("r_shoulder", "r_elbow", "r_wrist"), "x", 85)


def _pose_arms_crossed(j: dict[str, Vec]) -> None:
    _swing(j, ("r_elbow", "r_wrist"), "x", 100)
    _swing(j, ("l_elbow", "l_wrist"), "x", 100)
    for side, sign in (("r", 1.0), ("l", -1.0)):
        x, y, z = j[f"{side}_wrist"]
        j[f"{side}_wrist"] = (x + sign * 0.2 * abs(x), y, z)


def _pose_hands_to_face(j: dict[str, Vec]) -> None:
    _swing(j, ("r_shoulder", "r_elbow", "r_wrist"), "x", 35)
    _swing(j, ("l_shoulder", "l_elbow", "l_wrist"), "x", 35)
    _swing(j, ("r_elbow", "r_wrist"), "x", 115)
    _swing(j, ("l_elbow", "l_wrist"), "x", 115)


def _pose_sit(j: dict[str, Vec]) -> None:
    drop = 0.25
    for name in list(j):
        if name not in ("r_knee", "l_knee", "r_ankle", "l_ankle"):
            x, y, z = j[name]
            j[name] = (x, y, z - drop)
    _swing(j, ("r_hip", "r_knee", "r_ankle"), "x", 90)
    _swing(j, ("l_hip", "l_knee", "l_ankle"), "x", 90)
    _swing(j, ("r_knee", "r_ankle"), "x", -90)
    _swing(j, ("l_knee", "l_ankle"), "x", -90)
    for name in ("r_ankle", "l_ankle", "r_knee", "l_knee"):
        x, y, z = j[name]
        j[name] = (x, y, z - drop if name.endswith("knee") else max(z - drop, 0.045))


POSES = {
    "stand": lambda j: None,
    "walk": _pose_walk,
    "point": _pose_point,
    "arms_crossed": _pose_arms_crossed,
    "hands_to_face": _pose_hands_to_face,
    "sit": _pose_sit,
}

POSE_WORDS = {
    "walk": "walk walks walking enters enter strides steps crosses approaches arrives leaves comes",
    "sit": "sit sits sitting seated slumps",
    "point": "point points pointing gestures waves",
    "arms_crossed": "crosses arms folded waits",
    "hands_to_face": "cries sobs buries covers weeps gasps",
}
_POSE_OF_WORD = {w: pose for pose, words in POSE_WORDS.items() for w in words.split()}


def pose_for_action(action: str, entering: bool = False) -> str:
    if entering:
        return "walk"
    for word in action.lower().replace(",", " ").replace(".", " ").split():
        if word in _POSE_OF_WORD:
            return _POSE_OF_WORD[word]
    return "stand"


def joint_positions(height: float, pose: str = "stand") -> dict[str, Vec]:
    """Every rig point (OpenPose joints plus helpers) in metres, local frame."""
    if pose not in POSES:
        raise ValueError(f"unknown pose {pose!r}; choose one of {', '.join(sorted(POSES))}")
    joints = {name: (x * height, y * height, z * height) for name, (x, y, z) in _STAND.items()}
    POSES[pose](joints)
    # Helper tips (bone tails) follow their joints.
    for side in ("r", "l"):
        ex, ey, ez = joints[f"{side}_elbow"]
        wx, wy, wz = joints[f"{side}_wrist"]
        joints[f"{side}_hand"] = (wx + (wx - ex) * 0.45, wy + (wy - ey) * 0.45, wz + (wz - ez) * 0.45)
        ax, ay, az = joints[f"{side}_ankle"]
        joints[f"{side}_toe"] = (ax, ay - 0.13 * height, max(az - 0.03 * height, 0.0))
        for part in ("eye", "ear"):
            px, py, pz = joints[f"{side}_{part}"]
            joints[f"{side}_{part}_tip"] = (px, py - 0.02 * height, pz)
    nx, ny, nz = joints["nose"]
    joints["nose_tip"] = (nx, ny - 0.02 * height, nz)
    return joints


def to_world(point: Vec, location: Vec, facing_deg: float) -> Vec:
    """Local mannequin point -> world, turning the actor ``facing_deg`` about Z."""
    x, y, z = _rotate_about(point, (0.0, 0.0, 0.0), "z", facing_deg)
    return (x + location[0], y + location[1], z + location[2])


def facing_towards(src: Vec, dst: Vec) -> float:
    """Yaw in degrees that turns the local front (-Y) from ``src`` to look at ``dst``."""
    dx, dy = dst[0] - src[0], dst[1] - src[1]
    return math.degrees(math.atan2(dx, -dy))
