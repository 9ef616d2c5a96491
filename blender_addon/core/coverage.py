"""Coverage of a scene: each new shot a new setup, all on one side of the line. Pure Python.

Block Out frames each beat, then asks ``choose_setup`` to pick, among a few variations
(the other three-quarter side, a turn round the subject), the first that is a different
setup from the scene's previous shot, keeps the camera on the side of the line the scene
started on, and stays inside the set's open side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations
from typing import Callable

from .audit.rules import CLOSE_SIZES, LINE_TOLERANCE, MIN_LENS_CHANGE, MIN_TURN_DEG
from .framing import CameraPlacement
from .people import people_of
from .projection import PinholeCamera
from .wire import wire

# (side, turn in degrees): the first is the framing's own choice.
# A smaller turn comes after the 35-degree ones: a staggered group turned 35 degrees can line
# up a back-row face behind a front-row shoulder.
VARIATIONS = ((1.0, 0.0), (-1.0, 0.0), (1.0, 35.0), (1.0, -35.0), (-1.0, 35.0), (-1.0, -35.0), (1.0, 22.0),
              (1.0, -22.0), (1.0, 60.0), (1.0, -60.0), (-1.0, 60.0), (-1.0, -60.0))
# Margins inside the set's walls (sets.py) a camera keeps to, relative to the stage origin.
INTERIOR_LIMITS = (5.7, 3.2)   # |x|, y
EXTERIOR_LIMITS = (30.0, 11.5)


@dataclass(frozen=True)
class Setup:
    location: tuple[float, float, float]   # relative to the stage origin
    forward: tuple[float, float, float]
    lens: float


def setup_of(placement: CameraPlacement, origin: tuple[float, float]) -> Setup:
    x, y, z = placement.location
    forward = tuple(-placement.rotation[i][2] for i in range(3))
    return Setup((x - origin[0], y - origin[1], z), forward, placement.focal_length_mm)  # type: ignore[arg-type]


def differs(a: Setup, b: Setup) -> bool:
    """A new setup as an editor sees it: a new angle or a clearly different lens. Stricter than
    the audit's rule, which also accepts a half-metre move: a dolly straight back along the
    same axis still reads as a jump cut."""
    dot = sum(p * q for p, q in zip(a.forward, b.forward))
    turned = math.degrees(math.acos(max(-1.0, min(1.0, dot))))
    lens = abs(a.lens - b.lens) / min(a.lens, b.lens)
    return turned > MIN_TURN_DEG * 1.2 or lens > MIN_LENS_CHANGE


def line_sides(people: dict[str, tuple[float, float]], camera: tuple[float, float]) -> dict[tuple[str, str], float]:
    """For each pair of people (sorted by name), the camera's side of the line between them."""
    sides = {}
    for first, second in combinations(sorted(people), 2):
        a, b = people[first], people[second]
        abx, aby, acx, acy = b[0] - a[0], b[1] - a[1], camera[0] - a[0], camera[1] - a[1]
        norm = math.hypot(abx, aby) * math.hypot(acx, acy) or 1.0
        side = (abx * acy - aby * acx) / norm
        if abs(side) >= LINE_TOLERANCE * 1.5:
            sides[(first, second)] = side
    return sides


def _segment_distance(p0, p1, q0, q1) -> tuple[float, float]:
    """Closest distance between segments p0-p1 and q0-q1, and where on p it falls (0..1)."""
    d1 = [b - a for a, b in zip(p0, p1)]
    d2 = [b - a for a, b in zip(q0, q1)]
    r = [a - b for a, b in zip(p0, q0)]
    a, e, f = sum(x * x for x in d1), sum(x * x for x in d2), sum(x * y for x, y in zip(d2, r))
    c, b = sum(x * y for x, y in zip(d1, r)), sum(x * y for x, y in zip(d1, d2))
    denom = a * e - b * b
    s = min(1.0, max(0.0, (b * f - c * e) / denom)) if denom > 1e-12 else 0.0
    t = (b * s + f) / e if e > 1e-12 else 0.0
    if t < 0.0 or t > 1.0:
        t = min(1.0, max(0.0, t))
        s = min(1.0, max(0.0, (b * t - c) / a)) if a > 1e-12 else 0.0
    closest = [p + s * d - (q + t * g) for p, d, q, g in zip(p0, d1, q0, d2)]
    return math.sqrt(sum(x * x for x in closest)), s


ARM_CHAIN = ("shoulder", "elbow", "wrist", "hand")


def face_hidden(location, actor_joints: dict[str, tuple[float, float, float]], height: float) -> bool:
    """Would the actor's own arms hide their nose, or both eyes, from a lens at ``location``?"""
    def blocked(point) -> bool:
        for side in ("r", "l"):
            chain = [actor_joints[f"{side}_{j}"] for j in ARM_CHAIN]
            for a, b in zip(chain, chain[1:]):
                distance, where = _segment_distance(location, point, a, b)
                if distance < 0.035 * height and where < 0.97:
                    return True
        return False

    eyes_hidden = blocked(actor_joints["r_eye"]) and blocked(actor_joints["l_eye"])
    return blocked(actor_joints["nose"]) or eyes_hidden


def choose_setup(frame: Callable[[float, float], CameraPlacement], origin: tuple[float, float],
                 previous: Setup | None, kept_sides: dict[tuple[str, str], float],
                 people: dict[str, tuple[float, float]], exterior: bool,
                 acceptable: Callable[[CameraPlacement], bool] = lambda p: True) -> tuple[CameraPlacement, int]:
    """The first variation that is a new setup, on the scene's side of the line, inside the set.

    ``frame(side, turn)`` places a camera; ``people`` are stage-relative positions. Returns the
    placement and which variation it was (0: the framing's own)."""
    limit_x, limit_y = EXTERIOR_LIMITS if exterior else INTERIOR_LIMITS
    # When no variation passes everything: one that frames well but stands outside the set's
    # limits (its walls are opened to it) beats one that is merely a new setup.
    good_outside = fallback = None
    for index, (side, turn) in enumerate(VARIATIONS):
        placement = frame(side, turn)
        setup = setup_of(placement, origin)
        x, y, _ = setup.location
        inside = abs(x) <= limit_x and y <= limit_y
        new = previous is None or differs(setup, previous)
        sides = line_sides(people, (x, y))
        on_line = all((kept_sides[k] > 0) == (v > 0) for k, v in sides.items() if k in kept_sides)
        if not (new and on_line):
            continue
        reads = acceptable(placement)
        if inside and reads:
            return placement, index
        if good_outside is None and reads:
            good_outside = (placement, index)
        if fallback is None:
            fallback = (placement, index)
    return good_outside or fallback or (frame(*VARIATIONS[0]), 0)


# --- What the audit's staging rules ask of a setup, checked before a camera is kept ----------

BODY_POINTS = (0.05, 0.5, 0.95)   # feet, hips and head, as fractions of height


def _camera_of(placement: CameraPlacement, aspect: float, width: int = 1000) -> PinholeCamera:
    """The placement as a pinhole camera ``width`` pixels wide (the audit checks' scale)."""
    return PinholeCamera(placement.location, placement.rotation, placement.focal_length_mm, placement.sensor_width_mm,
                         placement.sensor_width_mm / aspect, width, round(width / aspect), "HORIZONTAL")


def people_in_view(placement: CameraPlacement, aspect: float,
                   people: dict[str, tuple[tuple[float, float, float], float]],
                   every: tuple[float, ...] = ()) -> list[str]:
    """Who of ``people`` (name -> (location, height)) the camera sees: their head or hips
    inside the frame, in front of the lens; with ``every`` (fractions of height), all of those."""
    camera = _camera_of(placement, aspect)
    seen = []
    for name, (location, height) in people.items():
        inside = []
        for fraction in every or BODY_POINTS[1:]:
            u, v, depth = camera.project((location[0], location[1], location[2] + fraction * height))
            inside.append(depth > 0 and 0 <= u <= camera.width_px and 0 <= v <= camera.height_px)
        if (all if every else any)(inside):
            seen.append(name)
    return seen


BODY_HALF_WIDTH_M = 0.25


def someone_hidden(placement: CameraPlacement, aspect: float,
                   people: dict[str, tuple[tuple[float, float, float], float]]) -> bool:
    """Does anyone stand right behind someone else, as the lens sees them (their chests
    closer on screen than a body's width)?"""
    camera = _camera_of(placement, aspect)
    px_per_m = camera.width_px * placement.focal_length_mm / placement.sensor_width_mm  # at 1 m
    chests = [camera.project((loc[0], loc[1], loc[2] + 0.7 * height)) for loc, height in people.values()]
    for i, (u1, _, d1) in enumerate(chests):
        for u2, _, d2 in chests[i + 1:]:
            if d1 <= 0 or d2 <= 0 or abs(d1 - d2) < 0.3:
                continue
            if abs(u1 - u2) < 2 * BODY_HALF_WIDTH_M * px_per_m / max(d1, d2):
                return True
    return False


HEADLESS_FOREGROUND = 0.12  # of the frame's width


def headless_foreground(placement: CameraPlacement, aspect: float, subject: str,
                        people: dict[str, tuple[tuple[float, float, float], float]]) -> str:
    """Who, other than ``subject``, stands between the lens and the subject with their body in
    frame and their head out of it, wide enough to fill the foreground ("" for nobody)? A
    back or a torso cut at the neck reads as a wall of colour; an over-the-shoulder keeps the
    head and shoulder, a single keeps the foreground clear."""
    camera = _camera_of(placement, aspect)
    px_per_m = camera.width_px * placement.focal_length_mm / placement.sensor_width_mm  # at 1 m

    def point(location, height, fraction):
        return camera.project((location[0], location[1], location[2] + fraction * height))

    def inside(p) -> bool:
        return p[2] > 0 and 0 <= p[0] <= camera.width_px and 0 <= p[1] <= camera.height_px

    if subject not in people:
        return ""
    subject_depth = point(*people[subject], 0.7)[2]
    for name, (location, height) in people.items():
        if name == subject or inside(point(location, height, 0.93)):
            continue
        body = [p[2] for p in (point(location, height, 0.7), point(location, height, 0.5)) if inside(p)]
        if body and min(body) < subject_depth and \
                2 * BODY_HALF_WIDTH_M * px_per_m / min(body) > HEADLESS_FOREGROUND * camera.width_px:
            return name
    return ""


def depth_spread(placement: CameraPlacement, locations: list[tuple[float, float, float]]) -> float:
    """Front-to-back spread of ``locations`` along the camera's horizontal view direction."""
    fx, fy = -placement.rotation[0][2], -placement.rotation[1][2]
    norm = math.hypot(fx, fy) or 1.0
    depths = [(x * fx + y * fy) / norm for x, y, _ in locations]
    return max(depths) - min(depths) if depths else 0.0


def close_view_of(size: str, subject: str, location, eye_z: float, placement: CameraPlacement):
    """The audit's (subject, lens, bearing, pitch) of a close shot (rules.close_view), from a placement."""
    if size not in CLOSE_SIZES:
        return None
    dx, dy = placement.location[0] - location[0], placement.location[1] - location[1]
    pitch = math.degrees(math.atan2(placement.location[2] - eye_z, math.hypot(dx, dy)))
    return subject, placement.focal_length_mm, math.degrees(math.atan2(dy, dx)), pitch


# --- Dialogue: shot / reverse shot ------------------------------------------------------------

EXCHANGE_SIZES = ("MS", "MCU", "CU")


@dataclass(frozen=True)
class Exchange:
    speaker: str
    listener: str
    size: str          # "OTS" where the beat's single becomes an over-the-shoulder, else the beat's


def exchanges(beats: list["wire.Beat"]) -> list[Exchange | None]:
    """For each beat, whether it is a line of a two-person exchange (a neighbouring beat of its
    scene has the other one speaking, both present): then the shot is on the speaker, over the
    listener's shoulder, and the next line is the reverse."""
    plan: list[Exchange | None] = []
    for i, beat in enumerate(beats):
        people = people_of(list(dict.fromkeys(beat.characters + beat.entering)))
        found = None
        if beat.speaker in people and len(people) == 2:
            for other in (beats[i - 1] if i else None, beats[i + 1] if i + 1 < len(beats) else None):
                if (other is not None and other.scene_number == beat.scene_number and other.speaker
                        and other.speaker != beat.speaker and other.speaker in people):
                    size = beat.shot.size.value
                    last = plan[-1] if plan else None
                    opened = last is not None and beats[i - 1].scene_number == beat.scene_number
                    if size in EXCHANGE_SIZES or (size == "TWO_SHOT" and opened):
                        size = "OTS"  # after the two-shot that opens it, the exchange is in OTS
                    if last is not None and last.size == "OTS" and last.speaker == beat.speaker and opened:
                        size = beat.shot.size.value  # the same speaker again: not the same OTS twice
                    found = Exchange(beat.speaker, other.speaker, size)
                    break
        plan.append(found)
    return plan
