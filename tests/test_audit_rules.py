"""Each audit rule fails on a purpose-built bad shot and passes once the shot is fixed."""

from dataclasses import replace

import pytest

from blender_addon.core.audit import ActorFacts, ShotFacts, audit, format_table, load_board
from blender_addon.core.audit import rules
from blender_addon.core.colour import CAST_PALETTE, DISTINCT_DELTA_E, ciede2000, delta_e

RED, BLUE = (0.8, 0.22, 0.2), (0.2, 0.45, 0.85)
FACE = {"nose": (400.0, 120.0, "VISIBLE"), "r_eye": (390.0, 110.0, "VISIBLE"), "l_eye": (410.0, 110.0, "VISIBLE"),
        "r_hip": (390.0, 380.0, "VISIBLE"), "l_hip": (410.0, 380.0, "VISIBLE"),
        "r_ankle": (390.0, 420.0, "VISIBLE"), "l_ankle": (410.0, 420.0, "VISIBLE")}


def actor(name="ANNA", color=RED, location=(0.0, 0.0, 0.0), **kw) -> ActorFacts:
    base = dict(height_m=1.7, facing_deg=0.0, keypoints=dict(FACE), head_top=(400.0, 30.0), silhouette_px=1000,
                in_frame_px=1000, visible_px=1000)
    base.update(kw)
    return ActorFacts(name=name, color=color, location=location, **base)


def shot(size="MS", actors=None, number="1", **kw) -> ShotFacts:
    actors = actors if actors is not None else [actor()]
    base = dict(scene_number="1", lens_mm=50.0, characters=[a.name for a in actors], width=768, height=432,
                camera_location=(0.0, -3.0, 1.5), camera_forward=(0.0, 1.0, 0.0), focal_length_mm=50.0)
    base.update(kw)
    return ShotFacts(shot=number, size=size, actors=actors, **base)


def rules_hit(found):
    return {v.rule for v in found}


def test_subject_mostly_out_of_frame_fails_and_framed_passes():
    bad = shot(actors=[actor(in_frame_px=500, visible_px=500)])
    assert rules_hit(rules.subject_in_frame(bad)) == {"subject in frame"}
    assert rules.subject_in_frame(shot()) == []


def test_close_up_needs_a_visible_nose_and_eye_and_an_uncut_head():
    hidden = dict(FACE, nose=(400.0, 120.0, "OCCLUDED"))
    assert rules.subject_in_frame(shot("CU", [actor(keypoints=hidden)]))
    assert rules.subject_in_frame(shot("CU", [actor(head_top=(400.0, -20.0))]))
    assert rules.subject_in_frame(shot("CU", [actor()])) == []


def test_close_up_from_too_steep_below_loses_the_face():
    """The example's CU of Tomas: 85 mm from 0.6 m, looking up 30 degrees at his chin."""
    steep = shot("CU", [actor(face_yaw_deg=57.0, face_pitch_deg=-33.0)], lens_mm=85.0)
    assert "too steep" in rules.subject_in_frame(steep)[0].detail
    assert rules.subject_in_frame(shot("CU", [actor(face_yaw_deg=30.0, face_pitch_deg=-12.0)])) == []


def test_medium_shot_needs_hips_and_wide_shot_ankles():
    no_hips = dict(FACE, r_hip=(0, 500, "OUT_OF_FRAME"), l_hip=(0, 500, "OUT_OF_FRAME"))
    assert rules.subject_in_frame(shot("MS", [actor(keypoints=no_hips)]))
    no_ankle = dict(FACE, l_ankle=(0, 500, "OUT_OF_FRAME"))
    assert rules.subject_in_frame(shot("WS", [actor(keypoints=no_ankle)]))
    assert rules.subject_in_frame(shot("WS", [actor()])) == []


def test_a_beat_with_people_but_nobody_staged_fails():
    assert rules.subject_in_frame(shot(actors=[], characters=["ANNA"]))


def test_wall_or_actor_in_front_of_the_subject_fails():
    walled = shot(actors=[actor(covered_by={"wall_back": 400}, visible_px=600)])
    assert rules.clear_line_of_sight(walled)
    crowded = shot(actors=[actor(covered_by={"BEN": 400}, visible_px=600), actor("BEN", BLUE)])
    assert rules.clear_line_of_sight(crowded)
    shoulder = shot(actors=[actor(covered_by={"BEN": 200}, visible_px=800), actor("BEN", BLUE)])
    assert rules.clear_line_of_sight(shoulder) == []


def test_camera_inside_a_mesh_or_behind_a_wall_fails():
    assert rules.clear_line_of_sight(shot(camera_inside=["wall_back"]))
    assert rules.clear_line_of_sight(shot(walls_between=["wall_back"]))
    assert rules.clear_line_of_sight(shot()) == []


def test_two_shot_shows_everyone_present():
    ben_out = actor("BEN", BLUE, location=(1.3, 0, 0), in_frame_px=100)
    assert rules.group_in_frame(shot("TWO_SHOT", [actor(), ben_out]))
    ben_in = replace(ben_out, in_frame_px=1000)
    assert rules.group_in_frame(shot("TWO_SHOT", [actor(), ben_in])) == []


def test_consecutive_identical_setups_are_a_jump_cut_unless_continued():
    """The example's shots 3 and 4: the same MLS camera twice in a row."""
    first = shot("MLS", number="3")
    same = shot("MLS", number="4")
    assert rules_hit(rules.distinct_setups([first, same])) == {"jump cut"}
    moved = shot("MLS", number="4", camera_location=(1.5, -2.5, 1.5), camera_forward=(-0.5, 0.87, 0.0))
    assert rules.distinct_setups([first, moved]) == []
    cut_in = shot("MCU", number="4", focal_length_mm=85.0)
    assert rules.distinct_setups([first, cut_in]) == []
    entrance = shot("MLS", number="4", continues_shot="3", entering=["BEN"])
    assert rules.distinct_setups([first, entrance]) == []
    other_scene = shot("MLS", number="4", scene_number="2")
    assert rules.distinct_setups([first, other_scene]) == []


def test_crossing_the_line_within_a_scene_fails():
    pair = [actor(location=(-0.65, 0, 0)), actor("BEN", BLUE, location=(0.65, 0, 0))]
    front = shot("TWO_SHOT", pair, number="1", camera_location=(0.0, -3.0, 1.5))
    behind = shot("TWO_SHOT", pair, number="2", camera_location=(0.5, 3.0, 1.5))
    assert rules_hit(rules.line_of_action([front, behind])) == {"180-degree line"}
    reverse = shot("MCU", pair, number="2", camera_location=(1.8, -1.2, 1.5))
    assert rules.line_of_action([front, reverse]) == []


def test_headroom_too_much_or_eyes_low_fails():
    assert rules.headroom(shot("CU", [actor(head_top=(400.0, 120.0))]))
    low_eyes = dict(FACE, r_eye=(390, 300, "VISIBLE"), l_eye=(410, 300, "VISIBLE"))
    assert rules.headroom(shot("MCU", [actor(head_top=(400.0, 20.0), keypoints=low_eyes)]))
    assert rules.headroom(shot("CU", [actor(head_top=(400.0, 20.0))])) == []


def test_actors_in_one_shot_need_distinct_colours():
    greens = [actor(color=(0.3, 0.7, 0.35)), actor("BEN", (0.32, 0.72, 0.3), location=(1, 0, 0))]
    assert rules_hit(rules.distinct_colours(shot("TWO_SHOT", greens))) == {"distinct colours"}
    assert rules.distinct_colours(shot("TWO_SHOT", [actor(), actor("BEN", BLUE)])) == []


def test_voices_and_props_are_not_people():
    voice = shot(actors=[actor(), actor("VOICE", BLUE)], characters=["ANNA", "VOICE"])
    assert rules_hit(rules.people_only(voice)) == {"people only"}
    assert rules.people_only(shot(actors=[actor("THE DOOR")]))
    assert rules.people_only(shot()) == []


def test_ciede2000_matches_sharma_test_pairs_and_palette_is_distinct():
    assert ciede2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert ciede2000((50, 2.5, 0), (73, 25, -18)) == pytest.approx(27.1492, abs=1e-4)
    assert ciede2000((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387)) == pytest.approx(1.2644, abs=1e-4)
    pairs = [delta_e(a, b) for i, a in enumerate(CAST_PALETTE) for b in CAST_PALETTE[i + 1:]]
    assert min(pairs) > DISTINCT_DELTA_E


def test_table_and_summary_and_folder_round_trip(tmp_path):
    import json

    shots = [shot("MLS", number="1"), shot("MLS", number="2")]
    (tmp_path / "board_facts.json").write_text(json.dumps({"shots": [s.to_dict() for s in shots]}))
    loaded = load_board(tmp_path)
    found = audit(loaded)
    table = format_table(loaded, found)
    assert "jump cut" in table.splitlines()[1]
    assert table.splitlines()[-1].startswith("2 shots, 1 violations in 1 shots")
    assert format_table(shots[:1], audit(shots[:1])).endswith("clean")


def test_cli_audit_exits_1_with_strict_and_explains_a_bad_folder(tmp_path, capsys):
    import json

    from beatboard.cli import main

    shots = [shot("MLS", number="1"), shot("MLS", number="2")]
    (tmp_path / "board_facts.json").write_text(json.dumps({"shots": [s.to_dict() for s in shots]}))
    assert main(["audit", str(tmp_path)]) == 0
    assert main(["audit", str(tmp_path), "--strict"]) == 1
    assert "jump cut" in capsys.readouterr().out
    assert main(["audit", str(tmp_path / "nowhere")]) == 2
    assert "--out folder" in capsys.readouterr().err


def test_over_the_shoulder_needs_the_foreground_shoulder():
    shoulder = actor("BEN", BLUE, location=(0, -1.3, 0), visible_px=900)
    assert rules.group_in_frame(shot("OTS_LEFT", [actor(), replace(shoulder, visible_px=0)], mask_px=20736))
    assert rules.group_in_frame(shot("OTS_LEFT", [actor(), shoulder], mask_px=20736)) == []


def test_a_table_before_a_seated_subject_hides_a_lap_not_the_person():
    seated = actor(covered_by={"prop_table": 450}, visible_px=550)
    assert rules.subject_in_frame(shot("MLS", [seated])) == []
    assert rules.clear_line_of_sight(shot("MLS", [seated])) == []
    behind_ben = actor(covered_by={"BEN": 450}, visible_px=550)
    assert rules.subject_in_frame(shot("MLS", [behind_ben, actor("BEN", BLUE)]))


def test_an_action_that_names_someone_is_not_an_empty_room():
    """The example at N=12, shot 3: 'TOMAS counts coins...' with no characters listed."""
    tomas = shot("MLS", [actor("TOMAS")], number="1")
    empty = shot("WS", [], number="2", characters=[], action="Rows of empty seats. TOMAS counts coins.")
    assert rules_hit(rules.named_people_staged([tomas, empty])) == {"subject in frame"}
    staged = shot("WS", [actor("TOMAS")], number="2", characters=[], action="TOMAS counts coins.")
    assert rules.named_people_staged([tomas, staged]) == []
    place = shot("EWS", [], number="2", characters=[], action="Fog rolls off black water.")
    assert rules.named_people_staged([tomas, place]) == []


def test_someone_the_action_names_is_on_the_stage():
    """The example's 'The cabin door bursts open. JUNE enters' staged without June."""
    june = shot("WS", [actor("JUNE", BLUE)], number="1")
    missing = shot("TWO_SHOT", [actor("TOMAS")], number="2", action="The door bursts open. JUNE enters.")
    assert "not on the stage" in rules.named_people_staged([june, missing])[0].detail
    present = shot("TWO_SHOT", [actor("TOMAS"), actor("JUNE", BLUE, location=(3, 0, 0))], number="2",
                   characters=["TOMAS"], action="The door bursts open. JUNE enters.")
    assert rules.named_people_staged([june, present]) == []


# --- Staging rules: contact, two-shot, group depth, close-up variety, dialogue coverage -------

def _facing(src, dst):
    import math

    return math.degrees(math.atan2(dst[0] - src[0], -(dst[1] - src[1])))


def test_a_punch_from_four_metres_or_not_facing_fails_within_reach_passes():
    """heads-or-tails: 'Mike starts hitting him hard' staged as four people in a row."""
    far = [actor("MIKE", location=(-2.0, 0, 0), facing_deg=0.0, pose="stand"),
           actor("JOE", BLUE, location=(2.0, 0, 0), facing_deg=0.0)]
    bad = shot("MLS", far, action="Mike starts hitting him hard, furious.")
    details = " ".join(v.detail for v in rules.contact_in_reach(bad))
    assert "from 4.0 m" in details and "faces 90 deg away" in details and "'stand' pose" in details
    near = [actor("MIKE", location=(-0.4, 0, 0), facing_deg=_facing((-0.4, 0), (0.4, 0)), pose="punch"),
            actor("JOE", BLUE, location=(0.4, 0, 0), facing_deg=_facing((0.4, 0), (-0.4, 0)))]
    assert rules.contact_in_reach(shot("TWO_SHOT", near, action="Mike starts hitting him hard, furious.")) == []
    out = replace(near[1], in_frame_px=100)
    assert "the camera must see both" in rules.contact_in_reach(
        shot("TWO_SHOT", [near[0], out], action="Mike starts hitting him hard."))[0].detail


def test_contact_words_that_are_not_contact_are_left_alone():
    pair = [actor("MARA", location=(-2, 0, 0)), actor("TOMAS", BLUE, location=(2, 0, 0))]
    for action in ("Mara slams a fistful of crumpled notes on the table.", "Minna slams her head on the ground.",
                   "He kisses his hand and sends a kiss to Tomas.", "The wave hits the hull."):
        assert rules.contact_in_reach(shot("MLS", pair, action=action)) == [], action


def test_a_two_shot_of_three_is_a_group_shot():
    trio = [actor("A", location=(-1.3, 0, 0)), actor("B", BLUE, location=(0, 0, 0)),
            actor("C", (0.3, 0.7, 0.3), location=(1.3, 0, 0))]
    found = rules.two_shot_of_two(shot("TWO_SHOT", trio))
    assert rules_hit(found) == {"two-shot"} and "3 people" in found[0].detail
    kept_out = trio[:2] + [replace(trio[2], in_frame_px=50, visible_px=50)]
    assert rules.two_shot_of_two(shot("TWO_SHOT", kept_out)) == []
    assert rules.group_in_frame(shot("TWO_SHOT", kept_out, subject="A", speaker="B")) == []


def test_three_in_a_row_across_the_frame_fails_staggered_passes():
    row = [actor("A", location=(-1.3, 0.3, 0)), actor("B", BLUE, location=(0, 0, 0)),
           actor("C", (0.3, 0.7, 0.3), location=(1.3, 0.3, 0))]
    assert rules_hit(rules.group_in_depth(shot("WS", row))) == {"group depth"}
    staggered = [row[0], replace(row[1], location=(0, 1.0, 0)), row[2]]
    assert rules.group_in_depth(shot("WS", staggered)) == []


def test_two_close_ups_of_one_person_same_lens_same_angle_fail():
    """The example at N=6, shots 5 and 6: CU 85 mm of Tomas twice, 35 degrees apart."""
    tomas = [actor("TOMAS", location=(-1.3, 0.325, 0), face_pitch_deg=-2.0)]
    five = shot("CU", tomas, number="5", focal_length_mm=85.0, camera_location=(-1.135, -1.912, 1.58))
    six = shot("CU", tomas, number="6", focal_length_mm=85.0, camera_location=(0.118, -1.413, 1.58))
    assert rules_hit(rules.varied_close_ups([five, six])) == {"repeated close-up"}
    longer = replace(six, focal_length_mm=135.0)
    other_side = replace(six, camera_location=(1.2, 0.2, 1.58))
    reverse = shot("CU", [actor("MARA", BLUE)], number="6", focal_length_mm=85.0)
    for varied in (longer, other_side, reverse):
        assert rules.varied_close_ups([five, varied]) == []


def test_an_exchange_follows_the_speaker_unless_the_beat_names_its_subject():
    pair = [actor("MARA", location=(-0.65, 0, 0)), actor("TOMAS", BLUE, location=(0.65, 0, 0))]
    line1 = shot("OTS_LEFT", pair, number="1", speaker="MARA", subject="MARA")
    line2 = shot("OTS_RIGHT", pair, number="2", speaker="TOMAS", subject="MARA", subject_from="first")
    assert rules_hit(rules.dialogue_coverage([line1, line2])) == {"dialogue coverage"}
    assert rules.dialogue_coverage([line1, replace(line2, subject="TOMAS")]) == []
    reaction = replace(line2, subject_from="beat")
    assert rules.dialogue_coverage([line1, reaction]) == []


def test_a_bed_that_hides_someone_lying_on_it_fails_where_a_table_before_a_seated_lap_passes():
    bed_front = {"prop_bed": 450}
    lying = shot("WS", [actor(pose="lie", covered_by=bed_front, visible_px=550)])
    assert "prop_bed covers" in rules.clear_line_of_sight(lying)[0].detail
    assert rules.clear_line_of_sight(shot("WS", [actor(pose="sit_at_table", covered_by={"prop_table": 450})])) == []
    face_down = dict(FACE, nose=(400.0, 120.0, "OCCLUDED"), r_eye=(0, 0, "OCCLUDED"), l_eye=(0, 0, "OCCLUDED"))
    assert "face hidden" in rules.subject_in_frame(shot("WS", [actor(pose="lie", keypoints=face_down)]))[0].detail
    assert rules.subject_in_frame(shot("WS", [actor(pose="lie", covered_by={"prop_bed": 100})])) == []
    assert rules.clear_line_of_sight(shot("WS", [actor(pose="lie", covered_by={"prop_bed": 100})])) == []


def test_hair_pulling_head_pressing_and_a_stinging_jab_are_contact_but_buttons_and_letters_are_not():
    from blender_addon.core.contact import find_contact

    people = ["MINNA", "INA"]
    for action, actor_, verb in (
            ("Minna gets rougher. She rips her hair and presses her head against the table.", "MINNA", "rip"),
            ("Minna presses her head against the table, harder and harder.", "MINNA", "press"),
            ("Ina jabs at Minna.", "INA", "jab"),
            ("Ina tries to sting him with a jab, but Minna dodges.", "INA", "sting"),
            ("Ina employs another lightning jab. She throws a series of punches at him.", "INA", "punch")):
        contact = find_contact(action, people)
        assert contact is not None and (contact.actor, contact.verb) == (actor_, verb), action
    for action in ("Minna presses the button to call the elevator.", "Ina rips the letter in two.",
                   "Minna rips her letter up.", "Ina presses her hands together.", "Minna slams her head on the ground.",
                   "Ina punches at her desk."):
        assert find_contact(action, people) is None, action


def test_headroom_over_someone_lying_down_is_not_measured_from_their_crown():
    lying = actor(pose="lie", head_top=(400.0, 250.0))
    assert rules.headroom(shot("WS", [lying])) == []
    assert rules.headroom(shot("WS", [replace(lying, pose="stand")])), "standing, that is too much room"
    tall = actor("BEN", BLUE, head_top=(200.0, 240.0))
    assert rules.headroom(shot("WS", [lying, tall])), "a standing person beside them keeps the rule"


def test_a_headless_back_filling_the_foreground_fails_a_head_in_frame_passes():
    # Example-12 shot 5 before: a single of Tomas across the table, Mara's back cut at the neck
    # filling a quarter of the frame.
    cut = {j: (p[0], p[1], "OUT_OF_FRAME") if j in ("nose", "r_eye", "l_eye") else p for j, p in FACE.items()}
    back = actor("BEN", BLUE, location=(0, -1.3, 0), keypoints=cut, visible_px=5000)
    found = rules.clear_foreground(shot("MS", [actor(), back], mask_px=20736))
    assert [v.rule for v in found] == ["clear foreground"] and "BEN" in found[0].detail
    assert rules.clear_foreground(shot("MS", [actor(), replace(back, keypoints=dict(FACE))], mask_px=20736)) == []
    assert rules.clear_foreground(shot("MS", [actor(), replace(back, visible_px=900)], mask_px=20736)) == []
    assert rules.clear_foreground(shot("OTS_LEFT", [actor(), back], mask_px=20736)) == [], "an OTS's shoulder"
