"""Who stands where, facing whom, in what pose, for each beat. Pure Python.

Actors keep one colour and height across the board (from their name, so a re-run
gives the same cast). People already in the scene stand in a loose arc facing each
other; someone who enters walks in from screen right.
"""

from __future__ import annotations

import colorsys
import hashlib
from dataclasses import dataclass

from .mannequin import facing_towards, pose_for_actor
from .wire import wire

SPACING = 1.3
ENTRANCE_OFFSET = 2.6


def _digest(name: str) -> int:
    return int.from_bytes(hashlib.sha1(name.encode()).digest()[:4], "big")


def cast_colour(name: str) -> tuple[float, float, float]:
    hue = (_digest(name) % 360) / 360.0
    return tuple(round(c, 3) for c in colorsys.hsv_to_rgb(hue, 0.55, 0.85))  # type: ignore[return-value]


def cast_height(name: str) -> float:
    return round(1.62 + (_digest(name) >> 9) % 28 / 100.0, 2)


# Everyone is staged along X, so the line of action runs along X and the cameras keep to
# its -Y side: screen direction holds from shot to shot (the 180-degree rule).
AUDIENCE_SIDE = (0.0, -1.0)


@dataclass
class Staging:
    actors: list["wire.ActorPlacement"]
    subject: str  # who the camera frames first


def stage_beat(beat: "wire.Beat", origin: tuple[float, float] = (0.0, 0.0)) -> Staging:
    present = [c for c in beat.characters if c not in beat.entering]
    entering = [c for c in beat.entering if c in beat.characters] or [c for c in beat.entering]
    ox, oy = origin
    placements: list[wire.ActorPlacement] = []
    count = len(present)
    positions = []
    for i in range(count):
        offset = (i - (count - 1) / 2.0) * SPACING
        # A gentle arc towards the camera side (-Y) keeps faces visible.
        positions.append((ox + offset, oy + 0.25 * abs(offset)))
    centre = (ox, oy - 1.0) if count <= 1 else (ox, oy + 0.3)
    for name, (x, y) in zip(present, positions):
        look = centre if count > 1 else (ox, oy - 1.0)
        if count == 2:
            other = positions[1] if (x, y) == positions[0] else positions[0]
            look = (other[0], other[1] - 0.6)  # face each other, opened a little to camera
        placements.append(_placement(name, (x, y), look, pose_for_actor(name, beat.action, alone=count == 1)))
    for k, name in enumerate(entering):
        x = ox + (count / 2.0) * SPACING + ENTRANCE_OFFSET + k * SPACING
        target = (ox, oy) if count else (ox - 3.0, oy)
        placements.append(_placement(name, (x, oy - 0.3), target, "walk"))
    subject = beat.subject if beat.subject in beat.characters else ""
    subject = subject or (beat.speaker if beat.speaker in beat.characters else "")
    if not subject:
        subject = (beat.entering or beat.characters or [""])[0]
    # Single shots frame one person: keep the subject first.
    placements.sort(key=lambda p: p.name != subject)
    return Staging(actors=placements, subject=subject)


def _placement(name: str, xy: tuple[float, float], look_at: tuple[float, float], pose: str) -> "wire.ActorPlacement":
    facing = facing_towards((xy[0], xy[1], 0.0), (look_at[0], look_at[1], 0.0))
    return wire.ActorPlacement(
        name=name, color=cast_colour(name), height_m=cast_height(name),
        location=(round(xy[0], 3), round(xy[1], 3), 0.0), facing_deg=round(facing, 2), pose=pose,
    )
