"""The director's loop in real Blender against a real server: a shot note, a board note,
camera notes on a solved and a hand-moved camera, Render Storyboard skipping unchanged
shots, and Sync Takes placing what the .blend lacks."""

import json
import urllib.request

import pytest

from tests.conftest import EXAMPLE, INSTALL_SNIPPET, run_blender

pytestmark = [pytest.mark.blender, pytest.mark.slow]

LOOP = """
import math
from bpy_extras.object_utils import world_to_camera_view
bpy.context.preferences.addons[ADDON].preferences.server_url = {url!r}
scene = bpy.context.scene
scene.render.resolution_x, scene.render.resolution_y, scene.render.resolution_percentage = 192, 108, 100
props = scene.beatboard
props.output_dir = {frames!r}
bpy.ops.beatboard.load_script(filepath={script!r})
props.extractor = "offline"
bpy.ops.beatboard.break_into_beats()
bpy.ops.beatboard.block_out_shots(replace_existing=True)
bpy.ops.beatboard.render_storyboard()
ed = scene.sequence_editor

def takes():
    out = {{}}
    for s in ed.strips:
        out.setdefault(s["beatboard_shot"], []).append(s)
    return {{k: sorted(v, key=lambda s: s["beatboard_take"]) for k, v in out.items()}}

def info(s):
    return {{k: s.get("beatboard_" + k) for k in ("job", "seed", "prompt", "note", "parent_job", "take")}} | {{"mute": s.mute}}

first = {{k: info(v[-1]) for k, v in takes().items()}}
out = {{"board": props.board_id, "first": first}}

def mara(index):
    return next(o for o in props.beats[index].camera.users_collection[0].all_objects
                if o.type == "ARMATURE" and o["beatboard_actor"] == "MARA")

def hand_to_nose(index):
    rig = mara(index)
    return (rig.pose.bones["r_wrist"].tail - rig.pose.bones["nose"].head).length / rig["beatboard_height"]

hands = [hand_to_nose(2)]
bpy.ops.beatboard.add_note(text="Mara looks more frightened", scope="SHOT", shot="3")
hands.append(hand_to_nose(2))
out["hands"] = {{"slam": [mara(2)["beatboard_pose"], *hands]}}
out["after_shot_note"] = {{k: [info(s) for s in v] for k, v in takes().items()}}
out["shot_note_status"] = props.status

bpy.ops.beatboard.add_note(text="it's evening, not morning", scope="BOARD")
out["after_board_note"] = {{k: [info(s) for s in v] for k, v in takes().items()}}
out["board_note_jobs"] = list(scene["beatboard_last_note"]["jobs"])

def framing(beat):
    cam = beat.camera
    rig = [o for o in cam.users_collection[0].all_objects if o.type == "ARMATURE"][0]
    h = rig["beatboard_height"]
    return cam, rig, h

cu = next(b for b in props.beats if b.shot_size == "CU")
cam, rig, h = framing(cu)
before_dist = (cam.matrix_world.translation - rig.matrix_world.translation).length
bpy.ops.beatboard.add_note(text="wider", scope="SHOT", shot=cu.shot_number)
bpy.context.view_layer.update()
after_dist = (cam.matrix_world.translation - rig.matrix_world.translation).length
from bl_ext.user_default.beatboard.core.framing import VERTICAL_SLICE
bottom, top = VERTICAL_SLICE[cu.shot_size]
loc = rig.matrix_world.translation
ys = [world_to_camera_view(scene, cam, loc + mathutils.Vector((0, 0, f * h))).y for f in (bottom, top)]
from bl_ext.user_default.beatboard import shot_facts
from bl_ext.user_default.beatboard.core.audit.rules import headroom, subject_in_frame
wider_facts = shot_facts.gather(scene, cu)
out["wider"] = {{"size": cu.shot_size, "before": before_dist, "after": after_dist, "slice_y": ys,
                 "shot": cu.shot_number, "status": props.status,
                 "audit": [[v.rule, v.detail] for v in subject_in_frame(wider_facts) + headroom(wider_facts)]}}

hand = next(b for b in props.beats if b.shot_number == "5")
hand.camera.location.x += 0.3
bpy.context.view_layer.update()
pose_before = hand.camera.matrix_world.copy()
view = pose_before.to_3x3() @ mathutils.Vector((0, 0, -1))
size_before = hand.shot_size
bpy.ops.beatboard.add_note(text="wider", scope="SHOT", shot="5")
bpy.context.view_layer.update()
moved = hand.camera.matrix_world.translation - pose_before.translation
out["hand"] = {{"moved": list(moved), "along_axis": moved.cross(view).length, "back": moved.dot(view) < 0,
               "rotation_kept": all(abs(a - b) < 1e-6 for ra, rb in zip(hand.camera.matrix_world.to_3x3(),
                                                                         pose_before.to_3x3()) for a, b in zip(ra, rb)),
               "size": [size_before, hand.shot_size], "status": props.status}}
out["sliders"] = {{r["beatboard_actor"]: [r["beatboard_emotion"], r["beatboard_intensity"]]
                  for r in props.beats[2].camera.users_collection[0].all_objects if r.type == "ARMATURE"}}

strips_before = len(ed.strips)
bpy.ops.beatboard.render_storyboard()
out["again"] = {{"unchanged": list(scene["beatboard_last_render"]["unchanged"]), "new_strips": len(ed.strips) - strips_before}}

victim = takes()["3"][-1]
out["removed_job"] = victim["beatboard_job"]
ed.strips.remove(victim)
bpy.ops.beatboard.sync_takes()
out["synced"] = sorted(s["beatboard_job"] for s in ed.strips)
out["sync_status"] = [props.status, props.last_error]
import urllib.request
with urllib.request.urlopen({url!r} + "/v1/boards/" + props.board_id) as response:
    board = json.loads(response.read())
out["server_jobs"] = sorted(t["job_id"] for s in board["shots"] for t in s["takes"] if t["state"] == "DONE")
free = next(i for i, b in enumerate(props.beats) if b.shot_number not in ("3",) and
            any(o.type == "ARMATURE" and o["beatboard_actor"] == "MARA" and o["beatboard_pose"] == "stand"
                for o in b.camera.users_collection[0].all_objects))
before = hand_to_nose(free)
bpy.ops.beatboard.add_note(text="Mara is terrified", scope="ACTOR", actor="MARA", shot=props.beats[free].shot_number)
out["hands"]["stand"] = [before, hand_to_nose(free)]
out["notes_in_force"] = [[n.scope, n.shot, n.text] for n in props.notes_in_force]
two = takes()["2"][-1]
count_before = len(takes()["2"])
ed.active_strip = two
bpy.ops.beatboard.rerender(target="ACTIVE")
same = [len(takes()["2"]) - count_before, props.status]
bpy.ops.beatboard.rerender(target="ACTIVE", variation=True)
varied = info(takes()["2"][-1])
ed.active_strip = takes()["2"][-1]
ed.active_strip["beatboard_prompt"] = "Tomas alone in the cabin, lamplight"
bpy.ops.beatboard.rerender(target="ACTIVE", edited_prompt=True)
out["rerender"] = {{"before": info(two), "same": same, "varied": varied, "edited": info(takes()["2"][-1])}}
props.board_id = "gone"  # a server that lost the board (or another server): a new board, no foreign parents
bpy.ops.beatboard.add_note(text="closer", scope="SHOT", shot="1")
out["fresh"] = [props.board_id != "gone", takes()["1"][-1].get("beatboard_parent_job"), props.last_error]
out["errors"] = props.last_error
print(json.dumps(out))
"""


def _get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def test_notes_change_the_right_shots_and_the_board_agrees(extension_zip, server, tmp_path):
    code = INSTALL_SNIPPET.format(zip=str(extension_zip)) + "import mathutils\n" + LOOP.format(
        url=server.url, frames=str(tmp_path / "frames"), script=str(EXAMPLE))
    r = run_blender(code, tmp_path, timeout=600)
    assert r["errors"] == ""
    first = r["first"]
    assert sorted(first) == ["1", "2", "3", "4", "5", "6"]

    # A shot note on shot 3: exactly one new take there, none elsewhere, same seed, fear terms for Mara.
    after = r["after_shot_note"]
    assert {k: len(v) for k, v in after.items()} == {"1": 1, "2": 1, "3": 2, "4": 1, "5": 1, "6": 1}
    new = after["3"][-1]
    assert new["seed"] == first["3"]["seed"] and new["parent_job"] == first["3"]["job"]
    assert new["note"] == "Mara looks more frightened" and not new["mute"] and after["3"][0]["mute"]
    assert "Mara" in new["prompt"] and "(frightened)1.2" in new["prompt"]
    assert "frightened" not in first["3"]["prompt"] and "storyboard" not in new["prompt"].lower()
    assert r["sliders"]["MARA"] == ["fear", 1.5]
    pose, before, after = r["hands"]["slam"]
    assert pose == "put_down" and before == after, "the action's own arm pose (slamming the notes down) is kept"
    before, after = r["hands"]["stand"]
    assert before > 0.3 and after < 0.1, "terrified: a standing mannequin's hands go to the face (the pose library's)"

    # A board note: one job per shot in board order, evening in every prompt, no morning.
    board_after = r["after_board_note"]
    assert {k: len(v) for k, v in board_after.items()} == {"1": 2, "2": 2, "3": 3, "4": 2, "5": 2, "6": 2}
    assert len(r["board_note_jobs"]) == 6
    for takes in board_after.values():
        assert "evening" in takes[-1]["prompt"] and "morning" not in takes[-1]["prompt"]

    # "wider" on the CU re-frames its camera with the solver: further back, the new slice fills the frame.
    wider = r["wider"]
    assert wider["size"] == "MCU" and wider["after"] > wider["before"] * 1.1
    low, high = sorted(wider["slice_y"])
    assert -0.05 <= low <= 0.2 and 0.8 <= high <= 1.05, wider
    assert wider["audit"] == [], "the board audit's framing rules hold for the new size"

    # A hand-moved camera is not reset: it dollies back along its own axis and keeps its rotation.
    hand = r["hand"]
    assert hand["along_axis"] < 1e-4 and hand["back"] and hand["rotation_kept"], hand
    assert "hand-placed" in hand["status"]

    # Nothing changed since the last takes: Render Storyboard places nothing new.
    assert sorted(r["again"]["unchanged"]) == ["1", "2", "3", "4", "5", "6"] and r["again"]["new_strips"] == 0

    # The server's board and the timeline agree after Sync Takes.
    board = _get(f"{server.url}/v1/boards/{r['board']}")
    assert r["removed_job"] in r["synced"], r["sync_status"]
    assert r["synced"] == r["server_jobs"]
    shot3 = next(s for s in board["shots"] if s["number"] == "3")
    assert [n["text"] for n in shot3["notes"]] == ["Mara looks more frightened"]
    assert [n["text"] for n in board["notes"]] == ["it's evening, not morning"]
    assert ["BOARD", "all", "it's evening, not morning"] in r["notes_in_force"]
    assert r["fresh"] == [True, "", ""]

    # Re-render Shot with nothing changed places nothing; Variation draws a new seed; an edited prompt is used as is.
    rerender = r["rerender"]
    assert rerender["same"][0] == 0 and "unchanged" in rerender["same"][1]
    assert rerender["varied"]["seed"] != rerender["before"]["seed"]
    assert rerender["varied"]["parent_job"] == rerender["before"]["job"]
    assert rerender["edited"]["prompt"] == "Tomas alone in the cabin, lamplight"
    assert rerender["edited"]["note"] == "prompt edited by hand"


ACTOR_NOTE = """
import base64
bpy.context.preferences.addons[ADDON].preferences.server_url = {url!r}
from bl_ext.user_default.beatboard import ops_render
scene = bpy.context.scene
scene.render.resolution_x, scene.render.resolution_y, scene.render.resolution_percentage = 128, 72, 100
props = scene.beatboard
props.output_dir, props.backend, props.steps = {frames!r}, "diffusers", 2
beat = props.beats.add()
beat.action, beat.characters, beat.shot_size, beat.lens_mm = "Mara and Tomas wait by the rail.", "MARA, TOMAS", "WS", 35
bpy.ops.beatboard.block_out_shots(replace_existing=True)
bpy.ops.beatboard.render_storyboard()
mask = ops_render.build_request(scene, props.beats[0], "diffusers", 0).conditioning.masks
bpy.ops.beatboard.add_note(text="a bit more frightened", scope="ACTOR", actor="MARA", shot="1")
strips = sorted(scene.sequence_editor.strips, key=lambda s: s["beatboard_take"])
paths = [bpy.path.abspath(s.directory + s.elements[0].filename) for s in strips]
print(json.dumps({{"paths": paths, "labels": mask.labels, "mask": [mask.width, mask.height, mask.data_b64],
                  "prompts": [s["beatboard_prompt"] for s in strips], "error": props.last_error}}))
"""


def test_an_actor_note_on_diffusers_redraws_only_that_actor(extension_zip, tiny_models, tmp_path):
    import base64

    import numpy as np
    from PIL import Image, ImageFilter

    from beatboard.server_process import ServerProcess
    from render_server.backends.diffusers_backend import MASK_GROW_PX

    env = {"BEATBOARD_DIFFUSERS_MODEL": str(tiny_models["base"]), "BEATBOARD_CONTROLNET_DEPTH": str(tiny_models["depth"]),
           "BEATBOARD_CONTROLNET_OPENPOSE": str(tiny_models["openpose"]), "BEATBOARD_LORA_DIR": str(tiny_models["loras"]),
           "BEATBOARD_DIFFUSERS_DEVICE": "cpu"}
    with ServerProcess(tmp_path / "server-data", env=env) as server:
        r = run_blender(INSTALL_SNIPPET.format(zip=str(extension_zip)) + ACTOR_NOTE.format(
            url=server.url, frames=str(tmp_path / "frames")), tmp_path, timeout=600)
    assert r["error"] == "" and len(r["paths"]) == 2
    assert "(frightened)1.1" in r["prompts"][1] and "frightened" not in r["prompts"][0]
    before, after = (np.asarray(Image.open(p).convert("RGB")) for p in r["paths"])
    width, height, data = r["mask"]
    labels = np.frombuffer(base64.b64decode(data), dtype=np.uint8).reshape(height, width)
    mara = Image.fromarray(((labels == r["labels"].index("MARA") + 1) * 255).astype(np.uint8))
    region = np.asarray(mara.resize(before.shape[1::-1], Image.Resampling.NEAREST)
                        .filter(ImageFilter.MaxFilter(2 * MASK_GROW_PX + 1))) > 127
    assert region.any() and (~region).any()
    assert np.array_equal(before[~region], after[~region]), "outside MARA's region the previous take, exactly"
    assert not np.array_equal(before[region], after[region]), "MARA is redrawn"
