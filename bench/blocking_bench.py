"""Blocking and conditioning speed inside real Blender (bpy), no server needed.

Installs the extension zip into a private Blender user folder, adds six beats of the
example kind, then times Block Out Shots and, per shot at 768x432, depth + masks
(z-buffer), keypoints (projection + occlusion rays), and the whole render request; it
counts the triangles the z-buffer draws per shot (all, and the actors'), which the
depth time follows and which, unlike times, do not vary with the machine's load (nor
much does the CPU time of depth + masks, also printed, on a machine others share).

Usage: .venv/bin/python bench/blocking_bench.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from beatboard.extension_build import build_extension  # noqa: E402

SCRIPT = r"""
import bpy, json, statistics, time
bpy.ops.wm.read_factory_settings(use_empty=True)
bpy.ops.extensions.package_install_files(filepath=ZIP, repo="user_default", enable_on_install=True)
from bl_ext.user_default.beatboard import conditioning, ops_render
scene = bpy.context.scene
scene.render.resolution_x, scene.render.resolution_y = 768, 432
beats = [
    ("EXT", "HARBOUR PIER", "EWS", 18, "MARA", "MARA walks out of the fog."),
    ("INT", "FERRY CABIN", "MLS", 35, "TOMAS", "Tomas counts coins at a table."),
    ("INT", "FERRY CABIN", "TWO_SHOT", 40, "TOMAS, MARA", "Mara slams her fist on the table."),
    ("INT", "FERRY CABIN", "MCU", 65, "TOMAS, MARA", "Tomas looks up at last."),
    ("INT", "FERRY CABIN", "WS", 24, "TOMAS, MARA, JUNE", "June bursts in."),
    ("INT", "FERRY CABIN", "CU", 85, "TOMAS, MARA, JUNE", "Tomas laughs."),
]
for ie, loc, size, lens, chars, action in beats:
    b = scene.beatboard.beats.add()
    b.int_ext, b.location, b.shot_size, b.lens_mm, b.characters, b.action = ie, loc, size, lens, chars, action
rows = {"block out 6 shots (s)": [], "depth + masks per shot (s)": [], "keypoints per shot (s)": [],
        "render request per shot (s)": [], "depth + masks CPU per shot (s)": [], "triangles per shot": [], "actor triangles per shot": []}
for _ in range(REPEAT):
    t = time.perf_counter()
    bpy.ops.beatboard.block_out_shots(replace_existing=True)
    rows["block out 6 shots (s)"].append(time.perf_counter() - t)
    for beat in scene.beatboard.beats:
        cam = conditioning.camera_model(scene, beat.camera)
        t, cpu = time.perf_counter(), time.process_time()
        conditioning.depth_and_masks(scene, cam, 1.0, 0.1, 60.0)
        rows["depth + masks per shot (s)"].append(time.perf_counter() - t)
        rows["depth + masks CPU per shot (s)"].append(time.process_time() - cpu)
        tris, labels, _ = conditioning.scene_triangles(scene, cam, 60.0)
        rows["triangles per shot"].append(len(tris))
        rows["actor triangles per shot"].append(int((labels > 0).sum()))
        t = time.perf_counter()
        for rig in conditioning.actor_rigs(beat.camera.users_collection[0]):
            conditioning.keypoints_for(scene, cam, rig)
        rows["keypoints per shot (s)"].append(time.perf_counter() - t)
        t = time.perf_counter()
        ops_render.build_request(scene, beat, "", 0)
        rows["render request per shot (s)"].append(time.perf_counter() - t)
print(json.dumps({k: [statistics.median(v), min(v), max(v)] for k, v in rows.items()}))
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        zip_path = build_extension(Path(tmp))
        code = f"ZIP = {str(zip_path)!r}\nREPEAT = {args.repeat}\n" + SCRIPT
        env = {**os.environ, "BLENDER_USER_RESOURCES": tmp}
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        print(done.stdout[-3000:], done.stderr[-3000:])
        return 1
    rows = json.loads(lines[-1])
    print(f"\nBlocking and conditioning at 768x432, {args.repeat} repeats (targets: 6 shots < 1 s; "
          f"depth + pose + masks < 0.3 s per shot)\n")
    print(f"{'measure':<32}{'median':>10}{'min':>10}{'max':>10}")
    for name, (median, low, high) in rows.items():
        digits = 0 if "triangles" in name else 3
        print(f"{name:<32}{median:>10.{digits}f}{low:>10.{digits}f}{high:>10.{digits}f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
