"""Film grammar -> camera placement. Pure math: no bpy.

Each shot size names the slice of the body the frame holds, with edges just
above or below joints, never through them. The camera distance is solved so the
slice fills the frame height through the real lens and sensor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .mannequin import EYE_FRACTION, LIE_SURFACE, joint_positions, to_world
from .projection import Mat3, PinholeCamera, camera_rotation
from .wire import wire

Vec = tuple[float, float, float]

# (bottom, top) of the frame as fractions of the subject's height.
VERTICAL_SLICE = {
    "ECU": (0.84, 1.01),
    "CU": (0.74, 1.04),      # head and shoulders: a little headroom, chin above the lower 40%
    "MCU": (0.68, 1.04),     # mid-chest, below the armpits
    "MS": (0.46, 1.06),      # just below the hips
    "MLS": (0.38, 1.07),     # cowboy: mid-thigh
    "WS": (-0.06, 1.12),     # the whole body with headroom
    "EWS": (-0.6, 2.6),      # the place, with the figure small in it
    "TWO_SHOT": (0.38, 1.08),
    "OTS_LEFT": (0.62, 1.06),
    "OTS_RIGHT": (0.62, 1.06),
    "POV": (0.3, 1.1),
    "INSERT": (0.40, 0.62),
}

# Camera pitch in degrees by angle (positive looks up); EYE aims level-ish at the subject.
PITCH = {"BIRD": -75.0, "HIGH": -15.0, "EYE": 0.0, "LOW": 30.0, "WORM": 60.0, "DUTCH": 0.0}
DUTCH_ROLL = 15.0
THREE_QUARTER = 25.0  # degrees off the subject's eyeline, so faces read in three-quarter
MIN_CAMERA_Z = 0.15
FACE_SIZES = ("ECU", "CU", "MCU", "OTS_LEFT", "OTS_RIGHT")
MAX_CLOSE_PITCH = 12.0  # steeper, and a close-up shows a chin and a shoulder instead of a face


@dataclass(frozen=True)
class Subject:
    location: Vec
    facing_deg: float
    height: float
    base: float = 0.0  # how far the crown sits below the standing height (negative when seated)
    lying: str = ""    # the lying pose ("lie", "lie_floor") of someone lying down: framed along the body


def subject_for(location: Vec, facing_deg: float, height: float, pose: str = "stand") -> Subject:
    """A Subject for an actor in a pose: the crown's drop when seated, the body's length when lying."""
    base = joint_positions(height, pose)["head_top"][2] - height
    return Subject(location, facing_deg, height, base, pose if pose in ("lie", "lie_floor") else "")


def subject_first(subjects: dict[str, Subject], wanted: list[str]) -> list[Subject]:
    """The subjects with the first of ``wanted`` that is among them leading (the shot is of them)."""
    lead = next((name for name in wanted if name and name in subjects), None)
    return ([subjects[lead]] if lead else []) + [s for name, s in subjects.items() if name != lead]


@dataclass(frozen=True)
class CameraPlacement:
    location: Vec
    rotation: Mat3
    yaw_deg: float
    pitch_deg: float
    roll_deg: float
    focal_length_mm: float
    sensor_width_mm: float


def forward(facing_deg: float) -> tuple[float, float]:
    a = math.radians(facing_deg)
    return (math.sin(a), -math.cos(a))


def _yaw_towards(src: tuple[float, float], dst: tuple[float, float]) -> float:
    dx, dy = dst[0] - src[0], dst[1] - src[1]
    return math.degrees(math.atan2(-dx, dy))


def _pinhole(location: Vec, rotation: Mat3, lens: float, sensor_w: float, aspect: float) -> PinholeCamera:
    width = 1000
    return PinholeCamera(location, rotation, lens, sensor_w, sensor_w / aspect, width, round(width / aspect),
                         "HORIZONTAL")


def frame_vertical_slice(
    target_xy: tuple[float, float],
    view_dir: tuple[float, float],
    bottom: float,
    top: float,
    *,
    pitch_deg: float,
    roll_deg: float,
    lens: float,
    sensor_w: float,
    aspect: float,
    eye_height: float | None = None,
    min_width: float = 0.0,
    keep_top: bool = False,
) -> CameraPlacement:
    """Place a camera along ``view_dir`` from the target so [bottom, top] fills the frame height.

    ``view_dir`` points from the target towards the camera. With ``eye_height`` the camera
    stays at that height and tilts to the slice's centre; otherwise it sits where
    ``pitch_deg`` aimed at the centre puts it.
    """
    centre = (bottom + top) / 2.0
    norm = math.hypot(*view_dir) or 1.0
    vx, vy = view_dir[0] / norm, view_dir[1] / norm

    def place(distance: float) -> tuple[PinholeCamera, float, Vec]:
        x, y = target_xy[0] + vx * distance, target_xy[1] + vy * distance
        if eye_height is not None:
            z = eye_height
            pitch = math.degrees(math.atan2(centre - z, distance))
        else:
            z = centre - distance * math.tan(math.radians(pitch_deg))
            if z < MIN_CAMERA_Z:
                z = MIN_CAMERA_Z
            pitch = math.degrees(math.atan2(centre - z, distance))
        yaw = _yaw_towards((x, y), target_xy)
        rotation = camera_rotation(yaw, pitch, roll_deg)
        return _pinhole((x, y, z), rotation, lens, sensor_w, aspect), pitch, (x, y, z)

    def fill(distance: float) -> float:
        cam, _, _ = place(distance)
        _, v_top, d_top = cam.project((target_xy[0], target_xy[1], top))
        _, v_bottom, d_bottom = cam.project((target_xy[0], target_xy[1], bottom))
        if d_top <= 0 or d_bottom <= 0:
            return math.inf
        span = abs(v_bottom - v_top) / cam.height_px
        if min_width:
            # Width needed at the target's depth, as a fraction of the frame width.
            half = cam.pixels_per_mm() * lens * (min_width / 2) / cam.depth((target_xy[0], target_xy[1], centre))
            span = max(span, 2 * half / cam.width_px)
        return span

    lo, hi = 0.05, 500.0
    for _ in range(80):  # bisection: fill shrinks monotonically with distance
        mid = math.sqrt(lo * hi)
        if fill(mid) > 1.0:
            lo = mid
        else:
            hi = mid
    cam, pitch, location = place(hi)
    if min_width and keep_top:
        # Framed wider than the slice for the group: keep the slice's top edge where the
        # framing rules put it and let the extra room fall below, not into the headroom.
        cam, _, _ = place(hi)
        _, v_top, _ = cam.project((target_xy[0], target_xy[1], top))
        _, v_bottom, _ = cam.project((target_xy[0], target_xy[1], bottom))
        fraction = abs(v_bottom - v_top) / cam.height_px
        if 0.05 < fraction < 0.98:
            centre = top - (top - bottom) / (2 * fraction)
            cam, pitch, location = place(hi)
    yaw = _yaw_towards((location[0], location[1]), target_xy)
    return CameraPlacement(location, cam.rotation, yaw, pitch, roll_deg, lens, sensor_w)


GROUP_SIZES = ("TWO_SHOT", "WS", "EWS", "MLS")
# Angles off a single's eyeline to try, nearest the three-quarter view first.
SINGLE_VIEW_ANGLES = (THREE_QUARTER, 40.0, 55.0, 70.0, -THREE_QUARTER, -40.0, -55.0, -70.0)


def _rotate2(v: tuple[float, float], degrees: float) -> tuple[float, float]:
    a = math.radians(degrees)
    return (v[0] * math.cos(a) - v[1] * math.sin(a), v[0] * math.sin(a) + v[1] * math.cos(a))


BODY_RADIUS_M = 0.55  # half a shoulder width, arms, and a margin


def _in_foreground(other: tuple[float, float], camera: tuple[float, float], look: tuple[float, float],
                   subject_distance: float, tan_half_width: float) -> bool:
    """Would ``other`` stand inside the frame, between the camera and the subject?"""
    wx, wy = other[0] - camera[0], other[1] - camera[1]
    if math.hypot(wx, wy) < BODY_RADIUS_M + 0.2:
        return True  # the camera would stand inside them
    along = wx * look[0] + wy * look[1]
    if along <= 0.0 or along >= subject_distance + 0.3:
        return False  # behind the camera, or background behind the subject
    lateral = abs(wx * look[1] - wy * look[0])
    return lateral < along * tan_half_width + BODY_RADIUS_M


def _clear_single_view(main: Subject, others: list[Subject], side: float, distance: float,
                       tan_half_width: float, audience: tuple[float, float] | None) -> tuple[float, float]:
    """A view in front of the subject, on the audience side of the line of action, with
    nobody else in the foreground of the frame."""
    fwd = forward(main.facing_deg)
    fallback = None
    for angle in SINGLE_VIEW_ANGLES:
        view = _rotate2(fwd, angle * side)
        if audience is not None and view[0] * audience[0] + view[1] * audience[1] < 0.05:
            continue  # crossing the line would flip screen direction against the other shots
        fallback = fallback or view
        camera = (main.location[0] + view[0] * distance, main.location[1] + view[1] * distance)
        look = (-view[0], -view[1])
        if not any(_in_foreground(o.location[:2], camera, look, distance, tan_half_width) for o in others):
            return view
    return fallback or _rotate2(fwd, THREE_QUARTER * side)


def _group_view(subjects: list[Subject], audience: tuple[float, float] | None = None
                ) -> tuple[tuple[float, float], tuple[float, float], float]:
    """Frame everyone: look at the group's centre from the side its members face."""
    xs = [s.location[0] for s in subjects]
    ys = [s.location[1] for s in subjects]
    target = (sum(xs) / len(xs), sum(ys) / len(ys))
    spread = max(math.dist(a.location[:2], b.location[:2]) for a in subjects for b in subjects)
    ax = max(subjects, key=lambda s: s.location[0]).location
    bx = min(subjects, key=lambda s: s.location[0]).location
    axis = (ax[0] - bx[0], ax[1] - bx[1])
    view = (-axis[1], axis[0])
    avg = [sum(forward(s.facing_deg)[i] for s in subjects) for i in range(2)]
    if view[0] * avg[0] + view[1] * avg[1] < 0:
        view = (-view[0], -view[1])
    if math.hypot(*avg) < 0.3 and view[1] > 0:
        view = (-view[0], -view[1])  # facing each other: stay on the audience side (-Y)
    if audience is not None and view[0] * audience[0] + view[1] * audience[1] < 0:
        view = (-view[0], -view[1])  # never from behind the group, through the back of the set
    return target, view, spread + 2.0


def frame_shot(
    spec: "wire.ShotSpec",
    subjects: list[Subject],
    *,
    aspect: float,
    sensor_w: float = 36.0,
    side: float = 1.0,
    audience: tuple[float, float] | None = None,
    turn_deg: float = 0.0,
) -> CameraPlacement:
    """A camera for ``spec`` on ``subjects`` (the first is the subject of a single).

    ``side`` (+1 or -1) picks which side of a single's eyeline to try first;
    ``audience`` is the direction, across the line of action, that every camera of the
    scene stays on (the 180-degree rule). Singles get lead room where they look.
    """
    if not subjects:
        raise ValueError("a shot needs at least one subject to frame")
    size = spec.size.value
    angle = spec.angle.value
    lens = float(round(spec.lens_mm))
    pitch = PITCH.get(angle, 0.0)
    if size in FACE_SIZES:  # a close shot keeps the face: only a hint of low or high
        pitch = max(-MAX_CLOSE_PITCH, min(MAX_CLOSE_PITCH, pitch))
    roll = DUTCH_ROLL if angle == "DUTCH" else 0.0
    main = subjects[0]
    bottom_f, top_f = VERTICAL_SLICE[size]
    bottom, top = bottom_f * main.height + main.base, top_f * main.height + main.base
    target = (main.location[0], main.location[1])
    min_width = 0.0

    if size == "POV":
        return _point_of_view(main, subjects[1:], lens, sensor_w)
    if main.lying and size != "INSERT" and not (size in GROUP_SIZES and len(subjects) >= 2):
        return _frame_lying(main, size, angle, lens, sensor_w, aspect, side, audience, turn_deg)
    if size in GROUP_SIZES and len(subjects) >= 2:
        target, view, min_width = _group_view(subjects, audience)
        top = max(top, max(top_f * s.height + s.base for s in subjects))  # the tallest head stays in
        if any(s.lying for s in subjects):  # someone lies on a bed: from above its top, not its front
            bottom = min(bottom, 0.0)
    elif size in ("OTS_LEFT", "OTS_RIGHT") and len(subjects) >= 2:
        return _over_the_shoulder(main, subjects[1], size, bottom, top, lens, sensor_w, audience)
    else:
        tan_half_width = (sensor_w / 2.0) / lens
        distance = (top - bottom) / 2.0 / (tan_half_width / aspect)
        view = _clear_single_view(main, subjects[1:], side, distance, tan_half_width, audience)

    if turn_deg:  # another angle on the same subject, for the next setup of a scene
        view = _rotate2(view, turn_deg)
    eye = None
    if angle == "EYE" and size in ("WS", "EWS", "TWO_SHOT", "MLS"):
        eye = EYE_FRACTION * main.height * 0.9 + main.base
        if any(s.lying for s in subjects):
            eye = max(eye, LYING_WIDE_EYE)
    placement = frame_vertical_slice(target, view, bottom, top, pitch_deg=pitch, roll_deg=roll, lens=lens,
                                     sensor_w=sensor_w, aspect=aspect, eye_height=eye, min_width=min_width,
                                     keep_top=size in ("MLS", "TWO_SHOT"))
    if size in LEAD_ROOM_SIZES:
        placement = _with_lead_room(placement, main, sensor_w)
    return placement


# How much of a lying body (fraction of height, from the crown towards the feet) each size holds.
LYING_LENGTH = {"ECU": 0.2, "CU": 0.32, "MCU": 0.42, "OTS_LEFT": 0.45, "OTS_RIGHT": 0.45, "MS": 0.62, "POV": 0.62,
                "MLS": 0.8, "TWO_SHOT": 0.9, "WS": 1.2, "EWS": 2.6}
LYING_CLOSE_PITCH = -30.0  # closer sizes look down onto the bed: the face and body read, not its side
LYING_WIDE_EYE = 1.55      # wider sizes stand at a standing eye height, above the bed's top
LYING_TOWARDS_HEAD = (15.0, 35.0)  # degrees the view turns from square-on towards the head


def _frame_lying(main: Subject, size: str, angle: str, lens: float, sensor_w: float, aspect: float,
                 side: float, audience: tuple[float, float] | None, turn_deg: float) -> CameraPlacement:
    """Someone lying down: the frame holds the size's stretch of the body (head to feet runs
    along the body's length, not up), seen from the side the face turns to, from above."""
    joints = {n: to_world(p, main.location, main.facing_deg)
              for n, p in joint_positions(main.height, main.lying).items()}
    head = joints["head_top"]
    feet = ((joints["r_toe"][0] + joints["l_toe"][0]) / 2, (joints["r_toe"][1] + joints["l_toe"][1]) / 2)
    along = (feet[0] - head[0], feet[1] - head[1])
    body = math.hypot(*along) or 1.0
    along = (along[0] / body, along[1] / body)
    length = LYING_LENGTH.get(size, 0.62) * main.height
    start = -0.1 * main.height  # room beyond the crown
    middle = start + length / 2
    target = (head[0] + along[0] * middle, head[1] + along[1] * middle)
    surface = LIE_SURFACE if main.lying == "lie" else 0.0
    bottom, top = surface, max(p[2] for p in joints.values()) + 0.08
    view = forward(main.facing_deg)
    towards_head = LYING_TOWARDS_HEAD[0 if side > 0 else 1]
    head_turn = _rotate2(view, towards_head)
    if head_turn[0] * -along[0] + head_turn[1] * -along[1] < 0:
        head_turn = _rotate2(view, -towards_head)
    view = head_turn
    if audience is not None and view[0] * audience[0] + view[1] * audience[1] < 0:
        view = (-view[0], -view[1])
    if turn_deg:
        view = _rotate2(view, turn_deg)
    wide = size in ("WS", "EWS", "TWO_SHOT", "MLS")
    pitch = PITCH.get(angle, 0.0) if angle in ("BIRD", "HIGH") else LYING_CLOSE_PITCH
    return frame_vertical_slice(target, view, bottom, top, pitch_deg=pitch, roll_deg=0.0, lens=lens,
                                sensor_w=sensor_w, aspect=aspect,
                                eye_height=LYING_WIDE_EYE if wide and angle != "BIRD" else None,
                                min_width=length)


OTS_BEHIND, OTS_BESIDE = 0.85, 0.42  # metres behind the foreground actor, and out past their shoulder


def _over_the_shoulder(main: Subject, near: Subject, size: str, bottom: float, top: float, lens: float,
                       sensor_w: float, audience: tuple[float, float] | None) -> CameraPlacement:
    """Behind the foreground actor and out past one shoulder, just above it, on the subject's face:
    the shoulder and the back of the head frame one side, the subject faces the lens."""
    dx, dy = main.location[0] - near.location[0], main.location[1] - near.location[1]
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    right = (uy, -ux)  # screen right when looking from near to main
    side = 1.0 if size == "OTS_LEFT" else -1.0  # foreground shoulder on frame left: the camera out right
    if audience is not None and (right[0] * audience[0] + right[1] * audience[1]) * side < 0:
        side = -side  # stay on the scene's side of the line
    x = near.location[0] - ux * OTS_BEHIND + right[0] * OTS_BESIDE * side
    y = near.location[1] - uy * OTS_BEHIND + right[1] * OTS_BESIDE * side
    z = 0.86 * near.height + near.base
    target = (main.location[0], main.location[1], (bottom + top) / 2)
    yaw = _yaw_towards((x, y), target[:2])
    pitch = math.degrees(math.atan2(target[2] - z, math.hypot(target[0] - x, target[1] - y)))
    return CameraPlacement((x, y, z), camera_rotation(yaw, pitch), yaw, pitch, 0.0, lens, sensor_w)


def _point_of_view(viewer: Subject, others: list[Subject], lens: float, sensor_w: float) -> CameraPlacement:
    """Through the viewer's eyes: at their eye height, looking at the nearest other face,
    or straight along their eyeline when they are alone."""
    eye = (viewer.location[0], viewer.location[1], EYE_FRACTION * viewer.height + viewer.base)
    fwd = forward(viewer.facing_deg)
    if others:
        seen = min(others, key=lambda o: math.dist(o.location[:2], viewer.location[:2]))
        look = (seen.location[0], seen.location[1], EYE_FRACTION * seen.height + seen.base)
    else:
        look = (eye[0] + fwd[0] * 5.0, eye[1] + fwd[1] * 5.0, eye[2])
    # Start a little in front of the eyes so the viewer's own head is behind the lens.
    horizontal = math.hypot(look[0] - eye[0], look[1] - eye[1]) or 1.0
    ux, uy = (look[0] - eye[0]) / horizontal, (look[1] - eye[1]) / horizontal
    location = (eye[0] + ux * 0.15, eye[1] + uy * 0.15, eye[2])
    yaw = _yaw_towards(location[:2], look[:2])
    pitch = math.degrees(math.atan2(look[2] - location[2], horizontal - 0.15))
    return CameraPlacement(location, camera_rotation(yaw, pitch), yaw, pitch, 0.0, lens, sensor_w)


LEAD_ROOM_SIZES = ("MS", "MCU", "CU", "ECU")
LEAD_ROOM = 1.0 / 6.0  # the subject sits this far off centre, away from where they look


def _with_lead_room(placement: CameraPlacement, main: Subject, sensor_w: float) -> CameraPlacement:
    """Pan so the subject sits off centre with space in front of their eyes."""
    yaw = math.radians(placement.yaw_deg)
    right = (math.cos(yaw), math.sin(yaw))
    fwd = forward(main.facing_deg)
    looks = fwd[0] * right[0] + fwd[1] * right[1]  # + : towards screen right
    if abs(looks) < 0.25:
        return placement  # looking into the lens: centred
    pan = math.degrees(math.atan(LEAD_ROOM * sensor_w / placement.focal_length_mm))
    new_yaw = placement.yaw_deg - math.copysign(pan, looks)
    rotation = camera_rotation(new_yaw, placement.pitch_deg, placement.roll_deg)
    return CameraPlacement(placement.location, rotation, new_yaw, placement.pitch_deg, placement.roll_deg,
                           placement.focal_length_mm, placement.sensor_width_mm)
