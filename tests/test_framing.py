"""Camera placement from film grammar, checked by projecting body points through the camera."""

import math

import pytest

import shared_schema as wire
from blender_addon.core.framing import Subject, frame_shot
from blender_addon.core.mannequin import CHIN_FRACTION, WAIST_FRACTION
from blender_addon.core.projection import PinholeCamera

W, H = 1920, 1080


def _camera(placement, aspect=W / H):
    return PinholeCamera(placement.location, placement.rotation, placement.focal_length_mm,
                         placement.sensor_width_mm, placement.sensor_width_mm / aspect, W, round(W / aspect),
                         "HORIZONTAL")


def _frame(size, lens, subjects, angle=wire.CameraAngle.EYE):
    spec = wire.ShotSpec(size=wire.ShotSize(size), angle=angle, lens_mm=lens)
    placement = frame_shot(spec, subjects, aspect=W / H)
    return placement, _camera(placement)


ALICE = Subject((2.0, 1.0, 0.0), 30.0, 1.70)


@pytest.mark.parametrize("lens", [50, 85, 100])
def test_close_up_frames_head_and_shoulders(lens):
    _, cam = _frame("CU", lens, [ALICE])
    x, y = ALICE.location[:2]
    _, head_top, _ = cam.project((x, y, ALICE.height))
    _, chin, _ = cam.project((x, y, CHIN_FRACTION * ALICE.height))
    _, shoulders, _ = cam.project((x, y, 0.82 * ALICE.height))
    assert 0 <= head_top <= 0.15 * H, "head top within the top 15% of the frame"
    assert chin <= 0.60 * H, "chin above the lower 40%"
    assert shoulders < H, "shoulders in frame"
    _, waist, _ = cam.project((x, y, WAIST_FRACTION * ALICE.height))
    assert waist > H, "a CU does not show the waist"


def test_medium_shot_cuts_just_below_the_hips():
    _, cam = _frame("MS", 50, [ALICE])
    x, y = ALICE.location[:2]
    # The hip joints sit just above the bottom edge (the audit wants them in an MS), knees well below.
    _, hips, _ = cam.project((x, y, 0.52 * ALICE.height))
    assert 0.85 * H < hips < H
    _, knees, _ = cam.project((x, y, 0.285 * ALICE.height))
    assert knees > H


def test_wide_shot_shows_the_whole_body_with_headroom():
    _, cam = _frame("WS", 24, [ALICE])
    x, y = ALICE.location[:2]
    _, feet, _ = cam.project((x, y, 0.0))
    _, head, _ = cam.project((x, y, ALICE.height))
    assert feet < H and head > 0.03 * H
    assert (feet - head) > 0.6 * H, "the figure fills most of the frame height"


def test_a_single_is_not_shot_through_another_actor():
    # Bob stands exactly where the default three-quarter view (25 degrees off the eyeline) looks from.
    view = math.radians(30 + 25)
    bob = Subject((2.0 + 1.3 * math.sin(view), 1.0 - 1.3 * math.cos(view), 0.0), 210.0, 1.8)
    placement, cam = _frame("MCU", 65, [ALICE, bob])
    ax, ay = ALICE.location[:2]
    cx, cy = placement.location[:2]
    length = math.hypot(cx - ax, cy - ay)
    dx, dy = (cx - ax) / length, (cy - ay) / length
    along = (bob.location[0] - ax) * dx + (bob.location[1] - ay) * dy
    across = abs((bob.location[0] - ax) * dy - (bob.location[1] - ay) * dx)
    assert along < 0 or along > length or across > 0.4


def test_two_shot_holds_both_actors():
    bob = Subject((3.4, 1.0, 0.0), -90.0, 1.85)
    alice = Subject((2.0, 1.0, 0.0), 90.0, 1.65)
    _, cam = _frame("TWO_SHOT", 40, [alice, bob])
    for s in (alice, bob):
        x, y, d = cam.project((s.location[0], s.location[1], 0.9 * s.height))
        assert d > 0 and 0 < x < W and 0 < y < H


@pytest.mark.parametrize("angle, sign", [(wire.CameraAngle.HIGH, -1), (wire.CameraAngle.LOW, 1)])
def test_high_and_low_angles_tilt_the_camera(angle, sign):
    placement, _ = _frame("MS", 50, [ALICE], angle=angle)
    assert sign * placement.pitch_deg > 10


def test_dutch_angle_rolls_the_camera():
    placement, _ = _frame("MS", 50, [ALICE], angle=wire.CameraAngle.DUTCH)
    assert placement.roll_deg == pytest.approx(15.0)


@pytest.mark.parametrize("facing", [90.0, -90.0, 150.0])
def test_lead_room_puts_space_in_front_of_the_eyes(facing):
    subject = Subject((0.0, 0.0, 0.0), facing, 1.7)
    _, cam = _frame("MCU", 65, [subject])
    head = (0.0, 0.0, 0.93 * 1.7)
    fx, fy = math.sin(math.radians(facing)), -math.cos(math.radians(facing))
    gaze = (fx * 0.5, fy * 0.5, 0.93 * 1.7)  # half a metre along their eyeline
    head_x, gaze_x = cam.project(head)[0], cam.project(gaze)[0]
    if gaze_x > head_x:
        assert head_x < 0.42 * W, "looking screen right: sits left of centre"
    else:
        assert head_x > 0.58 * W, "looking screen left: sits right of centre"


def test_singles_keep_to_the_audience_side_of_the_line():
    # Two actors on the X axis facing each other; every single stays on the -Y side.
    alice = Subject((-0.65, 0.0, 0.0), 90.0, 1.65)
    bob = Subject((0.65, 0.0, 0.0), -90.0, 1.85)
    for subjects in ([alice, bob], [bob, alice]):
        for size in ("MS", "MCU", "CU"):
            spec = wire.ShotSpec(size=wire.ShotSize(size), lens_mm=65)
            placement = frame_shot(spec, subjects, aspect=W / H, audience=(0.0, -1.0))
            assert placement.location[1] < 0, (size, placement.location)


def test_point_of_view_looks_from_the_viewers_eyes_at_the_other_face():
    viewer = Subject((0.0, 0.0, 0.0), 90.0, 1.8)
    seen = Subject((2.0, 0.5, 0.0), -90.0, 1.6)
    placement, cam = _frame("POV", 35, [viewer, seen])
    assert placement.location[2] == pytest.approx(0.935 * 1.8)
    assert math.dist(placement.location[:2], viewer.location[:2]) < 0.2
    x, y, d = cam.project((2.0, 0.5, 0.935 * 1.6))
    assert abs(x - W / 2) < 2 and abs(y - H / 2) < 2 and d > 1.5


def test_over_the_shoulder_keeps_the_near_shoulder_in_frame_and_the_far_face_clear():
    far = Subject((0.0, 0.0, 0.0), 0.0, 1.7)   # faces -Y, towards the near actor
    near = Subject((0.0, -1.4, 0.0), 180.0, 1.8)
    placement, cam = _frame("OTS_LEFT", 50, [far, near])
    face = cam.project((0.0, 0.0, 0.93 * 1.7))
    shoulder = cam.project((0.0, -1.4, 0.82 * 1.8))
    assert 0 < face[0] < W and 0 < face[1] < H, "the far face is in frame"
    assert shoulder[2] < face[2], "the near actor is between camera and face"
    assert -0.2 * W < shoulder[0] < 1.2 * W and shoulder[1] < 1.3 * H, "the near shoulder edges into frame"
    assert abs(shoulder[0] - face[0]) > 0.15 * W, "the shoulder does not cover the face"


def test_insert_frames_the_hands():
    placement, cam = _frame("INSERT", 100, [ALICE])
    x, y = ALICE.location[:2]
    _, hands, _ = cam.project((x, y, 0.5 * ALICE.height))
    _, head, _ = cam.project((x, y, 0.93 * ALICE.height))
    assert 0 < hands < H and head < 0


@pytest.mark.parametrize("size, lens", [("WS", 24), ("MS", 50), ("CU", 85)])
def test_someone_lying_on_a_bed_is_framed_from_above_its_top_with_face_and_feet_clear(size, lens):
    from blender_addon.core.mannequin import joint_positions, to_world
    from blender_addon.core.props import _lying_place
    from blender_addon.core.sets import _segment_hits_box

    actor = wire.ActorPlacement(name="ANNA", location=(1.0, 0.5, 0.0), facing_deg=0.0, pose="lie", height_m=1.7)
    bed = [b for b in _lying_place(actor, "bed").boxes if b.name == "prop_bed"][0]
    top = bed.centre[2] + bed.size[2] / 2
    joints = {n: to_world(p, actor.location, 0.0) for n, p in joint_positions(1.7, "lie").items()}
    placement, cam = _frame(size, lens, [Subject(actor.location, 0.0, 1.7, joints["head_top"][2] - 1.7, "lie")])
    assert placement.location[2] > top + 0.5 and placement.pitch_deg < -5, "above the bed, looking down"
    shown = ["nose", "r_eye"] + (["r_ankle", "l_ankle", "r_toe"] if size == "WS" else ["pelvis"] if size == "MS" else [])
    for name in shown:
        u, v, d = cam.project(joints[name])
        assert d > 0 and 0 <= u <= W and 0 <= v <= H, f"{name} is out of a {size} of someone lying down"
        assert not _segment_hits_box(placement.location, joints[name], bed, margin=0.0), f"the bed hides the {name}"


def test_a_note_reframes_the_stored_subject_not_the_first_mannequin():
    from blender_addon.core.framing import subject_first, subject_for

    rigs = {"ANNA": subject_for((0.0, 0.0, 0.0), 0.0, 1.7), "BEN": subject_for((2.5, 1.0, 0.0), 0.0, 1.8, "lie")}
    assert subject_first(rigs, ["BEN", "ANNA"])[0].location == (2.5, 1.0, 0.0)
    assert subject_first(rigs, ["", "", "BEN"])[0].lying == "lie", "falls back to whom blocking would pick"
    assert subject_first(rigs, ["NOBODY"])[0] is rigs["ANNA"]
    placement, cam = _frame("CU", 85, subject_first(rigs, ["BEN"]))
    u, v, d = cam.project((2.5, 1.0, 0.7))  # Ben's face, lying on the bed
    assert d > 0 and 0 <= u <= W and 0 <= v <= H
