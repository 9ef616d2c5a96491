"""The add-on's behaviour inside real Blender: server down, the projection, hand edits."""

import pytest

from beatboard.server_process import free_port
from tests.conftest import EXAMPLE, INSTALL_SNIPPET, run_blender

pytestmark = pytest.mark.blender

BEATS_SNIPPET = """
scene = bpy.context.scene
scene.render.resolution_x, scene.render.resolution_y = {width}, {height}
for action, characters, size, lens in [
        ("Mara walks out of the fog.", "MARA", "WS", 24),
        ("Tomas counts coins.", "TOMAS, MARA", "CU", 85)]:
    beat = scene.beatboard.beats.add()
    beat.action, beat.characters, beat.shot_size, beat.lens_mm = action, characters, size, lens
    beat.int_ext, beat.location = "INT", "FERRY CABIN"
bpy.ops.beatboard.block_out_shots(replace_existing=True)
from bl_ext.user_default.beatboard import ops_render, conditioning
"""


def test_server_down_is_reported_clearly_within_two_seconds(extension_zip, tmp_path):
    result = run_blender(INSTALL_SNIPPET.format(zip=str(extension_zip)) + f"""
bpy.context.preferences.addons[ADDON].preferences.server_url = "http://127.0.0.1:{free_port()}"
bpy.ops.beatboard.load_script(filepath={str(EXAMPLE)!r})
started = time.monotonic()
try:
    bpy.ops.beatboard.break_into_beats()
    message = ""
except RuntimeError as exc:
    message = str(exc)
elapsed = time.monotonic() - started
print(json.dumps({{"message": message, "elapsed": elapsed,
                  "last_error": bpy.context.scene.beatboard.last_error,
                  "busy": bpy.context.scene.beatboard.busy, "beats": len(bpy.context.scene.beatboard.beats)}}))
""", tmp_path)
    assert result["elapsed"] < 2.0
    assert "cannot reach the Beatboard render server" in result["message"]
    assert "beatboard server" in result["last_error"], "the error says how to fix it"
    assert result["busy"] is False and result["beats"] == 0


@pytest.mark.parametrize("width, height, fit, shift", [
    (768, 432, "AUTO", (0.0, 0.0)),
    (768, 432, "HORIZONTAL", (0.1, -0.05)),
    (432, 768, "AUTO", (0.05, 0.1)),
    (1024, 429, "VERTICAL", (-0.1, 0.02)),
])
def test_keypoints_match_blenders_own_projection(extension_zip, tmp_path, width, height, fit, shift):
    result = run_blender(INSTALL_SNIPPET.format(zip=str(extension_zip)) + BEATS_SNIPPET.format(
        width=width, height=height) + f"""
from bpy_extras.object_utils import world_to_camera_view
errors = []
for beat in scene.beatboard.beats:
    cam = beat.camera
    cam.data.sensor_fit = {fit!r}
    cam.data.shift_x, cam.data.shift_y = {shift!r}
    model = conditioning.camera_model(scene, cam)
    for rig in conditioning.actor_rigs(cam.users_collection[0]):
        for bone in rig.pose.bones:
            world = rig.matrix_world @ bone.head
            ndc = world_to_camera_view(scene, cam, world)
            x, y, depth = model.project(tuple(world))
            if depth < cam.data.clip_start:
                continue  # nearer than the lens sees: single-precision noise in Blender's own math
            errors.append(max(abs(x - ndc.x * {width}), abs(y - (1 - ndc.y) * {height}), abs(depth - ndc.z)))
print(json.dumps({{"max_error": max(errors), "count": len(errors)}}))
""", tmp_path)
    assert result["count"] > 40
    assert result["max_error"] < 0.5


def test_a_camera_moved_by_hand_is_the_one_the_next_render_uses(extension_zip, tmp_path):
    result = run_blender(INSTALL_SNIPPET.format(zip=str(extension_zip)) + BEATS_SNIPPET.format(
        width=320, height=180) + """
beat = scene.beatboard.beats[1]
before = ops_render.build_request(scene, beat, "", 1)
beat.camera.location.x += 0.4
beat.camera.data.lens = 50
bpy.context.view_layer.update()
after = ops_render.build_request(scene, beat, "", 1)
rig = conditioning.actor_rigs(beat.camera.users_collection[0])[0]
rig["beatboard_lora_weight"] = 0.4
rig["beatboard_lora"] = "none"
rig.pose.bones["r_shoulder"].rotation_mode = "XYZ"
rig.pose.bones["r_shoulder"].rotation_euler = (0.0, 0.0, 1.2)  # the arm swings out
bpy.context.view_layer.update()
posed = ops_render.build_request(scene, beat, "", 1)
wrist_index = 4
blocked_again = True
try:
    bpy.ops.beatboard.block_out_shots()
except RuntimeError as exc:
    blocked_again = str(exc)
print(json.dumps({
    "before": [list(before.camera.location), before.camera.focal_length_mm,
               [k.x for k in before.conditioning.poses[0].keypoints]],
    "after": [list(after.camera.location), after.camera.focal_length_mm,
              [k.x for k in after.conditioning.poses[0].keypoints]],
    "camera_now": list(beat.camera.location), "blocked_again": blocked_again,
    "wrist": [[after.conditioning.poses[0].keypoints[wrist_index].x, after.conditioning.poses[0].keypoints[wrist_index].y],
              [posed.conditioning.poses[0].keypoints[wrist_index].x, posed.conditioning.poses[0].keypoints[wrist_index].y]],
    "depth_changed": posed.conditioning.depth.data_b64 != after.conditioning.depth.data_b64,
    "lora": [posed.actors[0].lora, posed.actors[0].lora_weight],
}))
""", tmp_path)
    assert result["after"][0][0] == pytest.approx(result["before"][0][0] + 0.4, abs=1e-4)
    assert result["after"][1] == 50
    assert result["after"][2] != result["before"][2], "keypoints follow the moved camera"
    assert result["camera_now"] == result["after"][0], "blocking again without asking kept the edit"
    assert "hand edits would be lost" in result["blocked_again"]
    (x0, y0), (x1, y1) = result["wrist"]
    assert abs(x1 - x0) + abs(y1 - y0) > 5, "a hand-posed arm moves the wrist keypoint"
    assert result["depth_changed"], "and the depth the server gets"
    assert result["lora"] == ["none", 0.4], "the actor's LoRA choice and weight travel with the request"


def test_beats_from_an_fdx_land_in_an_editable_list(extension_zip, server, tmp_path):
    from tests.test_beats_input import FDX

    script = tmp_path / "lamp.fdx"
    script.write_text(FDX)
    result = run_blender(INSTALL_SNIPPET.format(zip=str(extension_zip)) + f"""
bpy.context.preferences.addons[ADDON].preferences.server_url = {server.url!r}
props = bpy.context.scene.beatboard
bpy.ops.beatboard.load_script(filepath={str(script)!r})
props.beat_count = 3
bpy.ops.beatboard.break_into_beats()
text = props.script_text.as_string()
first = [b.action for b in props.beats]
props.active_beat = 0
bpy.ops.beatboard.beat_move(direction="DOWN")
moved = [b.action for b in props.beats]
bpy.ops.beatboard.beat_add()
added = len(props.beats), props.beats[props.active_beat].action
bpy.ops.beatboard.beat_remove()
props.beats[0].action = "Odile alone with the lens."
print(json.dumps({{"fountain": text.startswith("INT. LIGHTHOUSE"), "first": first, "moved": moved,
                  "added": added, "after": [b.action for b in props.beats], "status": props.status,
                  "lines": [[b.line_start, b.line_end] for b in props.beats]}}))
""", tmp_path)
    assert result["fountain"], "the FDX was replaced by the Fountain its line numbers refer to"
    assert len(result["first"]) == 3 and "3 beats from 2 scenes (offline)" in result["status"]
    assert result["moved"] == [result["first"][1], result["first"][0], result["first"][2]]
    assert result["added"] == [4, "New beat"]
    assert result["after"][0] == "Odile alone with the lens." and len(result["after"]) == 3


def test_refresh_models_fills_the_backend_dropdown(extension_zip, server, tmp_path):
    result = run_blender(INSTALL_SNIPPET.format(zip=str(extension_zip)) + f"""
bpy.context.preferences.addons[ADDON].preferences.server_url = {server.url!r}
bpy.ops.beatboard.refresh_models()
props = bpy.context.scene.beatboard
print(json.dumps({{"backends": [[b.name, b.available] for b in props.offered_backends], "status": props.status}}))
""", tmp_path)
    assert ["previs", True] in result["backends"]
    assert ["diffusers", False] in result["backends"], "offered, with the reason it is not ready"
    assert "backends ready" in result["status"]


def test_an_entrance_into_the_same_setup_reuses_the_earlier_frame(extension_zip, server, tmp_path):
    from render_server.storage.job_store import JobStore

    result = run_blender(INSTALL_SNIPPET.format(zip=str(extension_zip)) + f"""
bpy.context.preferences.addons[ADDON].preferences.server_url = {server.url!r}
scene = bpy.context.scene
scene.render.resolution_x, scene.render.resolution_y = 160, 90
scene.beatboard.output_dir = {str(tmp_path / "frames")!r}
for action, characters, entering in [("Mara and Tomas wait.", "MARA, TOMAS", ""),
                                     ("June bursts in.", "MARA, TOMAS, JUNE", "JUNE"),
                                     ("Tomas laughs.", "MARA, TOMAS, JUNE", "")]:
    beat = scene.beatboard.beats.add()
    beat.action, beat.characters, beat.entering = action, characters, entering
    beat.shot_size, beat.lens_mm, beat.scene_number, beat.int_ext = "WS", 24, "2", "INT"
bpy.ops.beatboard.block_out_shots(replace_existing=True)
continues = [b.continues_shot for b in scene.beatboard.beats]
bpy.ops.beatboard.render_storyboard()
first_run = scene["beatboard_last_render"].to_dict()["jobs"]
scene.beatboard.beats[1].camera.location.z += 0.3   # a layout artist changes the setup
bpy.context.view_layer.update()
bpy.ops.beatboard.render_storyboard()
second_run = scene["beatboard_last_render"].to_dict()["jobs"]
unchanged = scene["beatboard_last_render"].to_dict()["unchanged"]
print(json.dumps({{"continues": continues, "first": first_run, "second": second_run, "unchanged": unchanged}}))
""", tmp_path)
    assert result["continues"] == ["", "1", ""]
    store = JobStore(server.data_dir / "jobs.sqlite3")
    reused = store.request_of(result["first"][1])
    assert reused.plate_job == result["first"][0] and reused.inpaint_actors == ["JUNE"]
    assert store.request_of(result["first"][0]).plate_job == ""
    # Only the moved shot renders again (the others are unchanged: answered from the frame cache, not placed).
    assert result["unchanged"] == ["1", "3"] and len(result["second"]) == 1
    assert store.request_of(result["second"][0]).plate_job == "", "a moved camera is a new setup: no plate"
