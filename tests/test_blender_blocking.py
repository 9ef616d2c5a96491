"""Blocking of the example in real Blender: the audit is clean at N=6, 12 and 24, the N=200
board's two-shots are not blank walls, and props are in the depth map."""

import pytest

from tests.conftest import EXAMPLE, INSTALL_SNIPPET, run_blender

pytestmark = pytest.mark.blender


def test_example_blocking_passes_the_audit_and_props_are_in_depth(extension_zip, server, tmp_path):
    result = run_blender(INSTALL_SNIPPET.format(zip=str(extension_zip)) + f"""
import base64
import numpy as np
from mathutils import Vector
bpy.context.preferences.addons[ADDON].preferences.server_url = {server.url!r}
scene = bpy.context.scene
scene.render.resolution_x, scene.render.resolution_y = 768, 432
props = scene.beatboard
bpy.ops.beatboard.load_script(filepath={str(EXAMPLE)!r})
from bl_ext.user_default.beatboard import conditioning, shot_facts
from bl_ext.user_default.beatboard.core.audit import audit
out = {{}}
for n in (6, 12, 24, 200):
    props.beat_count = n
    bpy.ops.beatboard.break_into_beats()
    bpy.ops.beatboard.block_out_shots(replace_existing=True)
    facts = [shot_facts.gather(scene, b) for b in props.beats]
    out[n] = {{"violations": [[v.shot, v.rule, v.detail] for v in audit(facts)],
              "shots": {{f.shot: [f.size, [a.name for a in f.actors if a.in_frame_fraction() >= 0.6],
                                 f.walls_between] for f in facts}}}}
    if n == 6:  # a depth pixel on the table is the ray-cast distance to it
        beat = props.beats[1]
        table = next(o for o in beat.camera.users_collection[0].objects if o.get("beatboard_set_part") == "prop_table")
        cam = conditioning.camera_model(scene, beat.camera)
        depth_map, _ = conditioning.depth_and_masks(scene, cam, 1.0, 0.1, 60.0)
        depth = np.frombuffer(base64.b64decode(depth_map.data_b64), dtype="<f2").reshape(depth_map.height, depth_map.width)
        corners = [table.matrix_world @ Vector(c) for c in table.bound_box]
        low = Vector([min(c[i] for c in corners) for i in range(3)])
        high = Vector([max(c[i] for c in corners) for i in range(3)])
        depsgraph = bpy.context.evaluated_depsgraph_get()
        for fx, fy in [(a / 8, b / 8) for a in range(1, 8) for b in range(1, 8)]:
            top = Vector((low.x + (high.x - low.x) * fx, low.y + (high.y - low.y) * fy, high.z))
            col, row, _ = cam.project(tuple(top))
            if not (0 <= col < cam.width_px and 0 <= row < cam.height_px):
                continue
            direction = Vector(cam.ray(int(col) + 0.5, int(row) + 0.5))
            hit, location, _, _, obj, _ = scene.ray_cast(depsgraph, Vector(cam.location), direction.normalized(),
                                                         distance=60.0)
            if hit and obj.name == table.name:  # not an actor's forearm resting on it
                out["table"] = [True, float(depth[int(row), int(col)]),
                                (location - Vector(cam.location)).length / direction.length]
                break
print(json.dumps(out))
""", tmp_path, timeout=300)
    for n in ("6", "12", "24"):
        assert result[n]["violations"] == [], f"N={n}: the example's blocking passes its own audit"
    # At N=200, two-shots were blank walls (the camera stood behind the set's back wall).
    two_shots = [facts for facts in result["200"]["shots"].values() if facts[0] == "TWO_SHOT"]
    assert two_shots, "the example at N=200 has two-shots"
    for size, in_frame, walls in two_shots:
        assert walls == [] and len(in_frame) >= 2
    hit_table, depth, ray = result["table"]
    assert hit_table and depth == pytest.approx(ray, rel=2e-3)
