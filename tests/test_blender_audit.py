"""Audit Board in real Blender: facts measured from the scene, failing shots listed, click selects."""

import pytest

from tests.conftest import INSTALL_SNIPPET, run_blender

pytestmark = pytest.mark.blender

BOARD = """
scene = bpy.context.scene
scene.render.resolution_x, scene.render.resolution_y = 384, 216
for action, characters, size, lens in [
        ("Tomas counts coins at a fold-down table.", "TOMAS", "MLS", 35),
        ("Mara slams a fistful of notes on the table.", "TOMAS, MARA", "MLS", 35),
        ("Tomas looks up at last.", "TOMAS, MARA", "MLS", 35),
        ("Tomas laughs, a low tired laugh.", "TOMAS, MARA", "CU", 85)]:
    beat = scene.beatboard.beats.add()
    beat.action, beat.characters, beat.shot_size, beat.lens_mm = action, characters, size, lens
    beat.int_ext, beat.location, beat.scene_number = "INT", "FERRY CABIN", "2"
scene.beatboard.beats[3].angle = "LOW"
bpy.ops.beatboard.block_out_shots(replace_existing=True)
from bl_ext.user_default.beatboard import ops_audit
"""


def test_audit_board_lists_a_hand_made_jump_cut_and_selects_its_camera(extension_zip, tmp_path):
    result = run_blender(INSTALL_SNIPPET.format(zip=str(extension_zip)) + BOARD + """
bpy.ops.beatboard.audit_board()
clean = [dict(r) for r in scene[ops_audit.RESULTS_KEY]]
beats = scene.beatboard.beats
offset = beats[2].stage_x - beats[1].stage_x
beats[2].camera.matrix_world = beats[1].camera.matrix_world.copy()
beats[2].camera.location.x += offset
beats[2].camera.data.lens = beats[1].camera.data.lens
bpy.ops.beatboard.audit_board()
found = [dict(r) for r in scene[ops_audit.RESULTS_KEY]]
bpy.ops.beatboard.select_shot_camera(shot=found[0]["shot"])
print(json.dumps({"clean": clean, "found": found, "summary": scene[ops_audit.SUMMARY_KEY],
                  "active": bpy.context.view_layer.objects.active.name, "camera": scene.camera.name}))
""", tmp_path)
    assert result["clean"] == [], "the blocking passes its own audit"
    assert [(r["shot"], r["rule"]) for r in result["found"]] == [("3", "jump cut")]
    assert result["summary"].startswith("4 shots, 1 violations in 1 shots")
    assert result["active"] == result["camera"] == "CAM 3"


def test_blocking_stages_a_punch_within_reach_and_remembers_each_shots_subject(extension_zip, tmp_path):
    """One Blender run: a contact beat as a fight two-shot, the beat's subject stored in the
    .blend and used, and a beat with no stored subject (as in a .blend from before subjects
    were stored) framed on whom the action is about."""
    result = run_blender(INSTALL_SNIPPET.format(zip=str(extension_zip)) + """
scene = bpy.context.scene
scene.render.resolution_x, scene.render.resolution_y = 384, 216
for action, characters, size, lens, subject, number in [
        ("Mike starts hitting him hard, furious.", "MIKE, JOE, DAD, REFEREE", "MS", 50, "", "4"),
        ("Mara freezes. Tomas raises his hands slowly.", "TOMAS, MARA", "CU", 85, "", "2"),
        ("Tomas laughs, a low tired laugh.", "TOMAS, MARA", "MCU", 65, "TOMAS", "2")]:
    beat = scene.beatboard.beats.add()
    beat.action, beat.characters, beat.shot_size, beat.lens_mm = action, characters, size, lens
    beat.int_ext, beat.location, beat.scene_number, beat.subject = "INT", "RING", number, subject
bpy.ops.beatboard.block_out_shots(replace_existing=True)
from bl_ext.user_default.beatboard import shot_facts
from bl_ext.user_default.beatboard.core.audit import audit
facts = [shot_facts.gather(scene, b) for b in scene.beatboard.beats]
fight = {a.name: a for a in facts[0].actors}
wired = scene.beatboard.beats[2].to_wire()
copy = scene.beatboard.beats.add()
copy.from_wire(wired)
print(json.dumps({"violations": [[v.shot, v.rule, v.detail] for v in audit(facts)],
                  "fight": [facts[0].size, fight["MIKE"].pose, list(fight["MIKE"].location),
                            list(fight["JOE"].location)],
                  "subjects": [[f.subject, f.subject_from] for f in facts], "round_trip": copy.subject,
                  "stored_size": scene.beatboard.beats[0].shot_size}))
""", tmp_path)
    import math

    assert result["violations"] == []
    size, pose, mike, joe = result["fight"]
    assert size == result["stored_size"] == "TWO_SHOT" and pose == "punch"
    assert math.dist(mike[:2], joe[:2]) <= 0.9, "within reach, not 4 m away"
    assert result["subjects"][1:] == [["MARA", "action"], ["TOMAS", "beat"]]
    assert result["round_trip"] == "TOMAS"


def test_someone_lying_on_a_bed_a_door_to_come_in_by_and_a_car_pass_the_audit(extension_zip, tmp_path):
    """One Blender run: a WS of someone lying on a bed is shot from above the bed's top; whoever
    bursts in stands in a doorway cut into the set's wall; a car scene seats its two."""
    result = run_blender(INSTALL_SNIPPET.format(zip=str(extension_zip)) + """
scene = bpy.context.scene
scene.render.resolution_x, scene.render.resolution_y = 384, 216
for action, characters, entering, size, lens, location, number in [
        ("ANNA lies on the bed, staring at the ceiling.", "ANNA", "", "WS", 24, "BEDROOM", "1"),
        ("The door bursts open. BEN comes in from the rain.", "ANNA, BEN", "BEN", "WS", 24, "KITCHEN", "2"),
        ("BRICK and STEEL get into Mom's PORSCHE, Steel at the wheel.", "BRICK, STEEL", "", "MS", 50, "DRIVEWAY", "3")]:
    beat = scene.beatboard.beats.add()
    beat.action, beat.characters, beat.entering, beat.shot_size, beat.lens_mm = action, characters, entering, size, lens
    beat.int_ext, beat.location, beat.scene_number = "INT", location, number
bpy.ops.beatboard.block_out_shots(replace_existing=True)
from bl_ext.user_default.beatboard import shot_facts
from bl_ext.user_default.beatboard.core.audit import audit
facts = [shot_facts.gather(scene, b) for b in scene.beatboard.beats]
parts = lambda b: sorted(o.get("beatboard_set_part", "") for o in b.camera.users_collection[0].all_objects)
print(json.dumps({"violations": [[v.shot, v.rule, v.detail] for v in audit(facts)],
                  "camera_z": facts[0].camera_location[2], "poses": [[a.pose for a in f.actors] for f in facts],
                  "ben": list(facts[1].actor("BEN").location), "parts": parts(scene.beatboard.beats[1])}))
""", tmp_path)
    assert result["violations"] == []
    assert result["camera_z"] > 1.0, "above the bed's top, not at its front"
    assert result["poses"][0] == ["lie"] and sorted(result["poses"][2]) == ["sit", "sit_at_table"]
    doorway = [p for p in result["parts"] if "_by_door" in p or "_over_door" in p]
    assert doorway, "the door is cut into a wall of the set"
    assert any(abs(abs(c) - 5.45) < 0.3 for c in result["ben"][:2]) or abs(result["ben"][1] - 2.95) < 0.3, \
        "Ben stands just inside the doorway"
