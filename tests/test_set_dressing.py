"""Lying people on what they lie on, doors cut into the set's walls, and the body over the joints.
Pure Python: no Blender."""

import math

import pytest

import shared_schema as wire
from blender_addon.core import body
from blender_addon.core.mannequin import JOINTS, LIE_SURFACE, joint_positions, to_world
from blender_addon.core.props import DOOR, door_in_wall, place_props, with_set_changes
from blender_addon.core.sets import Box, cut_opening, open_to_camera, room_walls
from blender_addon.core.staging import stage_beat


def beat(action, characters, entering=(), location="BEDROOM", int_ext=wire.IntExt.INT):
    return wire.Beat(index=0, action=action, characters=list(characters), entering=list(entering),
                     location=location, int_ext=int_ext,
                     shot=wire.ShotSpec(size=wire.ShotSize.MS, angle=wire.CameraAngle.EYE, lens_mm=50))


def dressed(b):
    return place_props(b, stage_beat(b).actors, (0.0, 0.0), exterior=b.int_ext == wire.IntExt.EXT)


def world_joints(actor):
    return {n: to_world(p, actor.location, actor.facing_deg) for n, p in joint_positions(actor.height_m, actor.pose).items()}


def inside(point, box, margin=0.0):
    return all(abs(point[i] - box.centre[i]) <= box.size[i] / 2 + margin for i in range(3))


def test_lies_on_the_bed_lays_the_body_flat_across_the_frame_on_a_bed_at_its_height():
    dressing = dressed(beat("ANNA lies on the bed, staring at the ceiling.", ["ANNA"]))
    anna = dressing.actors[0]
    assert anna.pose == "lie" and anna.facing_deg == 0.0, "across the frame, face to the audience side"
    bed = next(p for p in dressing.props if p.kind == "bed")
    mattress = next(b for b in bed.boxes if b.name == "prop_bed")
    assert mattress.centre[2] + mattress.size[2] / 2 == pytest.approx(LIE_SURFACE)
    j = world_joints(anna)
    spine = ("neck", "r_hip", "l_hip", "r_knee", "l_knee", "r_ankle", "l_ankle", "r_shoulder", "l_shoulder")
    assert all(LIE_SURFACE < j[n][2] < LIE_SURFACE + 0.2 for n in spine), "the body rests on the bed top"
    assert abs(j["neck"][2] - j["r_hip"][2]) < 0.05 and abs(j["neck"][0] - j["r_hip"][0]) > 0.4, "horizontal"
    assert abs(j["neck"][1] - j["r_ankle"][1]) < 0.15, "laid along X: across a camera on the audience side"
    for n in spine:
        assert abs(j[n][0] - mattress.centre[0]) < mattress.size[0] / 2 and abs(j[n][1] - mattress.centre[1]) < mattress.size[1] / 2
    assert j["nose"][2] > j["neck"][2] + 0.1 and j["nose"][1] < j["neck"][1], "face up, turned to the audience"
    # OpenPose-valid: all 18 keypoints present and distinct.
    assert len({tuple(round(c, 3) for c in j[n]) for n in JOINTS}) == len(JOINTS)


def test_a_sofa_a_floor_and_a_collapse():
    sofa = dressed(beat("BEN lies on the couch.", ["BEN"], location="LIVING ROOM"))
    assert sofa.actors[0].pose == "lie" and "sofa" in [p.kind for p in sofa.props]
    for action, place in (("BEN collapses.", wire.IntExt.INT), ("BEN lies on the floor.", wire.IntExt.INT),
                          ("BEN lies in the sand, eyes closed.", wire.IntExt.EXT)):
        floor = dressed(beat(action, ["BEN"], location="BEACH", int_ext=place))
        ben = floor.actors[0]
        assert ben.pose == "lie_floor" and not [p for p in floor.props if p.kind in ("bed", "sofa")]
        assert max(world_joints(ben)[n][2] for n in ("neck", "r_hip", "r_ankle")) < 0.2


def test_asleep_in_a_chair_sits_on_the_chair():
    """how-to-be-a-bad-screenwriter: 'PROTAGONIST sleeps on a chair' was laid on a bed."""
    dressing = dressed(beat("PROTAGONIST (20s) sleeps on a chair in a white room, no windows, just doors.",
                            ["PROTAGONIST"], location="WHITE ROOM"))
    assert dressing.actors[0].pose == "sit" and [p.kind for p in dressing.props] == ["chair", "door"]


def test_someone_lying_beside_someone_standing_does_not_lie_through_them():
    dressing = dressed(beat("ANNA sleeps. BEN watches her.", ["BEN", "ANNA"]))
    anna = next(a for a in dressing.actors if a.name == "ANNA")
    ben = next(a for a in dressing.actors if a.name == "BEN")
    assert anna.pose == "lie" and ben.pose != "lie"
    bed = next(p for p in dressing.props if p.kind == "bed")
    assert not any(inside((ben.location[0], ben.location[1], 0.3), b, margin=0.2) for b in bed.boxes)


def test_cut_opening_leaves_a_doorway_and_keeps_the_rest_of_the_wall():
    wall = Box("wall_right", (6.0, 0.0, 1.5), (0.2, 7.0, 3.0))
    pieces = cut_opening(wall, 1.0, 1.0, 2.1)
    volume = sum(math.prod(p.size) for p in pieces)
    assert volume == pytest.approx(math.prod(wall.size) - 1.0 * 2.1 * 0.2)
    assert not any(inside((6.0, 1.0, 1.0), p) for p in pieces), "the doorway is open"
    assert any(inside((6.0, 2.0, 1.0), p) for p in pieces) and any(inside((6.0, 1.0, 2.5), p) for p in pieces)
    # Near a corner the opening moves in so both sides of the frame stand.
    assert all(p.size[1] > 0.1 for p in cut_opening(wall, 3.45, 1.0, 2.1))


def test_the_door_bursts_open_in_the_wall_nearest_who_comes_in_and_a_camera_sees_past_it():
    dressing = dressed(beat("The door bursts open. JUNE comes in from the rain.", ["TOMAS", "JUNE"], entering=["JUNE"],
                            location="FERRY CABIN"))
    june = next(a for a in dressing.actors if a.name == "JUNE")
    door = next(p for p in dressing.props if p.kind == "door")
    assert door.replaces == "wall_right"
    slab = next(b for b in door.boxes if b.name == "prop_door")
    pieces = list(door.replaced_by)
    assert slab.centre[0] < 6.0 - 0.1 - 0.3, "swung open into the room"
    assert slab.size[2] == pytest.approx(DOOR[1]) and slab.centre[2] == pytest.approx(DOOR[1] / 2)
    # The camera side stays open: behind this wall, a camera sees its pieces block (and the
    # blocking takes them out, as it does the wall); in front, none blocks.
    assert len(open_to_camera(pieces, (8.0, 0.0, 1.5), [(0.0, 0.0, 1.0)])) < len(pieces)
    assert len(open_to_camera(pieces, (1.0, -6.0, 1.5), [(0.0, 0.0, 1.0), june.location])) == len(pieces)
    # June stands just inside the doorway, facing into the room, towards Tomas.
    over = pieces[-1]
    assert abs(june.location[1] - over.centre[1]) < 0.05 and 5.0 < june.location[0] < 5.9
    tomas = next(a for a in dressing.actors if a.name == "TOMAS")
    fx, fy = math.sin(math.radians(june.facing_deg)), -math.cos(math.radians(june.facing_deg))
    assert fx * (tomas.location[0] - june.location[0]) + fy * (tomas.location[1] - june.location[1]) > 0
    # The door is cut into the set before the camera opens it: the wall's pieces replace it.
    cut = with_set_changes(room_walls(), dressing.props)
    assert "wall_right" not in [b.name for b in cut] and set(pieces) <= set(cut)
    assert door.info((0.0, 0.0))["max"][2] == pytest.approx(DOOR[1]), "the door's bounds are the slab's"


def test_at_the_door_with_nobody_coming_in_is_a_closed_door_in_the_back_wall_behind_them():
    dressing = dressed(beat("BEN waits at the door.", ["BEN"], location="KITCHEN"))
    door = next(p for p in dressing.props if p.kind == "door")
    slab = next(b for b in door.boxes if b.name == "prop_door")
    assert door.replaces == "wall_back" and slab.size[0] == pytest.approx(DOOR[0]), "closed, in the wall"
    assert abs(slab.centre[0] - dressing.actors[0].location[0]) < 0.01


def test_outside_a_door_still_frames_whoever_bursts_in():
    dressing = dressed(beat("JUNE bursts in.", ["JUNE"], entering=["JUNE"], location="PIER", int_ext=wire.IntExt.EXT))
    assert [p.replaces for p in dressing.props if p.kind == "door"] == [""]


@pytest.mark.parametrize("pose", ["stand", "lie", "sit_at_table", "run"])
def test_the_body_follows_the_joints_and_stays_light(pose):
    h = 1.75
    j = joint_positions(h, pose)
    parts = body.body_parts(j, h) + [body.visor(j, h)]
    assert body.triangle_count(parts) < 1500, "the depth rasterizer's cost grows with triangles"
    verts = [v for p in parts for v in p.verts]
    for joint in ("neck", "r_elbow", "l_knee", "r_ankle", "pelvis"):  # every joint is inside the body
        assert min(math.dist(v, j[joint]) for v in verts) < 0.07 * h
    assert min(v[2] for v in verts) > -0.01 * h


def test_the_torso_has_shoulders_a_waist_and_a_chest_and_the_head_a_face_side():
    h = 1.75
    j = joint_positions(h, "stand")
    torso = body.torso(j, h)

    def width_at(z):
        ring = [v for v in torso.verts if abs(v[2] - z * h) < 1e-6]
        return max(v[0] for v in ring) - min(v[0] for v in ring), min(v[1] for v in ring)

    shoulders, _ = width_at(0.80)
    waist, waist_front = width_at(0.615)
    hips, _ = width_at(0.505)
    _, chest_front = width_at(0.685)
    assert shoulders > 1.3 * waist and hips > 1.1 * waist and chest_front < waist_front - 0.01
    head = body.head(j, h)
    front = min(v[1] for v in head.verts)
    back = max(v[1] for v in head.verts)
    centre = body.head_frame(j, h)[0]
    assert (centre[1] - front) > (back - centre[1]) + 0.04, "the nose stands out in front"
