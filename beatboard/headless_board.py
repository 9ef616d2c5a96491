"""Drive real Blender (the bpy module) through the add-on, as a user would, headless.

Run in its own process (``beatboard.board`` runs this file with the Blender interpreter,
``BEATBOARD_BLENDER_PYTHON`` or this one; it imports nothing from this package): it installs the
extension zip into a private Blender user folder, then calls the add-on's operators
one after another and saves the .blend. Only this driver uses Pillow; the add-on
itself stays stdlib + bpy.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def _fail(message: str) -> None:
    print(f"beatboard: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def _run(op, stage: str, timings: dict, **kwargs) -> None:
    started = time.perf_counter()
    try:
        result = op(**kwargs)
    except RuntimeError as exc:  # bpy turns an operator's ERROR report into RuntimeError
        _fail(f"{stage} failed: {str(exc).strip()}")
    if "FINISHED" not in result:
        _fail(f"{stage} did not finish ({result})")
    timings[stage] = time.perf_counter() - started
    print(f"beatboard: {stage} done in {timings[stage]:.2f} s", flush=True)


def _write_facts(scene, out: Path) -> dict[str, dict]:
    """What the audit measures per shot, as ``board_facts.json`` (read by ``beatboard audit``)."""
    from bl_ext.user_default.beatboard import shot_facts

    shots = [shot_facts.gather(scene, beat).to_dict() for beat in scene.beatboard.beats if beat.camera]
    (out / "board_facts.json").write_text(json.dumps({"title": scene.beatboard.title, "shots": shots}, indent=1))
    return {s["shot"]: s for s in shots}


def _export_conditioning(bpy, scene, out: Path, facts_by_shot: dict[str, dict]) -> None:
    """Per shot: metric depth (.npy float32 and 16-bit PNG in millimetres), keypoints JSON,
    the label mask and one mask per actor (PNG), and a Workbench blockout render."""
    import base64

    import numpy as np
    from PIL import Image

    from bl_ext.user_default.beatboard import ops_render
    from bl_ext.user_default.beatboard.core.wire import wire

    folder = out / "shots"
    folder.mkdir(parents=True, exist_ok=True)
    scene.render.engine = "BLENDER_WORKBENCH"
    scene.display.shading.color_type = "OBJECT"
    scene.display.shading.light = "STUDIO"
    scene.render.image_settings.file_format = "PNG"
    for beat in scene.beatboard.beats:
        number = beat.shot_number
        request = ops_render.build_request(scene, beat, "", 0)
        depth_map, mask = request.conditioning.depth, request.conditioning.masks
        depth = np.frombuffer(base64.b64decode(depth_map.data_b64), dtype="<f2").astype(np.float32)
        depth = depth.reshape(depth_map.height, depth_map.width)
        np.save(folder / f"shot_{number}_depth.npy", depth)
        millimetres = np.clip(depth * 1000.0, 0, 65535).astype(np.uint16)
        Image.fromarray(millimetres).save(folder / f"shot_{number}_depth_mm.png")
        labels = np.frombuffer(base64.b64decode(mask.data_b64), dtype=np.uint8).reshape(mask.height, mask.width)
        Image.fromarray(labels).save(folder / f"shot_{number}_labels.png")
        for index, name in enumerate(mask.labels, start=1):
            Image.fromarray(((labels == index) * 255).astype(np.uint8)).save(folder / f"shot_{number}_mask_{name}.png")
        facts = facts_by_shot.get(number, {})
        (folder / f"shot_{number}_keypoints.json").write_text(json.dumps({
            "shot": number, "width": request.width, "height": request.height,
            "near": depth_map.near, "far": depth_map.far, "labels": mask.labels,
            "camera": wire.to_dict(request.camera), "actors": wire.to_dict(request.actors),
            "poses": wire.to_dict(request.conditioning.poses), "props": facts.get("props", []),
            "audit": facts,
        }, indent=1))
        scene.camera = beat.camera
        scene.frame_set(beat.frame_start)
        scene.render.filepath = str(folder / f"shot_{number}_blockout.png")
        bpy.ops.render.render(write_still=True)
        print(f"beatboard: shot {number}: conditioning and blockout written", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zip", required=True)
    parser.add_argument("--script", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--token", default="")
    parser.add_argument("--n", type=int, default=6)
    parser.add_argument("--focus", default="")
    parser.add_argument("--backend", default="")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--project", default="", help="the project on the server (empty: the default project)")
    parser.add_argument("--width", type=int, default=768)
    parser.add_argument("--height", type=int, default=432)
    parser.add_argument("--block-only", action="store_true",
                        help="stop after blocking: write conditioning and Workbench blockouts per shot")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("BLENDER_USER_RESOURCES", tempfile.mkdtemp(prefix="beatboard-blender-"))

    import bpy  # after BLENDER_USER_RESOURCES: Blender reads it at import

    timings: dict[str, float] = {}
    started = time.perf_counter()
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.extensions.package_install_files(filepath=str(Path(args.zip).resolve()), repo="user_default",
                                              enable_on_install=True)
    addon = bpy.context.preferences.addons.get("bl_ext.user_default.beatboard")
    if addon is None:
        _fail("the Beatboard extension did not install from the zip")
    addon.preferences.server_url = args.server
    addon.preferences.token = args.token
    timings["install"] = time.perf_counter() - started

    scene = bpy.context.scene
    scene.render.resolution_x, scene.render.resolution_y = args.width, args.height
    scene.render.resolution_percentage = 100
    scene.render.fps, scene.render.fps_base = 24, 1.0
    scene.beatboard.beat_count = args.n
    scene.beatboard.focus = args.focus
    scene.beatboard.backend = args.backend
    scene.beatboard.steps = args.steps
    scene.beatboard.project = args.project or "default"
    scene.beatboard.output_dir = str(out / "frames")

    _run(bpy.ops.beatboard.load_script, "load script", timings, filepath=str(Path(args.script).resolve()))
    _run(bpy.ops.beatboard.break_into_beats, "break into beats", timings)
    _run(bpy.ops.beatboard.block_out_shots, "block out shots", timings, replace_existing=True)
    started = time.perf_counter()
    facts_by_shot = _write_facts(scene, out)
    timings["audit facts"] = time.perf_counter() - started
    if args.block_only:
        started = time.perf_counter()
        _export_conditioning(bpy, scene, out, facts_by_shot)
        timings["conditioning + blockouts"] = time.perf_counter() - started
    else:
        _run(bpy.ops.beatboard.render_storyboard, "render storyboard", timings)
    blend = out / "board.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))

    beats = scene.beatboard.beats
    strips = {b.shot_number: str(out / "shots" / f"shot_{b.shot_number}_blockout.png") for b in beats} \
        if args.block_only else {}
    if scene.sequence_editor:
        from bl_ext.user_default.beatboard import compat

        for strip in compat.strips(scene.sequence_editor):
            if not strip.mute:
                strips[strip.get("beatboard_shot")] = bpy.path.abspath(strip.directory + strip.elements[0].filename)
    summary = {
        "title": scene.beatboard.title,
        "blend": str(blend),
        "timings": timings,
        "render": scene.get("beatboard_last_render").to_dict() if scene.get("beatboard_last_render") else {},
        "shots": [
            {"number": b.shot_number, "heading": b.heading, "action": b.action, "dialogue": b.dialogue,
             "size": b.shot_size, "lens_mm": b.lens_mm, "frame_start": b.frame_start, "frame_end": b.frame_end,
             "camera": b.camera.name if b.camera else "", "frame": strips.get(b.shot_number, "")}
            for b in beats
        ],
    }
    (out / "board.json").write_text(json.dumps(summary, indent=2))
    print(f"beatboard: saved {blend}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
