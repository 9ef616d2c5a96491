"""The blocked-out scene in real Blender reads as people in a place: a body with a chest and a
face side in depth, someone lying on a bed at its height, a doorway cut into the wall."""

import pytest

from tests.conftest import INSTALL_SNIPPET, run_blender

pytestmark = pytest.mark.blender

SCRIPT = """
import base64
import numpy as np
from mathutils import Vector
scene = bpy.context.scene
scene.render.resolution_x, scene.render.resolution_y = 384, 216
for loc, size, lens, chars, entering, action in [
        ("BEDROOM", "MS", 40, "ANNA", "", "ANNA lies on the bed, staring at the ceiling."),
        ("FERRY CABIN", "WS", 24, "TOMAS, JUNE", "JUNE", "The door bursts open. JUNE comes in from the rain."),
        ("FERRY CABIN", "CU", 85, "TOMAS", "", "Tomas looks at her.")]:
    beat = scene.beatboard.beats.add()
    beat.int_ext, beat.location, beat.shot_size, beat.lens_mm = "INT", loc, size, lens
    beat.characters, beat.entering, beat.action, beat.scene_number = chars, entering, action, loc
bpy.ops.beatboard.block_out_shots(replace_existing=True)
from bl_ext.user_default.beatboard import conditioning, shot_facts
from bl_ext.user_default.beatboard.core.audit import audit
from bl_ext.user_default.beatboard.core.projection import PinholeCamera, camera_rotation
beats = scene.beatboard.beats
depsgraph = bpy.context.evaluated_depsgraph_get()
out = {"violations": [[v.shot, v.rule, v.detail] for v in audit([shot_facts.gather(scene, b) for b in beats])]}

def objects(beat):
    return list(beat.camera.users_collection[0].objects)

def rig_of(beat, name):
    return next(o for o in objects(beat) if o.type == "ARMATURE" and o.get("beatboard_actor") == name)

# Lying on the bed: joints at the bed top, the body resting on it, the face's keypoints seen.
anna = rig_of(beats[0], "ANNA")
joints = {b.name: list(anna.matrix_world @ b.head) for b in anna.pose.bones}
bed = next(o for o in objects(beats[0]) if o.get("beatboard_set_part") == "prop_bed")
body = next(o for o in objects(beats[0]) if o.type == "MESH" and o.get("beatboard_actor") == "ANNA" and "body" in o.name)
mesh = body.evaluated_get(depsgraph).to_mesh()
lowest = min((body.matrix_world @ v.co).z for v in mesh.vertices)
cam = conditioning.camera_model(scene, beats[0].camera)
seen = conditioning.keypoints_for(scene, cam, anna)
out["lying"] = {"joints": joints, "bed_top": max((bed.matrix_world @ Vector(c)).z for c in bed.bound_box),
                "lowest": lowest, "nose": seen.keypoints[0].visibility.value}

# The door: the right wall is cut round an opening; a ray through the opening passes, beside it hits the wall.
parts = {o.get("beatboard_set_part", ""): o for o in objects(beats[1])}
slab = parts["prop_door"]
corners = [slab.matrix_world @ Vector(c) for c in slab.bound_box]
wall_x = beats[1].stage_x + 6.0
pieces = [n for n in parts if n.startswith("wall_right")]
over = parts["wall_right_over_door"]
over_corners = [over.matrix_world @ Vector(c) for c in over.bound_box]
door_y = sum(c.y for c in over_corners) / 8
def hits(y):
    hit, _, _, _, obj, _ = scene.ray_cast(depsgraph, Vector((wall_x - 1.0, y, 1.0)), Vector((1, 0, 0)), distance=2.0)
    return obj.get("beatboard_set_part", obj.name) if hit else ""
out["door"] = {"pieces": sorted(pieces), "through": hits(door_y), "beside": hits(door_y + 1.5),
               "slab_x": [min(c.x for c in corners) - wall_x, max(c.x for c in corners) - wall_x]}

# The body in depth: a level camera in front of Tomas at chest height; another at his head, front and back.
tomas = rig_of(beats[2], "TOMAS")
height = float(tomas["beatboard_height"])
base = tomas.matrix_world.translation
def depth_from(location, yaw, pitch=0.0):
    camera = PinholeCamera(tuple(location), camera_rotation(yaw, pitch), 50.0, 36.0, 20.25, 384, 216, "HORIZONTAL")
    depth_map, mask = conditioning.depth_and_masks(scene, camera, 1.0, 0.1, 60.0)
    depth = np.frombuffer(base64.b64decode(depth_map.data_b64), dtype="<f2").reshape(216, 384).astype(float)
    labels = np.frombuffer(base64.b64decode(mask.data_b64), dtype=np.uint8).reshape(216, 384)
    return camera, depth, labels == (mask.labels.index("TOMAS") + 1)
facing = tomas.matrix_world.to_euler().z
front = Vector((np.sin(facing), -np.cos(facing), 0.0))
camera, depth, mine = depth_from(base + front * 2.5 + Vector((0, 0, 0.65 * height)), np.degrees(facing))
def at(z):
    x, y, _ = camera.project(tuple(base + Vector((0, 0, z * height))))
    return float(depth[int(y), int(x)]), bool(mine[int(y), int(x)])
out["torso"] = {"chest": at(0.685), "waist": at(0.615)}
head_centre = base + Vector((0, 0, 0.935 * height))
for side, sign in (("front", 1.0), ("back", -1.0)):
    camera, depth, mine = depth_from(head_centre + front * sign * 1.5, np.degrees(facing) + (0.0 if sign > 0 else 180.0))
    out[side] = 1.5 - float(depth[mine].min())
print(json.dumps(out))
"""


def test_lying_on_a_bed_a_door_in_the_wall_and_a_body_that_reads_in_depth(extension_zip, tmp_path):
    result = run_blender(INSTALL_SNIPPET.format(zip=str(extension_zip)) + SCRIPT, tmp_path, timeout=180)
    assert result["violations"] == [], "the lying person and the door keep the board audit clean"

    lying = result["lying"]
    bed_top, joints = lying["bed_top"], lying["joints"]
    assert bed_top == pytest.approx(0.5, abs=0.01)
    for name in ("neck", "r_hip", "l_hip", "r_knee", "l_knee", "r_ankle", "l_ankle"):
        assert bed_top < joints[name][2] < bed_top + 0.2, f"{name} lies at the bed's height"
    assert abs(joints["neck"][0] - joints["r_ankle"][0]) > 1.0, "laid out horizontally across the frame"
    assert bed_top - 0.02 < lying["lowest"] < bed_top + 0.03, "resting on the bed, not sunk in it or floating"
    assert lying["nose"] == "VISIBLE"

    door = result["door"]
    assert door["pieces"] == ["wall_right_by_door_a", "wall_right_by_door_b", "wall_right_over_door"]
    assert "JUNE" in door["through"], "the opening is open, and June, who bursts in, stands in it"
    assert door["beside"].startswith("wall_right"), "beside the opening, the wall"
    assert door["slab_x"][1] < 0.0 and door["slab_x"][0] < -0.8, "the slab swung open into the room"

    (chest, chest_mine), (waist, waist_mine) = result["torso"]["chest"], result["torso"]["waist"]
    assert chest_mine and waist_mine
    assert chest < waist - 0.012, "a chest, not a cylinder"
    assert result["front"] > result["back"] + 0.03, "the nose and visor stand out on the face side"
