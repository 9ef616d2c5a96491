"""A note's structured change applied to a shot: its beat, its actors' performances, its camera.

Pure functions (no bpy): the operators read the shot, call these, and write the result back.
Cameras are re-framed by the framing solver (framing.frame_shot); a camera moved by hand is
never re-solved: a size change becomes a dolly along its own view axis, and an angle change
is reported as needing a hand change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

from .framing import VERTICAL_SLICE
from .wire import wire

SIZE_LADDER = ("EWS", "WS", "MLS", "MS", "MCU", "CU", "ECU")
MIN_INTENSITY, MAX_INTENSITY = 0.0, 2.0
POSE_TOLERANCE = 1e-4


def stepped_size(size: str, steps: int) -> str:
    """``steps`` sizes wider (+) or closer (-) along EWS..ECU; two-shots, OTS, POV and inserts
    go to a wide shot for "wider" and a close-up for "closer"."""
    if size not in SIZE_LADDER:
        return "WS" if steps > 0 else "CU"
    return SIZE_LADDER[min(len(SIZE_LADDER) - 1, max(0, SIZE_LADDER.index(size) - steps))]


@dataclass
class ShotState:
    """What a note can change on one shot (read from and written back to Blender)."""

    size: str
    angle: str
    lens_mm: int
    time_of_day: str = ""
    weather: str = ""
    prompt_notes: list[str] = field(default_factory=list)
    performances: dict[str, tuple[str, float]] = field(default_factory=dict)  # actor -> (emotion, intensity)


@dataclass
class Applied:
    state: ShotState
    camera_changed: bool = False
    new_seed: bool = False
    region_only: str = ""  # the one actor whose region alone is redrawn, when the backend can
    said: list[str] = field(default_factory=list)


def apply_change(state: ShotState, change: "wire.NoteChange", scope_actor: str = "") -> Applied:
    new = ShotState(state.size, state.angle, state.lens_mm, state.time_of_day, state.weather,
                    list(state.prompt_notes), dict(state.performances))
    out = Applied(new, new_seed=change.new_seed)
    if change.shot_size is not None:
        new.size = change.shot_size.value
    elif change.size_steps:
        new.size = stepped_size(state.size, change.size_steps)
    if change.angle is not None:
        new.angle = change.angle.value
    if change.lens_mm:
        new.lens_mm = change.lens_mm
    elif change.lens_delta_mm:
        new.lens_mm = max(8, min(300, state.lens_mm + change.lens_delta_mm))
    out.camera_changed = (new.size, new.angle, new.lens_mm) != (state.size, state.angle, state.lens_mm)
    if out.camera_changed:
        out.said.append(f"camera {state.size} {state.angle} {state.lens_mm}mm -> {new.size} {new.angle} {new.lens_mm}mm")
    if change.time_of_day:
        new.time_of_day = change.time_of_day
    if change.weather:
        new.weather = "" if change.weather == "dry" else change.weather
    actor = (change.actor or scope_actor).upper()
    performance = change.emotion or change.intensity is not None or change.intensity_delta
    if actor and performance:
        emotion, intensity = new.performances.get(actor, ("", 1.0))
        if change.emotion and change.emotion != emotion:
            emotion, intensity = change.emotion, 1.0
        if change.intensity is not None:
            intensity = change.intensity
        intensity = min(MAX_INTENSITY, max(MIN_INTENSITY, intensity + change.intensity_delta))
        new.performances[actor] = (emotion, round(intensity, 2))
        out.said.append(f"{actor} {emotion or 'performance'} {intensity:.2g}")
    elif change.prompt_terms and not actor:
        new.prompt_notes = list(dict.fromkeys([*new.prompt_notes, *change.prompt_terms]))
    if change.light:
        new.prompt_notes = list(dict.fromkeys([*new.prompt_notes, change.light]))
    if actor and change.performance_only and actor in new.performances:
        out.region_only = actor
    return out


def same_pose(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(abs(x - y) < POSE_TOLERANCE for x, y in zip(a, b))


def slice_height(size: str) -> float:
    bottom, top = VERTICAL_SLICE[size]
    return top - bottom


def dolly_for_size(location: tuple[float, float, float], view_dir: tuple[float, float, float],
                   subject: tuple[float, float, float], old_size: str, new_size: str) -> Optional[tuple]:
    """A hand-placed camera moved along its own view axis so the new size's slice fills the
    frame as the old one did (distance scales with the slice height at a fixed lens).
    None when the subject is behind the camera."""
    rel = tuple(s - c for s, c in zip(subject, location))
    norm = math.sqrt(sum(v * v for v in view_dir)) or 1.0
    axis = tuple(v / norm for v in view_dir)
    distance = sum(r * a for r, a in zip(rel, axis))
    if distance <= 0:
        return None
    ratio = slice_height(new_size) / slice_height(old_size)
    move = distance * (1.0 - ratio)  # positive: towards the subject
    return tuple(c + a * move for c, a in zip(location, axis))


# A strong enough emotion nudges the mannequin's pose where the pose library has a pose for it.
POSE_NUDGES = {"fear": "hands_to_face", "tears": "hands_to_face", "grief": "hands_to_face"}
NUDGE_AT = 1.5
NUDGED_BONES = ("r_shoulder", "r_elbow", "r_wrist", "l_shoulder", "l_elbow", "l_wrist")


def pose_nudge(emotion: str, intensity: float) -> str:
    """The pose to nudge an actor towards for this performance, or "" for none."""
    return POSE_NUDGES.get(emotion, "") if intensity >= NUDGE_AT else ""
