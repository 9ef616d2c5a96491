"""Who stands where, facing whom, in what pose, for each beat. Pure Python.

Actors keep one colour and height across the board (from their name, so a re-run
gives the same cast). People already in the scene stand in a loose arc facing each
other; someone who enters walks in from screen right.
"""

from __future__ import annotations

import colorsys
import hashlib
from dataclasses import dataclass

from .colour import CAST_PALETTE, delta_e
from .mannequin import facing_towards, pose_for_actor
from .people import people_of
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


def board_colours(beats: list["wire.Beat"], fixed: dict[str, tuple] | None = None) -> dict[str, tuple]:
    """A palette colour per person on the board: people who share a shot never share a colour,
    and nobody repeats a colour while the palette has unused ones. ``fixed`` colours (a cast
    actor's own) are kept and avoided by the rest."""
    fixed = dict(fixed or {})
    order: list[str] = []
    together: dict[str, set[str]] = {}
    for beat in beats:
        people = people_of(list(dict.fromkeys(beat.characters + beat.entering)))
        for name in people:
            if name not in order:
                order.append(name)
            together.setdefault(name, set()).update(p for p in people if p != name)
    colours: dict[str, tuple] = {}
    used: list[tuple] = [c for c in fixed.values()]
    for name in order:
        if name in fixed:
            colours[name] = tuple(fixed[name])
            continue
        taken = [colours[o] for o in together[name] if o in colours] + [tuple(fixed[o]) for o in together[name]
                                                                          if o in fixed]

        def clash(colour, against) -> bool:
            return any(delta_e(colour, other) <= 20.0 for other in against)

        fresh = [c for c in CAST_PALETTE if not clash(c, taken) and not clash(c, used)]
        allowed = [c for c in CAST_PALETTE if not clash(c, taken)]
        colours[name] = (fresh or allowed or list(CAST_PALETTE))[0]
        if fresh:
            used.append(colours[name])
    return colours


def subject_of_beat(beat: "wire.Beat") -> str:
    """Who a single frames: the beat's subject if it names one of its people, else its first person."""
    people = people_of(beat.characters) or people_of(beat.entering)
    if beat.subject and beat.subject in people:
        return beat.subject
    return people[0] if people else ""


def stage_beat(beat: "wire.Beat", origin: tuple[float, float] = (0.0, 0.0),
               colours: dict[str, tuple] | None = None, order: list[str] | None = None) -> Staging:
    """Voices, devices and props among the beat's characters are not staged (see core/people).

    ``order`` is the scene's left-to-right order so far: people keep their side of the
    screen from beat to beat (newcomers go to the right of it)."""
    people = people_of(beat.characters)
    present = [c for c in people if c not in beat.entering]
    if order:
        first = list(present)
        present.sort(key=lambda c: order.index(c) if c in order else len(order) + first.index(c))
    entering = [c for c in people_of(beat.entering) if c in people] or people_of(beat.entering)
    colours = colours or {}
    ox, oy = origin
    placements: list[wire.ActorPlacement] = []
    count = len(present)
    positions = []
    for i in range(count):
        offset = (i - (count - 1) / 2.0) * SPACING
        # A gentle arc towards the camera side (-Y) keeps faces visible.
        positions.append((ox + offset, oy + 0.25 * abs(offset)))
    # Three or more open out to the camera side, a little turned in towards each other.
    centre = (ox, oy - 1.0) if count <= 1 else (ox, oy - 2.0)
    for name, (x, y) in zip(present, positions):
        look = centre if count > 1 else (ox, oy - 1.0)
        if count == 2:
            other = positions[1] if (x, y) == positions[0] else positions[0]
            look = (other[0], other[1] - 0.6)  # face each other, opened a little to camera
        placements.append(_placement(name, (x, y), look, pose_for_actor(name, beat.action, alone=count == 1),
                                     colours.get(name)))
    for k, name in enumerate(entering):
        x = ox + (count / 2.0) * SPACING + ENTRANCE_OFFSET + k * SPACING
        target = (ox, oy) if count else (ox - 3.0, oy)
        placements.append(_placement(name, (x, oy - 0.3), target, "walk", colours.get(name)))
    subject = subject_of_beat(beat)
    # Single shots frame one person: keep the subject first.
    placements.sort(key=lambda p: p.name != subject)
    return Staging(actors=placements, subject=subject)


def _placement(name: str, xy: tuple[float, float], look_at: tuple[float, float], pose: str,
               colour: tuple | None = None) -> "wire.ActorPlacement":
    facing = facing_towards((xy[0], xy[1], 0.0), (look_at[0], look_at[1], 0.0))
    return wire.ActorPlacement(
        name=name, color=tuple(colour) if colour else cast_colour(name), height_m=cast_height(name),
        location=(round(xy[0], 3), round(xy[1], 3), 0.0), facing_deg=round(facing, 2), pose=pose,
    )
