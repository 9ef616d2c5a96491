"""An OpenPose-18 mannequin: joint positions for a height and a pose.

Local frame: feet on z=0, the actor faces -Y (Blender's front), their right is -X.
Proportions are fractions of standing height, from common figure-drawing canons.
"""

from __future__ import annotations

import math
import re

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


def _add(a: Vec, b: Vec) -> Vec:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def _sub(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def _scale(a: Vec, k: float) -> Vec:
    return (a[0] * k, a[1] * k, a[2] * k)


def _dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _norm(a: Vec) -> float:
    return math.sqrt(_dot(a, a))


def _reach(j: dict[str, Vec], root: str, mid: str, end: str, target: Vec, pole: Vec) -> None:
    """Two-bone IK: put ``end`` at ``target`` (or as near as the limb reaches), bending ``mid``
    towards ``pole``. Bone lengths are kept."""
    base = j[root]
    upper, lower = _norm(_sub(j[mid], base)), _norm(_sub(j[end], j[mid]))
    offset = _sub(target, base)
    distance = min(max(_norm(offset), abs(upper - lower) + 1e-4), upper + lower - 1e-4)
    direction = _scale(offset, 1.0 / (_norm(offset) or 1.0))
    cos_a = (upper ** 2 + distance ** 2 - lower ** 2) / (2 * upper * distance)
    sin_a = math.sqrt(max(0.0, 1.0 - cos_a ** 2))
    bend = _sub(pole, _scale(direction, _dot(pole, direction)))
    bend = _scale(bend, 1.0 / (_norm(bend) or 1.0))
    j[mid] = _add(base, _add(_scale(direction, upper * cos_a), _scale(bend, upper * sin_a)))
    j[end] = _add(base, _scale(direction, distance))


def _arm(j: dict[str, Vec], side: str, target: Vec, pole: Vec = (0.0, 0.3, -1.0)) -> None:
    sign = -1.0 if side == "r" else 1.0
    _reach(j, f"{side}_shoulder", f"{side}_elbow", f"{side}_wrist", target, (pole[0] * sign + 0.3 * sign, *pole[1:]))


def _leg(j: dict[str, Vec], side: str, target: Vec, pole: Vec = (0.0, -1.0, 0.0)) -> None:
    _reach(j, f"{side}_hip", f"{side}_knee", f"{side}_ankle", target, pole)


def _near(j: dict[str, Vec], joint: str, dx: float, dy: float, dz: float, height: float) -> Vec:
    x, y, z = j[joint]
    return (x + dx * height, y + dy * height, z + dz * height)


def _lower_body(j: dict[str, Vec], drop: float, names: tuple[str, ...]) -> None:
    for name in names:
        x, y, z = j[name]
        j[name] = (x, y, z - drop)


_UPPER = ("pelvis", "neck", "head_top", "nose", "r_eye", "l_eye", "r_ear", "l_ear", "r_shoulder", "l_shoulder",
          "r_elbow", "l_elbow", "r_wrist", "l_wrist", "r_hip", "l_hip")


def _pose_walk(j, h):
    _swing(j, ("r_hip", "r_knee", "r_ankle"), "x", 22)
    _swing(j, ("l_hip", "l_knee", "l_ankle"), "x", -18)
    _swing(j, ("r_shoulder", "r_elbow", "r_wrist"), "x", -18)
    _swing(j, ("l_shoulder", "l_elbow", "l_wrist"), "x", 18)


def _pose_run(j, h):
    for name in _UPPER[1:-2]:  # lean into the run from the hips (hips themselves stay)
        j[name] = _rotate_about(j[name], j["pelvis"], "x", 12)
    _swing(j, ("r_hip", "r_knee", "r_ankle"), "x", 45)
    _swing(j, ("r_knee", "r_ankle"), "x", -70)
    _swing(j, ("l_hip", "l_knee", "l_ankle"), "x", -30)
    _arm(j, "r", _near(j, "r_shoulder", 0.02, 0.12, -0.18, h), pole=(0.0, 1.0, -0.3))
    _arm(j, "l", _near(j, "l_shoulder", -0.02, -0.14, -0.12, h), pole=(0.0, 1.0, -0.3))
    lift = min(j["r_ankle"][2], j["l_ankle"][2]) - 0.045 * h
    _lower_body(j, lift, tuple(j))


def _pose_point(j, h):
    _arm(j, "r", _near(j, "r_shoulder", 0.0, -0.4, 0.06, h))


def _pose_punch(j, h):
    _arm(j, "r", _near(j, "r_shoulder", 0.1, -0.42, 0.0, h))
    _arm(j, "l", _near(j, "l_shoulder", -0.08, -0.12, 0.02, h), pole=(0.0, 0.5, -1.0))


def _pose_put_down(j, h):
    """A hand brought down flat on the table in front ("slams the notes on the table", "sets the
    cup down on the desk"): the wrist at about a table's height, a forearm's length ahead."""
    _arm(j, "r", _near(j, "r_shoulder", 0.02, -0.24, -0.37, h))


def _pose_wave(j, h):
    _arm(j, "r", _near(j, "r_shoulder", -0.12, -0.04, 0.3, h), pole=(1.0, 0.0, -0.2))


def _pose_arms_crossed(j, h):
    """Forearms folded across the chest below the armpits, elbows out at the sides, each hand
    tucked at the other arm. Targets come from the standing shoulders, not from the other
    arm's moved joints (which once sent a hand up to the face)."""
    r_s, l_s = j["r_shoulder"], j["l_shoulder"]
    _arm(j, "r", (0.03 * h, r_s[1] - 0.11 * h, r_s[2] - 0.16 * h), pole=(0.7, 0.2, -1.0))
    _arm(j, "l", (-0.03 * h, l_s[1] - 0.13 * h, l_s[2] - 0.14 * h), pole=(0.7, 0.2, -1.0))


def _pose_hands_to_face(j, h):
    _arm(j, "r", _near(j, "nose", -0.035, -0.01, -0.01, h))
    _arm(j, "l", _near(j, "nose", 0.035, -0.01, -0.01, h))


def _pose_phone(j, h):
    _arm(j, "r", _near(j, "r_ear", -0.01, -0.02, -0.01, h))


def _pose_drink(j, h):
    _arm(j, "r", _near(j, "nose", -0.01, -0.07, -0.03, h))


def _pose_hug(j, h):
    _arm(j, "r", _near(j, "neck", 0.05, -0.2, -0.1, h), pole=(1.0, 0.0, 0.0))
    _arm(j, "l", _near(j, "neck", -0.05, -0.2, -0.1, h), pole=(1.0, 0.0, 0.0))


_LEGS = ("r_knee", "l_knee", "r_ankle", "l_ankle")


def _pose_sit(j, h):
    drop = 0.25 * h
    _lower_body(j, drop, _UPPER + _LEGS)  # keeps bone lengths; the IK below puts the feet down
    for side in ("r", "l"):
        hip = j[f"{side}_hip"]
        _leg(j, side, (hip[0], hip[1] - 0.26 * h, 0.045 * h), pole=(0.0, -1.0, 0.6))
    _arm(j, "r", _near(j, "r_hip", 0.0, -0.2, 0.05, h))
    _arm(j, "l", _near(j, "l_hip", 0.0, -0.2, 0.05, h))


def _pose_sit_at_table(j, h):
    """Seated with forearms on a table top in front (about 0.43 of standing height)."""
    _pose_sit(j, h)
    for side, x in (("r", -0.06), ("l", 0.06)):
        _arm(j, side, (x * h, -0.27 * h, 0.445 * h), pole=(0.0, 0.3, -1.0))


def _pose_kneel(j, h):
    # Right knee on the ground under the hip, shin back along the floor; left foot planted.
    thigh = _norm(_sub(j["r_knee"], j["r_hip"]))
    shin = _norm(_sub(j["r_ankle"], j["r_knee"]))
    drop = j["r_hip"][2] - (thigh + 0.03 * h)
    _lower_body(j, drop, _UPPER + _LEGS)
    x, y, _ = j["r_hip"]
    j["r_knee"] = (x, y, 0.03 * h)
    j["r_ankle"] = (x, y + shin, 0.03 * h)
    l_hip = j["l_hip"]
    _leg(j, "l", (l_hip[0], l_hip[1] - 0.28 * h, 0.045 * h), pole=(0.0, -1.0, 0.5))


def _pose_fall(j, h):
    # Caught mid-fall backwards: the whole body pivots about the ankles.
    pivot = ((j["r_ankle"][0] + j["l_ankle"][0]) / 2, j["r_ankle"][1], 0.0)
    for name in list(j):
        j[name] = _rotate_about(j[name], pivot, "x", -55)
    _arm(j, "r", _near(j, "r_shoulder", -0.15, -0.1, 0.1, h), pole=(1.0, 0.0, 0.0))
    _arm(j, "l", _near(j, "l_shoulder", 0.15, -0.1, 0.1, h), pole=(1.0, 0.0, 0.0))


# Lying poses: the body is laid down after the helper tips are placed (see joint_positions).
# "lie" rests on a bed or sofa whose top is LIE_SURFACE; "lie_floor" on the floor.
LIE_SURFACE = 0.5
LIE_POSES = {"lie": LIE_SURFACE, "lie_floor": 0.0}
LIE_BACK_DEPTH = 0.068  # half the torso's depth (fraction of height): the back rests on the surface
HEAD_PROPPED_DEG = 40.0  # head up on a pillow, so the face rises above the chest
HEAD_TURNED_DEG = 40.0   # face turned towards the front (the camera's side)
_HEAD = ("head_top", "nose", "r_eye", "l_eye", "r_ear", "l_ear",
         "nose_tip", "r_eye_tip", "l_eye_tip", "r_ear_tip", "l_ear_tip")


def _pose_lie(j, h):
    """Arms at rest for lying on the back: the left arm beside the body, the right hand on the belly.

    Laid down (``_lay_down``) the body's back (+Y) goes down, so targets a little behind the
    body's plane end up resting on the surface."""
    _reach(j, "l_shoulder", "l_elbow", "l_wrist", (0.17 * h, 0.03 * h, 0.47 * h), (1.0, 0.3, 0.0))
    _reach(j, "r_shoulder", "r_elbow", "r_wrist", (-0.03 * h, -0.08 * h, 0.6 * h), (-1.0, 0.2, 0.0))


def _lay_down(j: dict[str, Vec], h: float, surface: float) -> None:
    """Lay the standing body on its back along local X (head towards +X, the actor's front side
    at -Y stays their left), its back on ``surface`` and the neck above the local origin.

    Framing aims at the actor's location: with the neck there, a close-up holds the face and a
    wide shot the whole body. The head is propped up and turned to the front so the face reads."""
    for name, (x, y, z) in j.items():
        j[name] = (z, -x, -y)  # up -> +X, front (-Y) -> up (+Z), left (+X) -> front (-Y)
    neck = j["neck"]
    for name in _HEAD:
        j[name] = _rotate_about(j[name], neck, "x", HEAD_TURNED_DEG)  # about the body's axis: a turn
        j[name] = _rotate_about(j[name], neck, "y", -HEAD_PROPPED_DEG)
    nx, ny, _ = neck
    lift = surface + LIE_BACK_DEPTH * h
    for name, (x, y, z) in j.items():
        j[name] = (x - nx, y - ny, z + lift)


POSES = {
    "stand": lambda j, h: None,
    "walk": _pose_walk,
    "run": _pose_run,
    "point": _pose_point,
    "punch": _pose_punch,
    "put_down": _pose_put_down,
    "wave": _pose_wave,
    "arms_crossed": _pose_arms_crossed,
    "hands_to_face": _pose_hands_to_face,
    "phone": _pose_phone,
    "drink": _pose_drink,
    "hug": _pose_hug,
    "sit": _pose_sit,
    "sit_at_table": _pose_sit_at_table,
    "kneel": _pose_kneel,
    "fall": _pose_fall,
    "lie": _pose_lie,
    "lie_floor": _pose_lie,
}

POSE_WORDS = {
    "run": "run runs running races sprints chases flees dashes rushes",
    "walk": "walk walks walking enters enter strides steps crosses approaches arrives leaves comes paces",
    "sit": "sit sits sitting seated slumps",
    "kneel": "kneel kneels kneeling crouches",
    "fall": "fall falls trips tumbles staggers",
    "lie": "lie lies lying sleep sleeps sleeping asleep naps dozes reclines sprawled",
    "lie_floor": "collapses collapse collapsed faints fainted unconscious",
    "punch": "punch punches hits strikes slams",
    "point": "point points pointing gestures aims",
    "wave": "wave waves raises",
    "hug": "hug hugs embraces",
    "phone": "phone dials calls answers",
    "drink": "drink drinks sips toasts",
    "arms_crossed": "folded crossed waits",
    "hands_to_face": "cries sobs buries covers weeps gasps",
}
_POSE_OF_WORD = {w: pose for pose, words in POSE_WORDS.items() for w in words.split()}
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
# Something put down on a table, desk or counter: "slams a fistful of notes on the table", "sets the
# cup down on the desk". The hand goes to the surface (not a punch into the air) and the thing lies
# there (props.py).
PUTS_DOWN = re.compile(
    r"\b(?:slam(?:s|med)?|puts?|plac(?:es?|ed)|sets?|lays?|laid|drop(?:s|ped)?|toss(?:es|ed)?|throws?|threw|"
    r"plant(?:s|ed)?|bang(?:s|ed)?|dump(?:s|ed)?|spreads?|slap(?:s|ped)?|chuck(?:s|ed)?|flings?|flung|"
    r"hurl(?:s|ed)?|slid(?:e|es)?)\b(?:\s+[\w'-]+){0,6}?\s+(?:down\s+)?"
    r"(?:on|onto|upon|across)\s+(?:the|a|an|his|her|their|its)\s+(?:[\w'-]+\s+)?(?:table|desk|counter|bar)\b",
    re.IGNORECASE)


def pose_for_action(action: str, entering: bool = False) -> str:
    if entering:
        return "walk"
    if PUTS_DOWN.search(action):
        return "put_down"
    words = re.findall(r"[a-z']+", action.lower())
    for i, word in enumerate(words):
        if word in _POSE_OF_WORD and not _a_falsehood(words, i):
            return _POSE_OF_WORD[word]
    return "stand"


def _a_falsehood(words: list[str], i: int) -> bool:
    """Words that only look like a pose: 'lies to her', 'lying about it', 'a lie', 'lies in
    wait' (telling lies, lurking: not lying down); 'falls asleep' (lies, does not fall)."""
    after = words[i + 1] if i + 1 < len(words) else ""
    if words[i] in ("fall", "falls", "falling"):
        return after == "asleep"
    if words[i] not in ("lie", "lies", "lying", "lied"):
        return False
    before = words[i - 1] if i else ""
    then = words[i + 2] if i + 2 < len(words) else ""
    return (after in ("to", "about", "through") or (after == "in" and then == "wait")
            or before in ("a", "the", "that", "big", "white", "another"))


def pose_for_actor(name: str, action: str, alone: bool) -> str:
    """The pose for the sentences of ``action`` that name this actor; alone, any sentence."""
    forms = (name.upper(), name.title())
    mine = [s for s in _SENTENCE.split(action) if any(f in s for f in forms)]
    if mine:
        return pose_for_action(" ".join(mine))
    return pose_for_action(action) if alone else "stand"


def joint_positions(height: float, pose: str = "stand") -> dict[str, Vec]:
    """Every rig point (OpenPose joints plus helpers) in metres, local frame."""
    if pose not in POSES:
        raise ValueError(f"unknown pose {pose!r}; choose one of {', '.join(sorted(POSES))}")
    joints = {name: (x * height, y * height, z * height) for name, (x, y, z) in _STAND.items()}
    POSES[pose](joints, height)
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
    if pose in LIE_POSES:
        _lay_down(joints, height, LIE_POSES[pose])
    return joints


def to_world(point: Vec, location: Vec, facing_deg: float) -> Vec:
    """Local mannequin point -> world, turning the actor ``facing_deg`` about Z."""
    x, y, z = _rotate_about(point, (0.0, 0.0, 0.0), "z", facing_deg)
    return (x + location[0], y + location[1], z + location[2])


def facing_towards(src: Vec, dst: Vec) -> float:
    """Yaw in degrees that turns the local front (-Y) from ``src`` to look at ``dst``."""
    dx, dy = dst[0] - src[0], dst[1] - src[1]
    return math.degrees(math.atan2(dx, -dy))
