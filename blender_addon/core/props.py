"""Blockout props from the action's nouns and verbs, sized in metres. Pure Python.

``place_props`` reads a beat's action, places furniture where the staged actors can use it
(a chair under whoever sits at a table, the table at their forearms), puts hand props in
the hand of the person whose sentence names them, frames a doorway round someone who
bursts in, and seats a car's people. Each prop is one or more boxes, so depth and masks
see it like any other mesh.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

from .mannequin import LIE_POSES, LIE_SURFACE, PUTS_DOWN, facing_towards, joint_positions, to_world
from .sets import Box, along_axis, cut_opening, nearest_wall, room_walls
from .wire import wire

Vec = tuple[float, float, float]

# kind -> the words that call for it
PROP_WORDS = {
    "table": "table tables",
    "desk": "desk",
    "counter": "counter bar",
    "bed": "bed",
    "sofa": "sofa couch settee",
    "door": "door doors doorway",
    "window": "window windows",
    "stairs": "stairs staircase steps stairway",
    "car": "car cars taxi cab sedan jeep truck porsche limo limousine convertible suv landcruiser minivan",
    "suitcase": "suitcase luggage",
    "bag": "bag backpack handbag purse briefcase",
    "phone": "phone cellphone telephone mobile",
    "cup": "cup mug coffee tea glass",
    "flashlight": "flashlight torch",
    "gun": "gun pistol revolver rifle shotgun",
    "book": "book notebook paper papers notes letter newspaper file folder",
    "boxes": "box boxes crate crates",
}
_KIND_OF_WORD = {w: kind for kind, words in PROP_WORDS.items() for w in words.split()}
HAND_PROPS = ("phone", "cup", "flashlight", "gun", "book")
CARRIED = ("suitcase", "bag")
# Sizes (width along the actor's right, depth along their front, height), metres.
SIZES = {
    "table": (1.2, 0.8, 0.75), "desk": (1.4, 0.7, 0.76), "counter": (2.4, 0.6, 1.05), "bed": (1.5, 2.0, LIE_SURFACE),
    "sofa": (2.0, 0.9, LIE_SURFACE),
    "chair": (0.45, 0.45, 0.46), "suitcase": (0.45, 0.22, 0.65), "bag": (0.35, 0.15, 0.3),
    "phone": (0.07, 0.015, 0.15), "cup": (0.08, 0.08, 0.1), "flashlight": (0.05, 0.25, 0.05),
    "gun": (0.03, 0.2, 0.12), "book": (0.2, 0.27, 0.03), "box": (0.5, 0.4, 0.4),
}
DOOR = (1.0, 2.1, 0.05)  # opening width, height; slab thickness
# In a side wall the door sits this far further from the audience than the person it is for:
# cameras stand on the audience side (-Y), so a side wall reads towards the back of the frame.
SIDE_DOOR_BACK = 1.5
OPENS = re.compile(r"\bburst|\bbarges?\b|\bcomes? in\b|\bwalks? in\b|\benters?\b|\bentering\b|\bopens?\b|"
                   r"\bswings? open\b|\bkicks? (?:in|open)\b|\bflies open\b")
SEATED_REST = re.compile(r"\b(?:chair|armchair|seat|bench|stool|wheelchair)\b")
DRIVING = re.compile(r"\bdriv(?:es|ing)\b(?! (?:a hard bargain|\w+ (?:crazy|mad|nuts|insane)))|"
                     r"\b(?:at|behind) the wheel\b|\b(?:speed|peel|tear|race)(?:s|ed)? (?:off|away)\b")
LYING_ON = re.compile(r"\b(?:bed|sofa|couch|settee)\b")
SIT_AT = re.compile(r"\b(?:sits?|sitting|seated|slumps?)\b|\bat (?:a|the|his|her|their) [\w-]*\s*(?:table|desk)\b")


@dataclass(frozen=True)
class Prop:
    kind: str
    boxes: tuple[Box, ...]
    held_by: str = ""
    replaces: str = ""  # the set part this prop stands in for: a wall it cuts a door into, the room's bed
    replaced_by: tuple[Box, ...] = ()  # what stands in that set part's place (a wall's pieces round a door)

    def info(self, origin: tuple[float, float]) -> dict:
        """The prop for the keypoints JSON: kind, who holds it, its bounds relative to the stage."""
        own = self.boxes
        lows = [tuple(b.centre[i] - b.size[i] / 2 for i in range(3)) for b in own]
        highs = [tuple(b.centre[i] + b.size[i] / 2 for i in range(3)) for b in own]
        low = [min(p[i] for p in lows) - (origin[i] if i < 2 else 0.0) for i in range(3)]
        high = [max(p[i] for p in highs) - (origin[i] if i < 2 else 0.0) for i in range(3)]
        return {"kind": self.kind, "held_by": self.held_by, "min": [round(v, 3) for v in low],
                "max": [round(v, 3) for v in high]}


@dataclass
class Dressing:
    actors: list["wire.ActorPlacement"]
    props: list[Prop] = field(default_factory=list)


def kinds_in(text: str) -> list[str]:
    """The prop kinds the text names, in order; not those it denies ('no windows')."""
    found = []
    words = re.findall(r"[a-z]+", text.lower())
    for i, word in enumerate(words):
        kind = _KIND_OF_WORD.get(word)
        denied = any(w in ("no", "without") for w in words[max(0, i - 2):i])
        if kind and kind not in found and not denied:
            found.append(kind)
    return found


def _sentences_of(name: str, action: str) -> str:
    forms = (name.upper(), name.title(), name.split()[0].title() if name.split() else name)
    return " ".join(s for s in re.split(r"(?<=[.!?])\s+", action) if any(f in s for f in forms))


def _forward(facing_deg: float) -> tuple[float, float]:
    a = math.radians(facing_deg)
    return (math.sin(a), -math.cos(a))


def _right(facing_deg: float) -> tuple[float, float]:
    a = math.radians(facing_deg)
    return (-math.cos(a), -math.sin(a))


def _box(name: str, centre: Vec, size: Vec, facing_deg: float = 0.0) -> Box:
    """Boxes are axis-aligned: turn the footprint with the facing, to the nearest quarter turn."""
    if round(facing_deg / 90.0) % 2:
        size = (size[1], size[0], size[2])
    return Box(name, centre, size)


def _furniture(kind: str, actor, ahead: float, origin) -> Prop:
    fx, fy = _forward(actor.facing_deg)
    w, d, h = SIZES[kind]
    x, y = actor.location[0] + fx * ahead, actor.location[1] + fy * ahead
    top = _box(f"prop_{kind}", (x, y, h - 0.03), (w, d, 0.06), actor.facing_deg)
    leg = _box(f"prop_{kind}_base", (x, y, (h - 0.06) / 2), (w * 0.8, d * 0.7, h - 0.06), actor.facing_deg) \
        if kind in ("desk", "counter") else _box(f"prop_{kind}_leg", (x, y, (h - 0.06) / 2), (0.12, 0.12, h - 0.06))
    return Prop(kind, (top, leg))


def _chair(actor) -> Prop:
    """A chair whose seat meets the seated mannequin's pelvis, its back behind them."""
    pelvis = to_world(joint_positions(actor.height_m, "sit")["pelvis"], actor.location, actor.facing_deg)
    seat = max(0.3, pelvis[2] - 0.05 * actor.height_m)
    fx, fy = _forward(actor.facing_deg)
    w, d, _ = SIZES["chair"]
    parts = (Box("prop_chair_seat", (pelvis[0], pelvis[1], seat / 2), (w, d, seat)),
             _box("prop_chair_back", (pelvis[0] - fx * (d / 2 + 0.03), pelvis[1] - fy * (d / 2 + 0.03), seat + 0.25),
                  (w, 0.05, 0.5), actor.facing_deg))
    return Prop("chair", parts, held_by=actor.name)


def _in_hand(kind: str, actor, side: str = "r") -> Prop:
    hand = to_world(joint_positions(actor.height_m, actor.pose)[f"{side}_hand"], actor.location, actor.facing_deg)
    w, d, h = SIZES[kind]
    if kind in CARRIED:  # hangs from the hand
        centre = (hand[0], hand[1], max(h / 2, hand[2] - h / 2))
    else:
        fx, fy = _forward(actor.facing_deg)
        centre = (hand[0] + fx * d / 2, hand[1] + fy * d / 2, hand[2])
    return Prop(kind, (_box(f"prop_{kind}", centre, (w, d, h), actor.facing_deg),), held_by=actor.name)


def _doorway(actor) -> Prop:
    """A door frame in a short wall just behind someone who comes in, so they stand in it."""
    fx, fy = _forward(actor.facing_deg)
    x, y = actor.location[0] - fx * 0.35, actor.location[1] - fy * 0.35
    frame_w, frame_h = 1.0, 2.2
    rx, ry = _right(actor.facing_deg)
    across_x = abs(rx) > abs(ry)  # does the wall run along X?
    parts = []
    for s in (-1, 1):
        offset = s * (frame_w / 2 + 0.75)
        cx, cy = (x + offset, y) if across_x else (x, y + offset)
        size = (1.5, 0.15, 2.6) if across_x else (0.15, 1.5, 2.6)
        parts.append(Box(f"wall_door_{'left' if s < 0 else 'right'}", (cx, cy, 1.3), size))
    lintel = (frame_w, 0.15, 0.4) if across_x else (0.15, frame_w, 0.4)
    parts.append(Box("prop_door_lintel", (x, y, frame_h + 0.2), lintel))
    return Prop("door", tuple(parts), held_by=actor.name)


def door_in_wall(walls: list[Box], near: tuple[float, float], open_: bool) -> Prop:
    """A door cut into the wall nearest ``near`` (x, y), opposite that point.

    The prop carries the wall's pieces round the opening (it replaces the set's wall), and the
    slab: closed in the opening, or swung open into the room, hinged on the side away from
    the camera (+Y) or, in the back wall, away from ``near``."""
    wall = nearest_wall(walls, near)
    axis = along_axis(wall)
    across = 1 - axis
    width, height, thick = DOOR
    along = near[axis] + (SIDE_DOOR_BACK if axis == 1 else 0.0)
    pieces = cut_opening(wall, along, width, height)
    over = pieces[-1]
    centre = over.centre[axis]
    room_side = -1.0 if wall.centre[across] > near[across] else 1.0  # from the wall into the room
    face = wall.centre[across] + room_side * wall.size[across] / 2
    if open_:
        hinge_dir = 1.0 if axis == 1 else (1.0 if near[axis] < centre else -1.0)
        hinge = centre + hinge_dir * (width / 2 - thick / 2)
        slab_centre = [0.0, 0.0, height / 2]
        slab_centre[axis] = hinge
        slab_centre[across] = face + room_side * width / 2
        size = [0.0, 0.0, height]
        size[axis], size[across] = thick, width
    else:
        slab_centre = [0.0, 0.0, height / 2]
        slab_centre[axis] = centre
        slab_centre[across] = wall.centre[across]
        size = [0.0, 0.0, height]
        size[axis], size[across] = width, thick
    slab = Box("prop_door", tuple(slab_centre), tuple(size))
    return Prop("door", (slab,), replaces=wall.name, replaced_by=tuple(pieces))


DOORWAY_STEP = 0.55  # from the wall's centre line into the room: just inside the doorway


def just_inside(door: Prop, near: tuple[float, float]) -> tuple[float, float]:
    """The spot just inside a door cut into a wall, on ``near``'s side of it."""
    over = door.replaced_by[-1]  # the piece above the opening: its middle is the opening's
    axis = along_axis(over)
    across = 1 - axis
    spot = [over.centre[0], over.centre[1]]
    spot[across] += DOORWAY_STEP if near[across] > over.centre[across] else -DOORWAY_STEP
    return (spot[0], spot[1])


def with_set_changes(set_boxes: list[Box], props: list[Prop]) -> list[Box]:
    """The set with what props stand in for swapped in: a wall for its pieces round a door cut
    into it, the room's own bed taken out for the one someone lies on."""
    changes = {p.replaces: p.replaced_by for p in props if p.replaces}
    out: list[Box] = []
    for box in set_boxes:
        out += list(changes[box.name]) if box.name in changes else [box]
    return out


def _lying_place(actor, kind: str) -> Prop:
    """A bed or sofa under someone lying on it: its top at LIE_SURFACE, long side along the body
    (which runs from the feet at local -X to the head near the origin), a little more of it
    behind them than in front."""
    h = actor.height_m
    length = 2.0 if kind == "bed" else max(2.0, 1.15 * h)
    width = 1.2 if kind == "bed" else SIZES["sofa"][1]
    centre_x, centre_y = -0.34 * h, 0.15 if kind == "bed" else 0.1

    def part(name: str, x: float, y: float, z: float, size: Vec) -> Box:
        return _box(name, to_world((x, y, z), actor.location, actor.facing_deg), size, actor.facing_deg)

    head_end = centre_x + length / 2
    if kind == "bed":
        parts = [part("prop_bed", centre_x, centre_y, LIE_SURFACE / 2, (length, width, LIE_SURFACE)),
                 part("prop_bed_head", head_end + 0.04, centre_y, 0.5, (0.08, width, 1.0)),
                 part("prop_bed_pillow", 0.12 * h, 0.05, LIE_SURFACE + 0.05, (0.4, 0.6, 0.1))]
    else:
        parts = [part("prop_sofa", centre_x, centre_y, LIE_SURFACE / 2, (length, width, LIE_SURFACE)),
                 part("prop_sofa_back", centre_x, centre_y + width / 2 + 0.1, 0.45, (length, 0.2, 0.9))]
        parts += [part("prop_sofa_arm", centre_x + s * (length / 2 + 0.1), centre_y + 0.1, 0.33,
                       (0.2, width + 0.2, 0.66)) for s in (-1, 1)]
    return Prop(kind, tuple(parts), held_by=actor.name, replaces="bed" if kind == "bed" else "")


def _lie_down(actors: list, action: str, props: list[Prop], exterior: bool) -> None:
    """Whoever lies down lies across the frame, face to the audience side, on a bed or sofa
    (on the ground when they collapse, when the sentence says floor, or outdoors with no
    bed or sofa named), clear of the people standing."""
    for i, actor in enumerate(actors):
        if actor.pose not in LIE_POSES:
            continue
        mine = (_sentences_of(actor.name, action) or action).lower()
        furniture = LYING_ON.search(mine)
        on_floor = (actor.pose == "lie_floor" or re.search(r"\b(?:floor|ground|pavement)\b", mine)
                    or (exterior and not furniture))
        others = [a for a in actors if a is not actor and a.pose not in LIE_POSES]
        x, y, z = actor.location
        reach = 0.9 * actor.height_m + 0.5  # the body runs this far towards -X from the neck
        if any(abs(o.location[1] - y) < 1.0 and x - reach < o.location[0] < x + 0.6 for o in others):
            x = max(o.location[0] for o in others) + reach
        actors[i] = replace(actor, location=(x, y, z), facing_deg=0.0, pose="lie_floor" if on_floor else "lie")
        if not on_floor:
            props.append(_lying_place(actors[i], "sofa" if re.search(r"\b(?:sofa|couch|settee)\b", mine) else "bed"))


def place_props(beat: "wire.Beat", actors: list["wire.ActorPlacement"], origin: tuple[float, float],
                exterior: bool = False) -> Dressing:
    """Dress the stage for the action; may seat actors (pose and place) who sit at something."""
    action = beat.action
    kinds = kinds_in(action)
    location = beat.location.lower()
    if (any(w in location for w in (" car", "car ", "taxi", "truck", "driving")) or location == "car"
            or DRIVING.search(action.lower()) or "car" in kinds_in(location)):
        kinds = ["car"] + [k for k in kinds if k != "car"]
    actors = list(actors)
    props: list[Prop] = []
    ox, oy = origin

    if "car" in kinds and actors:
        # Front seats side by side, facing the camera side; the hood in front, wheels below.
        # Whoever drives (or sits at the wheel) takes the driver's seat, behind the wheel.
        # Otherwise people keep their staged left-right order (the scene's side of the line).
        seats = [(-0.4, 0.0), (0.4, 0.0), (-0.4, 0.9), (0.4, 0.9)]
        actors.sort(key=lambda a: a.location[0])
        driver = _driver(actors, action)
        if driver is not None:
            actors.remove(driver)
            actors.insert(0, driver)
        for i, actor in enumerate(actors[:4]):
            sx, sy = seats[i]
            # The driver's hands reach forward to the wheel (the at-a-table arms); the rest sit.
            actors[i] = replace(actor, location=(ox + sx, oy + sy, 0.0), facing_deg=0.0,
                                pose="sit_at_table" if i == 0 else "sit")
        hands = joint_positions(actors[0].height_m, "sit_at_table")
        wx, wy, wz = to_world(tuple((hands["r_wrist"][k] + hands["l_wrist"][k]) / 2 for k in range(3)),
                              actors[0].location, 0.0)
        # The hood stays below the seated people's chests and the wheel is a rim in the driver's
        # hands on a column, so a camera in front sees faces over them.
        parts = [Box("prop_car_hood", (ox, oy - 1.5, 0.35), (1.8, 1.4, 0.6)),
                 Box("prop_car_floor", (ox, oy + 0.5, 0.15), (1.8, 2.4, 0.3)),
                 Box("prop_car_trunk", (ox, oy + 2.1, 0.5), (1.8, 0.9, 0.8)),
                 Box("prop_car_wheel", (wx, wy - 0.03, wz), (0.38, 0.05, 0.05)),
                 Box("prop_car_column", (wx, wy - 0.12, wz - 0.1), (0.05, 0.05, 0.16))]
        parts += [Box("prop_car_tyre", (ox + sx * 0.95, oy + sy, 0.33), (0.25, 0.66, 0.66))
                  for sx in (-1.0, 1.0) for sy in (-1.3, 1.4)]
        props.append(Prop("car", tuple(parts), replaces="car"))  # stands in for the set's car block
        props += [_chair(a) for a in actors[:4]]
        kinds = [k for k in kinds if k not in ("car", "table", "desk", "chair")]

    for i, a in enumerate(actors):  # asleep in a chair: seated, not laid down
        mine = (_sentences_of(a.name, action) or action).lower()
        if a.pose == "lie" and SEATED_REST.search(mine) and not LYING_ON.search(mine):
            actors[i] = replace(a, pose="sit")
    sitters = [a for a in actors if a.pose == "sit" or SIT_AT.search(_sentences_of(a.name, action).lower())]
    surface = next((k for k in ("table", "desk", "counter") if k in kinds), None)
    if surface and actors:
        users = sitters or actors[:1]
        if surface == "counter":
            users = actors[:1]
        if len(actors) >= 2 and surface == "table":
            # Everyone round one table: it stands between the first two, they face across it.
            a, b = actors[0], actors[1]
            cx, cy = (a.location[0] + b.location[0]) / 2, (a.location[1] + b.location[1]) / 2
            w, d, h = SIZES["table"]
            props.append(Prop("table", (Box("prop_table", (cx, cy, h - 0.03), (0.9, d, 0.06)),
                                        Box("prop_table_leg", (cx, cy, (h - 0.06) / 2), (0.12, 0.12, h - 0.06)))))
        else:
            props.append(_furniture(surface, users[0], 0.55 if surface != "counter" else 0.45, origin))
        if surface != "counter":
            for actor in sitters or users:
                i = actors.index(actor)
                # Facing the table (staged people face the camera side, where it stands).
                actors[i] = replace(actor, pose="sit_at_table" if surface_ahead(actor, props[-1]) else "sit")
                props.append(_chair(actors[i]))
    elif sitters and "car" not in [p.kind for p in props]:
        for actor in sitters:
            i = actors.index(actor)
            actors[i] = replace(actor, pose="sit")
            props.append(_chair(actors[i]))

    _lie_down(actors, action, props, exterior)
    for kind in ("bed", "sofa"):
        if kind in kinds and kind not in [p.kind for p in props]:  # nobody on it: against the back wall
            w, d, h = SIZES[kind]
            props.append(Prop(kind, (Box(f"prop_{kind}", (ox - 2.6, oy + 2.3, h / 2), (d if kind == "bed" else w,
                                                                                      w if kind == "bed" else d, h)),)))
    comer = next((a for a in actors if a.name in beat.entering), None)
    bursts = re.search(r"\bburst|\bbarges|\bcomes in|\bcome in|\bwalks in", action.lower())
    if "door" in kinds or (bursts and comer is not None):
        if exterior:
            if comer is not None:
                props.append(_doorway(comer))
        else:
            by = comer or _holder("door", actors, action)
            near = by.location[:2] if by is not None else (ox + 3.0, oy + 3.0)
            door = door_in_wall(room_walls(origin), near, open_=comer is not None or bool(OPENS.search(action.lower())))
            props.append(door)
            if comer is not None and comer.pose not in LIE_POSES and not comer.pose.startswith("sit"):
                # Whoever comes in stands in the doorway, facing into the room (towards the others).
                spot = just_inside(door, near)
                others = [a.location for a in actors if a is not comer] or [(ox, oy - 2.0, 0.0)]
                centre = (sum(o[0] for o in others) / len(others), sum(o[1] for o in others) / len(others), 0.0)
                i = actors.index(comer)
                actors[i] = replace(comer, location=(spot[0], spot[1], 0.0),
                                    facing_deg=facing_towards((spot[0], spot[1], 0.0), centre))
    if "window" in kinds and not exterior:  # a window frame belongs in a wall
        props.append(Prop("window", tuple(
            Box("prop_window", c, s) for c, s in (((ox - 2.5, oy + 3.35, 1.0), (1.4, 0.1, 0.08)),
                                                   ((ox - 2.5, oy + 3.35, 2.1), (1.4, 0.1, 0.08)),
                                                   ((ox - 3.16, oy + 3.35, 1.55), (0.08, 0.1, 1.1)),
                                                   ((ox - 1.84, oy + 3.35, 1.55), (0.08, 0.1, 1.1))))))
    if "stairs" in kinds:
        props.append(Prop("stairs", tuple(Box("prop_stairs", (ox - 4.2, oy + 1.0 + 0.3 * k, 0.09 + 0.09 * k),
                                              (1.2, 0.3, 0.18 + 0.18 * k)) for k in range(6))))
    if "boxes" in kinds:
        props.append(Prop("boxes", tuple(Box("prop_box", c, SIZES["box"]) for c in
                                         ((ox + 3.0, oy + 2.6, 0.2), (ox + 3.55, oy + 2.6, 0.2),
                                          (ox + 3.25, oy + 2.6, 0.6)))))
    surface = next((p for p in props if p.kind in ("table", "desk", "counter")), None)
    for kind in [k for k in kinds if k in HAND_PROPS + CARRIED]:
        holder = _holder(kind, actors, action)
        if holder is None:
            continue
        if surface is not None and PUTS_DOWN.search(_sentences_of(holder.name, action) or action):
            props.append(_on_surface(kind, holder, surface))  # slammed on the table: it lies there
        else:
            props.append(_in_hand(kind, holder, "l" if kind in CARRIED else "r"))
    return Dressing(actors=actors, props=props)


def _on_surface(kind: str, actor, surface: Prop) -> Prop:
    """A hand prop lying on the table top where the actor's hand comes down (kept on the top)."""
    top = surface.boxes[0]
    hand = to_world(joint_positions(actor.height_m, actor.pose)["r_hand"], actor.location, actor.facing_deg)
    w, d, h = SIZES[kind]
    if kind not in CARRIED:  # lying flat (a bag stands on the table)
        w, d, h = max(w, d, h), sorted((w, d, h))[1], min(w, d, h)
    reach = max(w, d) / 2
    inside = [min(max(hand[i], top.centre[i] - top.size[i] / 2 + reach), top.centre[i] + top.size[i] / 2 - reach)
              if top.size[i] > 2 * reach else top.centre[i] for i in range(2)]
    surface_z = top.centre[2] + top.size[2] / 2
    return Prop(kind, (_box(f"prop_{kind}", (inside[0], inside[1], surface_z + h / 2), (w, d, h), actor.facing_deg),),
                held_by=actor.name)


def _driver(actors, action: str):
    """Whoever the action names just before 'drives' or 'at the wheel'."""
    for actor in actors:
        name = re.escape(actor.name.split()[0]) if actor.name.split() else re.escape(actor.name)
        if re.search(rf"\b{name}\W+(?:\w+\W+)?(?:drives|is driving|at the wheel|behind the wheel)\b", action, re.I):
            return actor
    return None


def surface_ahead(actor, surface: Prop) -> bool:
    """Is the table or desk in front of the actor, within forearm reach?"""
    top = surface.boxes[0]
    fx, fy = _forward(actor.facing_deg)
    dx, dy = top.centre[0] - actor.location[0], top.centre[1] - actor.location[1]
    ahead = dx * fx + dy * fy
    return 0.2 < ahead < 0.9 and abs(dx * fy - dy * fx) < top.size[0] / 2 + 0.2


def _holder(kind: str, actors, action: str):
    """Whoever's sentence names the prop; else the first person (the subject)."""
    words = PROP_WORDS[kind].split()
    for actor in actors:
        mine = _sentences_of(actor.name, action).lower()
        if any(re.search(rf"\b{w}\b", mine) for w in words):
            return actor
    return actors[0] if actors else None
