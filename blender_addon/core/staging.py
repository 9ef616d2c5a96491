"""Who stands where, facing whom, in what pose, for each beat. Pure Python.

Actors keep one colour and height across the board (from their name, so a re-run
gives the same cast). People already in the scene stand in a loose arc facing each
other; someone who enters walks in from screen right.
"""

from __future__ import annotations

import colorsys
import hashlib
import re
from dataclasses import dataclass

from .colour import CAST_PALETTE, delta_e
from .contact import Contact, find_contact
from .mannequin import facing_towards, pose_for_actor
from .people import named_in, people_of
from .wire import wire

SPACING = 1.3
ENTRANCE_OFFSET = 2.6
ENTRANCE_DEPTH = 0.9


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
    shot_size: str = ""   # the size blocking chose instead of the beat's ("" keeps the beat's)
    contact: Contact | None = None


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
    """Who a single frames: the beat's subject if it names one of its people; else the one
    acting in a contact beat; else whoever the action names first ("Mara freezes, eyes on the
    suitcase" is Mara's beat even when Tomas is listed first); else the speaker; else the first
    person."""
    return subject_and_source(beat)[0]


def subject_and_source(beat: "wire.Beat") -> tuple[str, str]:
    """The subject and where it came from: "beat", "contact", "action", "speaker" or "first"."""
    people = people_of(list(dict.fromkeys(beat.characters + beat.entering)))
    if beat.subject and beat.subject in people:
        return beat.subject, "beat"
    contact = find_contact(beat.action, people)
    if contact:
        return contact.actor, "contact"
    named = named_in_order(beat.action, people)
    if named:
        return named[0], "action"
    if beat.speaker in people:
        return beat.speaker, "speaker"
    first = people_of(beat.characters) or people
    return (first[0], "first") if first else ("", "")


def named_in_order(action: str, people: list[str]) -> list[str]:
    """The people ``action`` names, in the order it first names them."""
    first_at = {}
    for name in named_in(action, people):
        at = [m.start() for form in (name.upper(), name.title())
              for m in re.finditer(rf"(?<![\w']){re.escape(form)}(?![\w'])", action)]
        first_at[name] = min(at)
    return sorted(first_at, key=first_at.get)


# A group of three or more stands in two rows, the back row in the gaps of the front one,
# so the group has depth (not a line-up across the frame) and nobody hides behind another.
GROUP_STEP_X, GROUP_ROW_DEPTH = 1.15, 0.7
# Bystanders of a contact beat shot as a two-shot stand this far out from the pair's centre
# (and back), outside a two-shot's frame.
BYSTANDER_OUT, BYSTANDER_BACK = 3.4, 1.2
BYSTANDER_NEAR = 1.7   # in a wider shot they watch from closer


def stage_beat(beat: "wire.Beat", origin: tuple[float, float] = (0.0, 0.0),
               colours: dict[str, tuple] | None = None, order: list[str] | None = None) -> Staging:
    """Voices, devices and props among the beat's characters are not staged (see core/people).

    ``order`` is the scene's left-to-right order so far: people keep their side of the
    screen from beat to beat (newcomers go to the right of it). A contact beat (core/contact)
    puts its two within reach, facing each other, the actor in the act's pose."""
    people = people_of(beat.characters)
    subject, source = subject_and_source(beat)
    contact = find_contact(beat.action, people_of(list(dict.fromkeys(beat.characters + beat.entering))))
    if contact and beat.subject and beat.subject not in (contact.actor, contact.target) and source == "beat":
        contact = None  # the director points the shot at someone else: a reaction, not the act
    present = [c for c in people if c not in beat.entering]
    if contact:  # whoever strikes or embraces is there, not walking in
        present += [c for c in (contact.actor, contact.target) if c not in present]
    if order:
        first = list(present)
        present.sort(key=lambda c: order.index(c) if c in order else len(order) + first.index(c))
    entering = [c for c in people_of(beat.entering) if c in people] or people_of(beat.entering)
    entering = [c for c in entering if c not in present]
    colours = colours or {}
    size = beat.shot.size.value
    new_size = _size_for(size, contact, len(present) + len(entering))
    if contact:
        placements = _stage_contact(beat, contact, present, origin, colours, two_shot=new_size == "TWO_SHOT")
    else:
        placements = _stage_present(beat, present, origin, colours)
    count = len(present)
    ox, oy = origin
    for k, name in enumerate(entering):
        # In from screen right and upstage of those already there, so a group has depth
        x = ox + (count / 2.0) * SPACING + ENTRANCE_OFFSET + k * SPACING
        y = oy + ENTRANCE_DEPTH if count >= 2 else oy - 0.3
        target = (ox, oy) if count else (ox - 3.0, oy)
        placements.append(_placement(name, (x, y), target, "walk", colours.get(name)))
    # Single shots frame one person: keep the subject first (and in a contact beat, the other
    # of the two second: an over-the-shoulder is over their shoulder).
    partner = (contact.target if subject == contact.actor else contact.actor) if contact else ""
    placements.sort(key=lambda p: (p.name != subject, p.name != partner))
    return Staging(actors=placements, subject=subject, shot_size=new_size if new_size != size else "",
                   contact=contact)


SINGLE_SIZES = ("MS", "MCU", "CU", "ECU")
# The lens a size blocking chose gets (as the beat extractor suggests them).
LENS_FOR_SIZE = {"TWO_SHOT": 40, "MLS": 35, "WS": 24, "MS": 50, "OTS_LEFT": 50, "OTS_RIGHT": 50}


def _size_for(size: str, contact: Contact | None, people: int) -> str:
    """A contact beat's single becomes a two-shot (the camera sees both); a two-shot of three
    or more without a pair to single out becomes a group shot."""
    if contact and size in SINGLE_SIZES:
        return "TWO_SHOT"
    if size == "TWO_SHOT" and people >= 3 and not contact:
        return "MLS" if people == 3 else "WS"
    return size


def _stage_present(beat, present: list[str], origin, colours) -> list:
    ox, oy = origin
    count = len(present)
    placements = []
    if count >= 3:
        positions = [(ox + (i - (count - 1) / 2.0) * GROUP_STEP_X, oy + (GROUP_ROW_DEPTH if i % 2 else 0.0))
                     for i in range(count)]
    else:
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
    return placements


def _stage_contact(beat, contact: Contact, present: list[str], origin, colours, two_shot: bool) -> list:
    """The two face each other at the act's distance, across the frame (keeping the scene's
    left-to-right order); anyone else watches from the sides, out of a two-shot."""
    ox, oy = origin
    pair = [n for n in present if n in (contact.actor, contact.target)]
    half = contact.distance / 2.0
    spots = {pair[0]: (ox - half, oy), pair[1]: (ox + half, oy)}
    placements = []
    for name in pair:
        other = pair[1] if name == pair[0] else pair[0]
        if name == contact.actor:
            pose = contact.pose
        else:
            pose = pose_for_actor(name, beat.action, alone=False)
            pose = pose if pose in ("fall", "kneel", "hands_to_face", "stand") else "stand"
        placements.append(_placement(name, spots[name], spots[other], pose, colours.get(name)))
    others = [n for n in present if n not in pair]
    out = BYSTANDER_OUT if two_shot else BYSTANDER_NEAR
    # Bystanders keep their side of the pair (the scene's left-to-right order, so the
    # 180-degree line between any two holds), stepping outwards and back row by row.
    left = [n for n in others if present.index(n) < present.index(pair[0])][::-1]
    right = [n for n in others if present.index(n) > present.index(pair[0])]
    for side, names in ((-1.0, left), (1.0, right)):
        for row, name in enumerate(names):
            x = ox + side * (out + half + row * 0.5)
            y = oy + (BYSTANDER_BACK if two_shot else 0.9) + row * 1.0
            placements.append(_placement(name, (x, y), (ox, oy - 0.5),
                                         pose_for_actor(name, beat.action, alone=False), colours.get(name)))
    return placements


def _placement(name: str, xy: tuple[float, float], look_at: tuple[float, float], pose: str,
               colour: tuple | None = None) -> "wire.ActorPlacement":
    facing = facing_towards((xy[0], xy[1], 0.0), (look_at[0], look_at[1], 0.0))
    return wire.ActorPlacement(
        name=name, color=tuple(colour) if colour else cast_colour(name), height_m=cast_height(name),
        location=(round(xy[0], 3), round(xy[1], 3), 0.0), facing_deg=round(facing, 2), pose=pose,
    )
