"""A simple set from the location: floor, walls or street blocks, and a prop or two.

Returned as boxes (name, centre, size) so depth reads as a place. Pure Python.
"""

from __future__ import annotations

from dataclasses import dataclass

from .wire import wire

Vec = tuple[float, float, float]


@dataclass(frozen=True)
class Box:
    name: str
    centre: Vec
    size: Vec


_PROPS = {
    "CAFE": [("table", (1.6, 1.2, 0.37), (0.8, 0.8, 0.74)), ("counter", (-2.8, 2.2, 0.55), (3.0, 0.7, 1.1))],
    "DINER": [("counter", (-2.8, 2.2, 0.55), (3.0, 0.7, 1.1))],
    "BAR": [("bar", (-2.5, 2.0, 0.55), (4.0, 0.7, 1.1))],
    "OFFICE": [("desk", (1.8, 1.4, 0.37), (1.6, 0.8, 0.74)), ("cabinet", (-3.5, 2.5, 0.9), (1.0, 0.5, 1.8))],
    "KITCHEN": [("counter", (0.0, 2.3, 0.45), (4.0, 0.7, 0.9))],
    "BEDROOM": [("bed", (2.2, 1.6, 0.3), (1.6, 2.0, 0.6))],
    "CAR": [("car", (0.0, 3.0, 0.75), (1.9, 4.4, 1.5))],
    "LIGHTHOUSE": [("tower", (-4.0, 6.0, 6.0), (3.0, 3.0, 12.0))],
    "BEACH": [("rock", (-3.0, 5.0, 0.6), (2.0, 1.5, 1.2))],
}


WALL_HEIGHT = 3.0
WALL_THICKNESS = 0.2


def room_walls(origin: tuple[float, float] = (0.0, 0.0)) -> list[Box]:
    """An interior's three walls; the fourth side (-Y, the audience's) stays open."""
    ox, oy = origin
    h, t = WALL_HEIGHT, WALL_THICKNESS
    return [Box("wall_back", (ox, oy + 3.5, h / 2), (12.0, t, h)),
            Box("wall_left", (ox - 6.0, oy, h / 2), (t, 7.0, h)),
            Box("wall_right", (ox + 6.0, oy, h / 2), (t, 7.0, h))]


def along_axis(wall: Box) -> int:
    """The horizontal axis a wall runs along (0: X, 1: Y)."""
    return 0 if wall.size[0] >= wall.size[1] else 1


def cut_opening(wall: Box, centre: float, width: float, height: float) -> list[Box]:
    """The wall with a doorway cut through it: the pieces either side and the one above.

    ``centre`` is the opening's middle along the wall (a coordinate on the wall's axis),
    kept far enough inside the wall's ends for both side pieces to stand."""
    axis = along_axis(wall)
    lo = wall.centre[axis] - wall.size[axis] / 2
    hi = wall.centre[axis] + wall.size[axis] / 2
    centre = min(max(centre, lo + width / 2 + 0.2), hi - width / 2 - 0.2)
    bottom = wall.centre[2] - wall.size[2] / 2
    top = wall.centre[2] + wall.size[2] / 2
    pieces = []
    for name, a, b in ((f"{wall.name}_by_door_a", lo, centre - width / 2), (f"{wall.name}_by_door_b", centre + width / 2, hi)):
        middle = list(wall.centre)
        middle[axis] = (a + b) / 2
        size = list(wall.size)
        size[axis] = b - a
        pieces.append(Box(name, tuple(middle), tuple(size)))
    over = list(wall.centre)
    over[axis], over[2] = centre, (bottom + height + top) / 2
    size = list(wall.size)
    size[axis], size[2] = width, top - bottom - height
    pieces.append(Box(f"{wall.name}_over_door", tuple(over), tuple(size)))
    return pieces


def nearest_wall(walls: list[Box], point: tuple[float, float]) -> Box:
    """The wall whose face is nearest ``point`` (x, y)."""
    def distance(wall: Box) -> float:
        across = 1 - along_axis(wall)
        return abs(point[across] - wall.centre[across])
    return min(walls, key=distance)


def build_set(beat: "wire.Beat", origin: tuple[float, float] = (0.0, 0.0)) -> list[Box]:
    ox, oy = origin
    exterior = beat.int_ext in (wire.IntExt.EXT,)
    boxes = [Box("floor", (ox, oy, -0.05), (40.0, 40.0, 0.1))]
    if exterior:
        for i, x in enumerate((-9.0, -3.0, 4.0, 10.0)):
            height = 6.0 + 3.0 * (i % 2)
            boxes.append(Box(f"block_{i}", (ox + x, oy + 14.0, height / 2), (5.0, 4.0, height)))
    else:
        boxes += room_walls(origin)
    location = beat.location.upper()
    for keyword, props in _PROPS.items():
        if keyword in location:
            for name, (x, y, z), size in props:
                boxes.append(Box(name, (ox + x, oy + y, z), size))
    return boxes


def seats_for(actors: list["wire.ActorPlacement"]) -> list[Box]:
    """A stool under everyone who sits, so the pose reads in depth instead of floating."""
    from .mannequin import joint_positions, to_world

    seats = []
    for actor in actors:
        if actor.pose != "sit":
            continue
        pelvis = to_world(joint_positions(actor.height_m, "sit")["pelvis"], actor.location, actor.facing_deg)
        top = pelvis[2] - 0.05 * actor.height_m
        seats.append(Box(f"seat {actor.name}", (pelvis[0], pelvis[1], top / 2), (0.45, 0.45, top)))
    return seats


BLOCKING_PARTS = ("wall", "block")  # set pieces that may stand between a camera and the actors


def _segment_hits_box(a: Vec, b: Vec, box: Box, margin: float = 0.05) -> bool:
    """Does the segment a->b pass through the box (slab test)?"""
    t0, t1 = 0.0, 1.0
    for axis in range(3):
        lo = box.centre[axis] - box.size[axis] / 2 - margin
        hi = box.centre[axis] + box.size[axis] / 2 + margin
        d = b[axis] - a[axis]
        if abs(d) < 1e-12:
            if not lo <= a[axis] <= hi:
                return False
            continue
        u, v = (lo - a[axis]) / d, (hi - a[axis]) / d
        t0, t1 = max(t0, min(u, v)), min(t1, max(u, v))
        if t0 > t1:
            return False
    return True


def open_to_camera(boxes: list[Box], camera: Vec, targets: list[Vec]) -> list[Box]:
    """The set with every wall that would stand between ``camera`` and any of ``targets``
    (points on the actors) taken out: each shot has its own stage, so the camera's side
    of the room is simply left open, as on a sound stage."""
    return [box for box in boxes
            if not box.name.startswith(BLOCKING_PARTS) or not any(_segment_hits_box(camera, t, box) for t in targets)]
