"""The board audit's rules: each reads ShotFacts and returns the violations it finds.

Shot rules take one shot; board rules take the board in order. Pure Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

from ..colour import DISTINCT_DELTA_E, delta_e
from ..contact import FACING_TOLERANCE, MIN_DISTANCE, Contact, find_contact
from ..people import named_in, not_a_person, people_of
from .facts import OUT_OF_FRAME, VISIBLE, ActorFacts, ShotFacts, subject_of

FACE_SIZES = ("CU", "MCU", "ECU", "OTS_LEFT", "OTS_RIGHT")
HIP_SIZES = ("MS", "MLS", "TWO_SHOT")
ANKLE_SIZES = ("WS", "EWS")
GROUP_SIZES = ("TWO_SHOT", "WS", "EWS", "MLS")
NO_SUBJECT_FRAMING = ("POV", "INSERT")   # a POV shows what the subject sees; an insert, a detail

MIN_IN_FRAME = 0.6          # of the framed part of the body
MAX_FACE_YAW = 80.0         # a close shot sees the face from the front to no more than a profile
MAX_FACE_PITCH = 25.0       # and from no steeper than this above or below the eyes
MAX_COVERED_BY_ACTOR = 1 / 3
MAX_COVERED_BY_WALL = 0.05
MAX_COVERED_BY_PROP = 0.6
MAX_COVERED_LYING = 0.25    # a bed or sofa before someone lying on it hides them, not a lap
LYING_POSES = ("lie", "lie_floor")
MIN_MOVE_M, MIN_TURN_DEG, MIN_LENS_CHANGE = 0.5, 15.0, 0.30
# Largest gap above the crown, as a fraction of frame height, by size.
MAX_HEADROOM = {"ECU": 0.08, "CU": 0.15, "MCU": 0.18, "MS": 0.22, "MLS": 0.25, "OTS_LEFT": 0.25,
                "OTS_RIGHT": 0.25, "TWO_SHOT": 0.30, "WS": 0.40}
EYES_IN_UPPER_HALF = ("CU", "MCU", "MS", "OTS_LEFT", "OTS_RIGHT")


@dataclass(frozen=True)
class Violation:
    shot: str
    rule: str
    detail: str


def _v(shot: ShotFacts, rule: str, detail: str) -> Violation:
    return Violation(shot.shot, rule, detail)


def _in_frame(point) -> bool:
    return point is not None and point[2] != OUT_OF_FRAME


def _visible(point) -> bool:
    return point is not None and point[2] == VISIBLE


def subject_in_frame(shot: ShotFacts) -> list[Violation]:
    """The subject is staged, mostly in frame, not hidden, and shows what its size promises."""
    rule = "subject in frame"
    subject = subject_of(shot.characters, shot.subject)
    if not subject:
        return []
    actor = shot.actor(subject)
    if actor is None:
        return [_v(shot, rule, f"{subject} is in the beat but not staged")]
    if shot.size in NO_SUBJECT_FRAMING:
        return []
    found = []
    share = actor.in_frame_fraction()
    if share < MIN_IN_FRAME:
        found.append(_v(shot, rule, f"only {share:.0%} of {subject}'s framed body is inside the frame"))
    hidden = actor.hidden_fraction({a.name for a in shot.actors})
    if hidden > MAX_COVERED_BY_ACTOR:
        found.append(_v(shot, rule, f"{subject} is hidden: {hidden:.0%} covered"))
    k = actor.keypoints
    if actor.pose in LYING_POSES and not (_visible(k.get("nose")) or _visible(k.get("r_eye"))
                                          or _visible(k.get("l_eye"))) and shot.size not in FACE_SIZES:
        found.append(_v(shot, rule, f"{subject} lies with the face hidden: the nose or an eye must be visible"))
    if shot.size in FACE_SIZES:
        if not _visible(k.get("nose")) or not (_visible(k.get("r_eye")) or _visible(k.get("l_eye"))):
            found.append(_v(shot, rule, f"{subject}'s face does not read: nose and an eye must be visible"))
        if abs(actor.face_yaw_deg) > MAX_FACE_YAW or abs(actor.face_pitch_deg) > MAX_FACE_PITCH:
            found.append(_v(shot, rule, f"the camera sees {subject}'s face from {actor.face_yaw_deg:.0f} deg round "
                                        f"and {actor.face_pitch_deg:+.0f} deg up: too steep to read"))
        if actor.head_top[1] < 0:
            found.append(_v(shot, rule, f"the top edge cuts {subject}'s head"))
    elif shot.size in HIP_SIZES:
        if not (_in_frame(k.get("r_hip")) or _in_frame(k.get("l_hip"))):
            found.append(_v(shot, rule, f"{subject}'s hips are out of frame in a {shot.size}"))
    elif shot.size in ANKLE_SIZES:
        if not (_in_frame(k.get("r_ankle")) and _in_frame(k.get("l_ankle"))):
            found.append(_v(shot, rule, f"{subject}'s ankles are out of frame in a {shot.size}"))
    return found


def clear_line_of_sight(shot: ShotFacts) -> list[Violation]:
    """Nothing between lens and subject hides it; the lens is not inside a mesh or behind a wall."""
    rule = "clear view"
    found = [_v(shot, rule, f"the camera is inside {name}") for name in shot.camera_inside]
    found += [_v(shot, rule, f"the camera is behind {name}") for name in shot.walls_between]
    subject = shot.actor(subject_of(shot.characters, shot.subject))
    if subject is None or not subject.in_frame_px:
        return found
    people = {a.name for a in shot.actors}
    for name, px in subject.covered_by.items():
        share = px / subject.in_frame_px
        if name in people:
            limit = MAX_COVERED_BY_ACTOR
        elif name.startswith(("wall", "block")):
            limit = MAX_COVERED_BY_WALL
        elif subject.pose in LYING_POSES:
            limit = MAX_COVERED_LYING
        else:  # a table before someone seated at it hides their lap, not them
            limit = MAX_COVERED_BY_PROP
        if share > limit:
            found.append(_v(shot, rule, f"{name} covers {share:.0%} of {subject.name}"))
    return found


OTS_SHOULDER = 0.03  # of the frame: the foreground shoulder of an over-the-shoulder
HEADLESS_SHARE = 0.10  # of the frame: someone cut off at the neck in the foreground
HEAD_JOINTS = ("nose", "neck", "r_eye", "l_eye", "r_ear", "l_ear")


def clear_foreground(shot: ShotFacts) -> list[Violation]:
    """Nobody but the subject fills the frame with their head out of it: a back or a torso cut
    at the neck reads as a wall of colour (an over-the-shoulder keeps the head and shoulder)."""
    if shot.size in NO_SUBJECT_FRAMING + ("OTS_LEFT", "OTS_RIGHT") or not shot.mask_px:
        return []
    subject = subject_of(shot.characters, shot.subject)
    found = []
    for actor in shot.actors:
        share = actor.visible_px / shot.mask_px
        if actor.name == subject or share <= HEADLESS_SHARE:
            continue
        if not any(_in_frame(actor.keypoints.get(j)) for j in HEAD_JOINTS):
            found.append(_v(shot, "clear foreground", f"{actor.name}, head out of frame, fills {share:.0%} of it"))
    return found


def group_in_frame(shot: ShotFacts) -> list[Violation]:
    """A two-shot or group shot shows everyone the beat names as present; an over-the-shoulder
    shows the foreground shoulder."""
    people = people_of(shot.characters)
    if shot.size in ("OTS_LEFT", "OTS_RIGHT") and shot.mask_px:
        subject = subject_of(shot.characters, shot.subject)
        others = [a for a in shot.actors if a.name != subject]
        if not others or max(a.visible_px for a in others) < OTS_SHOULDER * shot.mask_px:
            return [_v(shot, "everyone in frame", "an over-the-shoulder without a foreground shoulder")]
        return []
    if shot.size not in GROUP_SIZES or len(people) < 2:
        return []
    found = []
    staged = {a.name for a in shot.actors}
    if shot.size == "TWO_SHOT":  # a two-shot is of its two; the others belong out of it
        people = two_shot_pair(shot)
    for name in people:
        actor = shot.actor(name)
        if actor is None:
            found.append(_v(shot, "everyone in frame", f"{name} is in the beat but not staged"))
        elif actor.in_frame_fraction() < MIN_IN_FRAME or actor.hidden_fraction(staged) > 0.5:
            found.append(_v(shot, "everyone in frame",
                            f"{name} is out of a {shot.size}: {actor.in_frame_fraction():.0%} in frame, "
                            f"{actor.hidden_fraction(staged):.0%} of that hidden"))
    return found


def headroom(shot: ShotFacts) -> list[Violation]:
    """The crown sits below the top edge with no more room above it than the size allows;
    in closer sizes the eyes sit in the upper half."""
    actor = shot.actor(subject_of(shot.characters, shot.subject))
    if actor is None or shot.size not in MAX_HEADROOM:
        return []
    found = []
    upright = [a for a in shot.actors if a.pose not in LYING_POSES and a.in_frame_fraction() >= MIN_IN_FRAME]
    if actor.pose in LYING_POSES and not upright:
        return []  # a lying body's frame follows its length: there is no head-to-top-edge room to keep
    crown = actor.head_top[1] if actor.pose not in LYING_POSES else min(a.head_top[1] for a in upright)
    if shot.size in GROUP_SIZES:  # a group's headroom is over its tallest (upright) head in frame
        crown = min([a.head_top[1] for a in upright] + [crown])
    room = crown / shot.height
    if 0 <= room and room > MAX_HEADROOM[shot.size]:
        found.append(_v(shot, "headroom", f"{room:.0%} of the frame above {actor.name}'s head "
                                          f"(at most {MAX_HEADROOM[shot.size]:.0%} in a {shot.size})"))
    eyes = [actor.keypoints[e] for e in ("r_eye", "l_eye") if _in_frame(actor.keypoints.get(e))]
    if shot.size in EYES_IN_UPPER_HALF and eyes and min(e[1] for e in eyes) > 0.5 * shot.height:
        found.append(_v(shot, "headroom", f"{actor.name}'s eyes are in the lower half of a {shot.size}"))
    return found


def distinct_colours(shot: ShotFacts) -> list[Violation]:
    found = []
    for a, b in combinations(shot.actors, 2):
        difference = delta_e(tuple(a.color), tuple(b.color))
        if difference <= DISTINCT_DELTA_E:
            found.append(_v(shot, "distinct colours", f"{a.name} and {b.name} differ by only "
                                                      f"{difference:.1f} (CIEDE2000; more than "
                                                      f"{DISTINCT_DELTA_E:.0f} needed)"))
    return found


def people_only(shot: ShotFacts) -> list[Violation]:
    return [_v(shot, "people only", f"{why}, but is staged as a mannequin")
            for why in (not_a_person(a.name) for a in shot.actors) if why]


def _angle_deg(u, v) -> float:
    dot = sum(a * b for a, b in zip(u, v))
    norm = math.sqrt(sum(a * a for a in u) * sum(b * b for b in v)) or 1.0
    return math.degrees(math.acos(max(-1.0, min(1.0, dot / norm))))


def same_setup(a: ShotFacts, b: ShotFacts) -> bool:
    """Too alike to cut between: moved at most 0.5 m, turned at most 15 degrees, lens within 30%."""
    moved = math.dist(a.camera_location, b.camera_location)
    turned = _angle_deg(a.camera_forward, b.camera_forward)
    lens = abs(a.focal_length_mm - b.focal_length_mm) / min(a.focal_length_mm, b.focal_length_mm)
    return moved <= MIN_MOVE_M and turned <= MIN_TURN_DEG and lens <= MIN_LENS_CHANGE


def distinct_setups(shots: list[ShotFacts]) -> list[Violation]:
    """Consecutive shots of one scene are different setups, unless one continues the other on purpose."""
    found = []
    for before, after in zip(shots, shots[1:]):
        if before.scene_number != after.scene_number or after.continues_shot == before.shot:
            continue
        if same_setup(before, after):
            found.append(_v(after, "jump cut", f"the same setup as shot {before.shot} "
                                               f"(camera moved {math.dist(before.camera_location, after.camera_location):.2f} m, "
                                               f"turned {_angle_deg(before.camera_forward, after.camera_forward):.0f} deg)"))
    return found


def _side(a, b, c) -> float:
    """Which side of the line a->b the point c is on (sine of the angle, signed)."""
    abx, aby = b[0] - a[0], b[1] - a[1]
    acx, acy = c[0] - a[0], c[1] - a[1]
    norm = math.hypot(abx, aby) * math.hypot(acx, acy) or 1.0
    return (abx * acy - aby * acx) / norm


LINE_TOLERANCE = 0.08  # a camera this close to the line (POV, tight OTS) is on neither side


def line_of_action(shots: list[ShotFacts]) -> list[Violation]:
    """Within a scene, the camera stays on one side of the line between each pair of people."""
    found = []
    sides: dict[tuple[str, str, str], tuple[float, str]] = {}
    for shot in shots:
        if shot.size == "POV":
            continue
        staged = sorted(a.name for a in shot.actors if not not_a_person(a.name))
        for first, second in combinations(staged, 2):
            a, b = shot.actor(first), shot.actor(second)
            side = _side(a.location, b.location, shot.camera_location)
            if abs(side) < LINE_TOLERANCE:
                continue
            key = (shot.scene_number, first, second)
            if key in sides and (sides[key][0] > 0) != (side > 0):
                found.append(_v(shot, "180-degree line", f"crosses the line between {first} and {second} "
                                                         f"kept in shot {sides[key][1]}"))
            sides.setdefault(key, (side, shot.shot))
    return found


def named_people_staged(shots: list[ShotFacts]) -> list[Violation]:
    """Whoever of the board's people the action names is on the stage; a beat that lists nobody
    shows them in frame."""
    cast = list(dict.fromkeys(name for shot in shots for name in people_of(shot.characters)))
    found = []
    for shot in shots:
        listed = people_of(shot.characters)
        for name in named_in(shot.action, cast):
            actor = shot.actor(name)
            if actor is None and name not in listed:
                found.append(_v(shot, "subject in frame", f"the action names {name}, who is not on the stage"))
            elif not listed and shot.size not in NO_SUBJECT_FRAMING and actor.in_frame_fraction() < MIN_IN_FRAME:
                found.append(_v(shot, "subject in frame", f"the action names {name}, who is not in frame "
                                                          "(an empty room)"))
    return found


# --- Staging a storyboard artist would keep -------------------------------------------------

SEEN_IN_FRAME = 0.25     # of the framed body inside the frame ...
SEEN_VISIBLE = 0.15      # ... and this much of it unhidden: someone the viewer counts
MIN_GROUP_DEPTH = 0.5    # metres front to back a group of three or more is staged over
SAME_LENS = 0.35         # in a close shot, lenses within a third of each other read alike (85 vs 65 mm)
SAME_BEARING_DEG, SAME_PITCH_DEG = 40.0, 10.0
CLOSE_SIZES = ("CU", "MCU", "ECU")
SINGLE_SIZES = ("MS", "MCU", "CU", "ECU", "OTS_LEFT", "OTS_RIGHT")


def _seen(actor: ActorFacts) -> bool:
    return (actor.in_frame_fraction() >= SEEN_IN_FRAME
            and actor.silhouette_px > 0 and actor.visible_px >= SEEN_VISIBLE * actor.silhouette_px)


def seen_people(shot: ShotFacts) -> list[ActorFacts]:
    return [a for a in shot.actors if not not_a_person(a.name) and _seen(a)]


def contact_of(shot: ShotFacts) -> Contact | None:
    """The contact the action describes between two of the shot's people, unless the beat
    points the shot at someone else (a reaction to it)."""
    people = people_of(list(dict.fromkeys(shot.characters + shot.entering)))
    contact = find_contact(shot.action, people)
    if contact and shot.subject_from == "beat" and shot.subject not in (contact.actor, contact.target):
        return None
    return contact


def two_shot_pair(shot: ShotFacts) -> list[str]:
    """The two a two-shot is of: a contact's two; else the subject and whom the beat pairs with
    them (the speaker, the next person the action names, the next person listed)."""
    contact = contact_of(shot)
    if contact:
        return [contact.actor, contact.target]
    people = [p for p in people_of(shot.characters) if p not in shot.entering] or people_of(shot.characters)
    if len(people) <= 2:
        return people
    subject = subject_of(shot.characters, shot.subject)
    for other in [shot.speaker, *named_in(shot.action, people), *people]:
        if other and other != subject and other in people:
            return [subject, other]
    return people[:2]


def _facing_off(actor: ActorFacts, other: ActorFacts) -> float:
    """Degrees between where ``actor`` faces and the direction to ``other``."""
    a = math.radians(actor.facing_deg)
    look = (math.sin(a), -math.cos(a))
    to = (other.location[0] - actor.location[0], other.location[1] - actor.location[1])
    return _angle_deg((*look, 0.0), (*to, 0.0))


def contact_in_reach(shot: ShotFacts) -> list[Violation]:
    """A punch, grab, shove or embrace: the two within reach, facing each other, the one who
    acts in the act's pose, and (but in an insert, a POV or an over-the-shoulder) both in frame."""
    contact = contact_of(shot)
    if contact is None:
        return []
    rule = "contact"
    actor, target = shot.actor(contact.actor), shot.actor(contact.target)
    if actor is None or target is None:
        missing = contact.actor if actor is None else contact.target
        return [_v(shot, rule, f"{contact.says}, but {missing} is not staged")]
    found = []
    distance = math.dist(actor.location[:2], target.location[:2])
    if not MIN_DISTANCE <= distance <= contact.max_distance:
        found.append(_v(shot, rule, f"{contact.says} from {distance:.1f} m "
                                    f"(within reach is {contact.distance:.1f} m)"))
    for one, other in ((actor, target), (target, actor)):
        off = _facing_off(one, other)
        if off > FACING_TOLERANCE:
            found.append(_v(shot, rule, f"{one.name} faces {off:.0f} deg away from {other.name} in a "
                                        f"'{contact.verb}' beat"))
    if actor.pose != contact.pose:
        found.append(_v(shot, rule, f"{contact.says} in the '{actor.pose}' pose "
                                    f"(should be '{contact.pose}')"))
    if shot.size not in NO_SUBJECT_FRAMING + ("OTS_LEFT", "OTS_RIGHT"):
        for one in (actor, target):
            if one.in_frame_fraction() < MIN_IN_FRAME:
                found.append(_v(shot, rule, f"{one.name} is out of frame ({one.in_frame_fraction():.0%}) in a "
                                            f"'{contact.verb}' beat: the camera must see both"))
    return found


def two_shot_of_two(shot: ShotFacts) -> list[Violation]:
    """A two-shot shows two people; three is a group shot."""
    if shot.size != "TWO_SHOT":
        return []
    seen = seen_people(shot)
    if len(seen) <= 2:
        return []
    pair = two_shot_pair(shot)
    extra = ", ".join(a.name for a in seen if a.name not in pair)
    return [_v(shot, "two-shot", f"{len(seen)} people in a two-shot ({extra} besides {' and '.join(pair)}): "
                                 "a group shot, or keep them out of frame")]


def group_in_depth(shot: ShotFacts) -> list[Violation]:
    """Three or more people in frame are staged in depth, not in a line across the frame."""
    seen = seen_people(shot)
    if len(seen) < 3:
        return []
    fx, fy = shot.camera_forward[0], shot.camera_forward[1]
    norm = math.hypot(fx, fy) or 1.0
    depths = [(a.location[0] * fx + a.location[1] * fy) / norm for a in seen]
    spread = max(depths) - min(depths)
    if spread >= MIN_GROUP_DEPTH:
        return []
    return [_v(shot, "group depth", f"{len(seen)} people in a line across the frame ({spread:.2f} m front to back, "
                                    f"at least {MIN_GROUP_DEPTH} m): stagger them in depth")]


def close_view(shot: ShotFacts) -> tuple[str, float, float, float] | None:
    """(subject, lens, bearing round the subject in degrees, pitch) of a close shot, else None."""
    if shot.size not in CLOSE_SIZES:
        return None
    actor = shot.actor(subject_of(shot.characters, shot.subject))
    if actor is None:
        return None
    dx, dy = shot.camera_location[0] - actor.location[0], shot.camera_location[1] - actor.location[1]
    return actor.name, shot.focal_length_mm, math.degrees(math.atan2(dy, dx)), actor.face_pitch_deg


def same_close_up(a: tuple | None, b: tuple | None) -> bool:
    """Two close shots of one person through the same lens from nearly the same angle."""
    if a is None or b is None or a[0] != b[0]:
        return False
    lens = abs(a[1] - b[1]) / min(a[1], b[1])
    bearing = abs((a[2] - b[2] + 180.0) % 360.0 - 180.0)
    return lens <= SAME_LENS and bearing <= SAME_BEARING_DEG and abs(a[3] - b[3]) <= SAME_PITCH_DEG


def varied_close_ups(shots: list[ShotFacts]) -> list[Violation]:
    """No two close shots in a row of the same person at the same lens and angle."""
    found = []
    for before, after in zip(shots, shots[1:]):
        if before.scene_number != after.scene_number or after.continues_shot == before.shot:
            continue
        if same_close_up(close_view(before), close_view(after)):
            found.append(_v(after, "repeated close-up", f"{after.size} of {close_view(after)[0]} at "
                                                        f"{after.focal_length_mm:g} mm from the angle of shot "
                                                        f"{before.shot}: change lens, size or angle, or cut to "
                                                        "the other person"))
    return found


def in_exchange(before: ShotFacts | None, shot: ShotFacts, after: ShotFacts | None) -> bool:
    """Is ``shot`` one line of a two-person dialogue exchange: the two are its people, and a
    neighbouring beat of its scene has the other one speaking?"""
    people = people_of(list(dict.fromkeys(shot.characters + shot.entering)))
    if shot.speaker not in people or len(people) != 2:
        return False
    for other in (before, after):
        if (other is not None and other.scene_number == shot.scene_number and other.speaker
                and other.speaker != shot.speaker and other.speaker in people):
            return True
    return False


def dialogue_coverage(shots: list[ShotFacts]) -> list[Violation]:
    """In an exchange, each single (or over-the-shoulder) is on the one speaking, unless the
    beat itself names whom to show (a reaction)."""
    found = []
    for i, shot in enumerate(shots):
        before = shots[i - 1] if i else None
        after = shots[i + 1] if i + 1 < len(shots) else None
        if shot.size not in SINGLE_SIZES or shot.subject_from == "beat" or not in_exchange(before, shot, after):
            continue
        if subject_of(shot.characters, shot.subject) != shot.speaker:
            found.append(_v(shot, "dialogue coverage", f"{shot.speaker} speaks but the shot is on "
                                                       f"{subject_of(shot.characters, shot.subject)}"))
    return found


SHOT_RULES = (subject_in_frame, clear_line_of_sight, group_in_frame, headroom, distinct_colours, people_only,
              contact_in_reach, two_shot_of_two, group_in_depth, clear_foreground)
BOARD_RULES = (distinct_setups, line_of_action, named_people_staged, varied_close_ups, dialogue_coverage)
RULE_NAMES = ("subject in frame", "clear view", "everyone in frame", "headroom", "distinct colours",
              "people only", "jump cut", "180-degree line", "contact", "two-shot", "group depth",
              "repeated close-up", "dialogue coverage", "clear foreground")


def audit(shots: list[ShotFacts]) -> list[Violation]:
    found = [v for shot in shots for rule in SHOT_RULES for v in rule(shot)]
    found += [v for rule in BOARD_RULES for v in rule(shots)]
    order = {s.shot: i for i, s in enumerate(shots)}
    return sorted(found, key=lambda v: (order.get(v.shot, 0), RULE_NAMES.index(v.rule)))
