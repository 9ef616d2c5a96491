"""Blocking decisions without Blender: who is staged, in what colour, with which props, from where."""

import math

import pytest

import shared_schema as wire
from blender_addon.core.colour import DISTINCT_DELTA_E, delta_e
from blender_addon.core.coverage import choose_setup, differs, setup_of
from blender_addon.core.framing import Subject, frame_shot
from blender_addon.core.mannequin import EYE_FRACTION, joint_positions, to_world
from blender_addon.core.props import place_props
from blender_addon.core.sets import Box, open_to_camera
from blender_addon.core.staging import AUDIENCE_SIDE, board_colours, stage_beat


def beat(action, characters, entering=(), size="MS", lens=50, angle="EYE", location="FERRY CABIN"):
    return wire.Beat(index=0, action=action, characters=list(characters), entering=list(entering),
                     location=location, int_ext=wire.IntExt.INT,
                     shot=wire.ShotSpec(size=wire.ShotSize(size), angle=wire.CameraAngle(angle), lens_mm=lens))


def subjects(staging):
    return [Subject(a.location, a.facing_deg, a.height_m, joint_positions(a.height_m, a.pose)["head_top"][2]
                    - a.height_m) for a in staging.actors]


def test_voices_and_devices_are_not_staged():
    staging = stage_beat(beat("Ben answers the phone.", ["BEN", "VOICE", "MESSAGE MACHINE"]))
    assert [a.name for a in staging.actors] == ["BEN"] and staging.subject == "BEN"


def test_people_who_share_a_shot_get_clearly_different_colours():
    beats = [beat("", ["A", "B"]), beat("", ["A", "C", "D"]), beat("", ["B", "C", "E"])]
    colours = board_colours(beats)
    for b in beats:
        for i, x in enumerate(b.characters):
            for y in b.characters[i + 1:]:
                assert delta_e(colours[x], colours[y]) > DISTINCT_DELTA_E


def test_sits_at_a_table_seats_the_actor_on_a_chair_at_the_table():
    b = beat("TOMAS counts coins at a fold-down table.", ["TOMAS"])
    dressing = place_props(b, stage_beat(b).actors, (0.0, 0.0))
    tomas = dressing.actors[0]
    assert tomas.pose == "sit_at_table"
    kinds = {p.kind: p for p in dressing.props}
    assert {"table", "chair"} <= set(kinds)
    joints = joint_positions(tomas.height_m, tomas.pose)
    pelvis = to_world(joints["pelvis"], tomas.location, tomas.facing_deg)
    seat = kinds["chair"].info((0, 0))
    assert seat["min"][0] <= pelvis[0] <= seat["max"][0] and abs(seat["max"][2] - 0.5 - pelvis[2]) < 0.15
    table = kinds["table"].info((0, 0))
    wrist = to_world(joints["r_wrist"], tomas.location, tomas.facing_deg)
    assert abs(table["max"][2] - wrist[2]) < 0.08, "forearms on the table top"
    assert all(table["min"][i] <= wrist[i] <= table["max"][i] for i in range(2)), "hands over the table"


def test_holds_a_flashlight_puts_it_in_the_hand_and_burst_in_opens_a_door():
    b = beat("The cabin door bursts open. JUNE enters, flashlight raised.", ["TOMAS", "JUNE"], entering=["JUNE"])
    dressing = place_props(b, stage_beat(b).actors, (0.0, 0.0))
    june = next(a for a in dressing.actors if a.name == "JUNE")
    torch = next(p for p in dressing.props if p.kind == "flashlight")
    hand = to_world(joint_positions(june.height_m, june.pose)["r_hand"], june.location, june.facing_deg)
    box = torch.boxes[0]
    assert torch.held_by == "JUNE" and math.dist(box.centre, hand) < 0.2
    door = next(p for p in dressing.props if p.kind == "door")
    assert door.replaces == "wall_right", "the door is in the wall nearest June (she stands at the right)"
    slab = next(b for b in door.boxes if b.name == "prop_door")
    assert slab.size[0] > slab.size[1], "burst open: the slab stands out from the wall into the room"


def test_notes_slammed_on_the_table_lie_on_it_under_her_hand():
    # The example's "Mara slams a fistful of crumpled notes on the table": the notes were held out
    # at arm's length in a punch, and read as a plank.
    b = beat("Mara slams a fistful of crumpled notes on the table. Tomas sits at the table.", ["TOMAS", "MARA"],
             size="TWO_SHOT")
    dressing = place_props(b, stage_beat(b).actors, (0.0, 0.0))
    mara = next(a for a in dressing.actors if a.name == "MARA")
    assert mara.pose == "put_down"
    notes = next(p for p in dressing.props if p.kind == "book").boxes[0]
    table = next(p for p in dressing.props if p.kind == "table").boxes[0]
    table_top = table.centre[2] + table.size[2] / 2
    assert abs(notes.centre[2] - notes.size[2] / 2 - table_top) < 0.01, "on the table top"
    assert notes.size[2] < 0.05, "lying flat"
    assert all(abs(notes.centre[i] - table.centre[i]) <= table.size[i] / 2 for i in range(2)), "not off the edge"
    hand = to_world(joint_positions(mara.height_m, mara.pose)["r_hand"], mara.location, mara.facing_deg)
    assert abs(hand[2] - table_top) < 0.2, "her hand comes down to the table"
    assert math.dist(hand[:2], notes.centre[:2]) < 0.45, "the notes are where her hand came down"


def test_only_what_is_put_down_on_a_surface_leaves_the_hand():
    from blender_addon.core.mannequin import pose_for_action

    assert pose_for_action("She sets the cup down on the desk.") == "put_down"
    assert pose_for_action("Chucks the remote onto the coffee table.") == "put_down"
    assert pose_for_action("He slams the door.") == "punch"
    assert pose_for_action("June puts on her coat.") == "stand"
    b = beat("Mara holds the notes by the table.", ["MARA"])
    dressing = place_props(b, stage_beat(b).actors, (0.0, 0.0))
    mara = dressing.actors[0]
    notes = next(p for p in dressing.props if p.kind == "book").boxes[0]
    hand = to_world(joint_positions(mara.height_m, mara.pose)["r_hand"], mara.location, mara.facing_deg)
    assert math.dist(notes.centre, hand) < 0.2, "held, in the hand"


def test_a_car_scene_puts_its_people_in_seats():
    b = beat("They drive in silence.", ["ANNA", "BEN"], location="CAR")
    dressing = place_props(b, stage_beat(b).actors, (0.0, 0.0))
    assert sorted(a.pose for a in dressing.actors) == ["sit", "sit_at_table"]
    assert "car" in [p.kind for p in dressing.props]


def test_walls_between_the_camera_and_the_actors_are_left_out():
    back = Box("wall_back", (0.0, 3.5, 1.5), (12.0, 0.2, 3.0))
    side = Box("wall_left", (-6.0, 0.0, 1.5), (0.2, 7.0, 3.0))
    kept = open_to_camera([back, side], (0.0, 6.0, 1.5), [(0.0, 0.0, 1.0)])
    assert kept == [side], "a camera behind the back wall sees through where it stood"


def test_two_shot_camera_stays_on_the_audience_side():
    """Regression: the example's N=200 two-shots stood behind the back wall, facing it."""
    b = beat("June lowers the flashlight.", ["TOMAS", "MARA", "JUNE"], size="TWO_SHOT", lens=40)
    staging = stage_beat(b)
    placement = frame_shot(b.shot, subjects(staging), aspect=16 / 9, audience=AUDIENCE_SIDE)
    assert placement.location[1] < 0.0


def test_low_angle_close_up_keeps_the_face():
    """Regression: the example's CU 85 mm of Tomas came from 0.6 m, 30 degrees below his eyes."""
    b = beat("Tomas laughs.", ["TOMAS", "MARA", "JUNE"], size="CU", lens=85, angle="LOW")
    staging = stage_beat(b)
    main = subjects(staging)[0]
    placement = frame_shot(b.shot, subjects(staging), aspect=16 / 9, audience=AUDIENCE_SIDE)
    eyes = EYE_FRACTION * main.height
    below = math.degrees(math.atan2(eyes - placement.location[2],
                                    math.dist(placement.location[:2], main.location[:2])))
    assert 0 < below < 25, "still a low angle, but the face reads"


def test_the_next_beat_of_a_scene_gets_a_new_setup():
    """Regression: the example's shots 3 and 4, the same MLS camera twice."""
    b = beat("Tomas looks up.", ["TOMAS", "MARA"], size="MLS", lens=35)
    staging = stage_beat(b)
    people = {a.name: a.location[:2] for a in staging.actors}

    def frame(side, turn):
        return frame_shot(b.shot, subjects(staging), aspect=16 / 9, audience=AUDIENCE_SIDE, side=side, turn_deg=turn)

    first, _ = choose_setup(frame, (0, 0), None, {}, people, exterior=False)
    second, variation = choose_setup(frame, (0, 0), setup_of(first, (0, 0)), {}, people, exterior=False)
    assert variation > 0 and differs(setup_of(first, (0, 0)), setup_of(second, (0, 0)))
    assert second.location[1] < 0.0


@pytest.mark.parametrize("name", ["A DEEP VOICE", "BOB (V.O.)", "THE DOOR", "MESSAGE MACHINE"])
def test_not_people(name):
    from blender_addon.core.people import not_a_person

    assert not_a_person(name)


def test_a_guarding_arm_before_the_face_sends_the_close_up_round_the_other_side():
    """Big Fish shot 2: a CU of Edward in a punch pose, his guard across his eyes."""
    from blender_addon.core.coverage import face_hidden

    guard = joint_positions(1.75, "punch")
    assert face_hidden((0.9, -2.0, 1.14), guard, 1.75)
    assert not face_hidden((-0.9, -2.0, 1.5), guard, 1.75)
    assert not face_hidden((0.9, -2.0, 1.14), joint_positions(1.75, "stand"), 1.75)


def test_over_the_shoulder_has_the_foreground_shoulder_and_the_subjects_face():
    from blender_addon.core.projection import PinholeCamera

    main, near = Subject((-0.65, 0.16, 0.0), 65.0, 1.7), Subject((0.65, 0.16, 0.0), -65.0, 1.75)
    spec = wire.ShotSpec(size=wire.ShotSize.OTS_LEFT, lens_mm=50)
    p = frame_shot(spec, [main, near], aspect=16 / 9, audience=AUDIENCE_SIDE)
    cam = PinholeCamera(p.location, p.rotation, p.focal_length_mm, 36.0, 20.25, 768, 432, "HORIZONTAL")
    near_joints = joint_positions(near.height, "stand")
    shoulders = [cam.project(to_world(near_joints[j], near.location, near.facing_deg)) for j in ("r_shoulder", "l_shoulder")]
    assert any(0 <= x < 768 and 0 <= y < 432 and d > 0.3 for x, y, d in shoulders), "a foreground shoulder in frame"
    nose = cam.project(to_world(joint_positions(main.height, "stand")["nose"], main.location, main.facing_deg))
    neck = cam.project(to_world(near_joints["neck"], near.location, near.facing_deg))
    assert 0 <= nose[0] < 768 and 0 <= nose[1] < 432
    assert abs(nose[0] - neck[0]) > 150, "the subject's face is clear of the foreground head"
    assert p.location[1] < near.location[1], "on the audience side"


def test_entering_is_read_from_the_sentence_that_names_them():
    from blender_addon.core.people import enters, named_in

    action = "The cabin door bursts open. JUNE (20s) enters, breathless. Tomas looks up."
    assert named_in(action, ["TOMAS", "MARA", "JUNE"]) == ["TOMAS", "JUNE"]
    assert enters("JUNE", action) and not enters("TOMAS", action)


# --- Contact, two-shots, groups, subjects, dialogue coverage ---------------------------------

def _facts(staging, size="MS", action=""):
    """The staged actors as the audit sees them (everyone fully in frame)."""
    from blender_addon.core.audit import ActorFacts, ShotFacts

    actors = [ActorFacts(a.name, a.color, a.height_m, a.location, a.facing_deg, a.pose, silhouette_px=1000,
                         in_frame_px=1000, visible_px=1000) for a in staging.actors]
    return ShotFacts("1", size=size, characters=[a.name for a in staging.actors], action=action,
                     subject=staging.subject, actors=actors, camera_forward=(0.0, 1.0, 0.0))


@pytest.mark.parametrize("action, pose", [("Mike starts hitting him hard, furious.", "punch"),
                                          ("MIKE grabs Joe by the collar.", "punch"),
                                          ("Mike hugs Joe.", "hug"),
                                          ("Mike and Joe embrace.", "hug")])
def test_a_contact_beat_stages_the_two_within_reach_facing_each_other(action, pose):
    """heads-or-tails: 'Mike starts hitting him hard' was four mannequins in a row, 1.3 m apart."""
    from blender_addon.core.audit import rules

    b = beat(action, ["MIKE", "JOE", "DAD", "REFEREE"], size="MLS", lens=35)
    staging = stage_beat(b)
    mike, joe = (next(a for a in staging.actors if a.name == n) for n in ("MIKE", "JOE"))
    assert 0.3 < math.dist(mike.location[:2], joe.location[:2]) <= 0.9
    assert mike.pose == pose and staging.subject == "MIKE"
    assert rules.contact_in_reach(_facts(staging, "MLS", action)) == []
    assert rules.group_in_depth(_facts(staging, "MLS", action)) == []


def test_a_contact_single_becomes_a_two_shot_with_the_others_well_aside():
    b = beat("Steel SMACKS him.", ["COGNITO", "BRICK", "STEEL"], size="CU", lens=85)
    staging = stage_beat(b)
    assert staging.shot_size == "TWO_SHOT" and staging.contact.says == "STEEL smacks COGNITO"
    assert [a.name for a in staging.actors[:2]] == ["STEEL", "COGNITO"]
    brick = next(a for a in staging.actors if a.name == "BRICK")
    assert abs(brick.location[0]) > 3.0, "out of the two-shot"


def test_a_two_shot_of_three_without_a_pair_becomes_a_group_shot():
    assert stage_beat(beat("They wait.", ["A", "B", "C"], size="TWO_SHOT", lens=40)).shot_size == "MLS"
    assert stage_beat(beat("They wait.", ["A", "B", "C", "D"], size="TWO_SHOT", lens=40)).shot_size == "WS"
    assert stage_beat(beat("They wait.", ["A", "B"], size="TWO_SHOT", lens=40)).shot_size == ""


def test_a_group_of_three_or_more_is_staged_in_depth():
    from blender_addon.core.audit import rules

    for people in (["A", "B", "C"], ["A", "B", "C", "D"], ["A", "B", "C", "D", "E"]):
        staging = stage_beat(beat("They wait.", people, size="WS", lens=24))
        assert rules.group_in_depth(_facts(staging, "WS")) == [], people
        depths = sorted(a.location[1] for a in staging.actors)
        assert depths[-1] - depths[0] >= 0.6


def test_the_subject_is_the_one_the_action_is_about_unless_the_beat_names_one():
    """'Mara freezes... eyes locked on the suitcase' framed Tomas, the first person listed."""
    from blender_addon.core.staging import subject_and_source

    b = beat("Mara freezes. Tomas raises his hands slowly.", ["TOMAS", "MARA", "JUNE"], size="CU", lens=85)
    assert subject_and_source(b) == ("MARA", "action")
    b.subject = "JUNE"
    assert subject_and_source(b) == ("JUNE", "beat") and stage_beat(b).subject == "JUNE"
    b.subject = "NOBODY"
    assert stage_beat(b).subject == "MARA"


def test_a_two_person_exchange_is_covered_shot_reverse_shot():
    from blender_addon.core.coverage import exchanges

    sizes = ["TWO_SHOT", "CU", "TWO_SHOT", "MS", "MS", "MS"]
    lines = [beat("", ["MARA", "TOMAS"], size=size) for size in sizes]
    lines[-1].characters.append("JUNE")
    for b, speaker in zip(lines, ["MARA", "TOMAS", "MARA", "MARA", "TOMAS", "MARA"]):
        b.speaker, b.scene_number = speaker, "2"
    plan = exchanges(lines)
    assert plan[0].size == "TWO_SHOT", "the two-shot that opens the exchange establishes it"
    assert plan[1].speaker == "TOMAS" and plan[1].listener == "MARA" and plan[1].size == "OTS"
    assert plan[2].speaker == "MARA" and plan[2].size == "OTS", "the reverse"
    assert plan[3].size == "MS", "Mara again: not the same over-the-shoulder twice"
    assert plan[4].size == "OTS"
    assert plan[5] is None, "three people: not a two-person exchange"


def test_a_staggered_group_finds_a_new_setup_where_nobody_hides_behind_anyone():
    """heads-or-tails at N=12, shot 8: after a wide shot of the same four, every 35-degree turn
    lined a back-row face up behind a front-row shoulder, and blocking fell back to one of them."""
    from blender_addon.core.coverage import people_in_view, someone_hidden

    b = beat("Dad flips the coin.", ["A", "B", "C", "D"], size="WS", lens=24)
    staging = stage_beat(b)
    everyone = {a.name: (a.location, a.height_m) for a in staging.actors}
    people = {a.name: a.location[:2] for a in staging.actors}

    def frame(side, turn):
        return frame_shot(b.shot, subjects(staging), aspect=16 / 9, audience=AUDIENCE_SIDE, side=side, turn_deg=turn)

    def reads(placement):
        return (len(people_in_view(placement, 16 / 9, everyone, (0.05, 0.5, 0.95))) == 4
                and not someone_hidden(placement, 16 / 9, everyone))

    first, _ = choose_setup(frame, (0, 0), None, {}, people, exterior=False, acceptable=reads)
    second, variation = choose_setup(frame, (0, 0), setup_of(first, (0, 0)), {}, people, exterior=False,
                                     acceptable=reads)
    assert variation > 0 and reads(second) and differs(setup_of(first, (0, 0)), setup_of(second, (0, 0)))


@pytest.mark.parametrize("action, location, seated", [
    ("BRICK and STEEL get into Mom's PORSCHE, Steel at the wheel.", "DRIVEWAY", True),
    ("Brick drives, his hand out in the wind.", "COUNTRY ROAD", True),
    ("They speed off. To destiny! BRICK whoops, STEEL at the wheel.", "STREET", True),
    ("BRICK and STEEL talk.", "LANDCRUISER, DRIVING", True),
    ("Steel drives him crazy. BRICK shrugs.", "KITCHEN", False),
])
def test_getting_into_a_car_or_driving_seats_people_in_a_car_with_the_driver_at_the_wheel(action, location, seated):
    b = beat(action, ["BRICK", "STEEL"], location=location)
    dressing = place_props(b, stage_beat(b).actors, (0.0, 0.0))
    assert ("car" in [p.kind for p in dressing.props]) == seated
    if not seated:
        return
    assert sorted(a.pose for a in dressing.actors) == ["sit", "sit_at_table"], "in seats, the driver's hands forward"
    car = next(p for p in dressing.props if p.kind == "car")
    wheel = next(b for b in car.boxes if b.name == "prop_car_wheel")
    driver = min(dressing.actors, key=lambda a: abs(a.location[0] - wheel.centre[0]))
    assert driver.name == ("STEEL" if "steel at" in action.lower() else "BRICK") and driver.pose == "sit_at_table"
    hands = [to_world(joint_positions(driver.height_m, driver.pose)[f"{s}_wrist"], driver.location, 0.0) for s in "rl"]
    assert all(math.dist(h, wheel.centre) < 0.25 for h in hands), "hands on the wheel"


def test_the_car_keeps_the_scenes_left_right_order_when_nobody_is_named_at_the_wheel():
    b = beat("They speed off. To destiny!", ["BRICK", "STEEL"], location="STREET")
    staged = stage_beat(b, order=["STEEL", "BRICK"]).actors
    dressing = place_props(b, staged, (0.0, 0.0))
    xs = {a.name: a.location[0] for a in dressing.actors}
    assert xs["STEEL"] < xs["BRICK"] and all(a.pose.startswith("sit") for a in dressing.actors)


def test_a_camera_in_front_of_the_car_sees_both_people_to_the_shoulders_over_the_hood_and_the_wheel():
    from blender_addon.core.sets import _segment_hits_box

    b = beat("BRICK and STEEL get into Mom's PORSCHE, Steel at the wheel.", ["BRICK", "STEEL"], location="DRIVEWAY")
    dressing = place_props(b, stage_beat(b).actors, (0.0, 0.0))
    car = next(p for p in dressing.props if p.kind == "car")
    for actor in dressing.actors:
        joints = joint_positions(actor.height_m, actor.pose)
        for joint in ("nose", "neck", "r_shoulder", "l_shoulder"):
            point = to_world(joints[joint], actor.location, actor.facing_deg)
            for camera in ((0.0, -3.1, 1.06), (1.5, -2.4, 0.95)):
                hit = [box.name for box in car.boxes if _segment_hits_box(camera, point, box, margin=0.0)]
                assert hit == [], f"{actor.name}'s {joint} is hidden by {hit}"


def test_a_single_with_someone_headless_in_the_foreground_is_refused():
    from blender_addon.core.coverage import headless_foreground
    from blender_addon.core.framing import frame_shot, subject_for

    # Tomas seated, framed on him alone from his front (-Y); Mara standing by the table.
    spec = wire.ShotSpec(size=wire.ShotSize.MS, angle=wire.CameraAngle.EYE, lens_mm=50)
    camera = frame_shot(spec, [subject_for((0.0, 0.0, 0.0), 0.0, 1.75, "sit")], aspect=16 / 9)
    assert camera.location[1] < -1.0
    between = (0.1, camera.location[1] * 0.45, 0.0)
    behind = (0.6, 1.2, 0.0)
    assert headless_foreground(camera, 16 / 9, "TOMAS", {"TOMAS": ((0, 0, 0), 1.75), "MARA": (between, 1.7)}) == "MARA"
    assert headless_foreground(camera, 16 / 9, "TOMAS", {"TOMAS": ((0, 0, 0), 1.75), "MARA": (behind, 1.7)}) == ""
    aside = (3.0, camera.location[1] * 0.45, 0.0)  # out of the frame altogether
    assert headless_foreground(camera, 16 / 9, "TOMAS", {"TOMAS": ((0, 0, 0), 1.75), "MARA": (aside, 1.7)}) == ""
