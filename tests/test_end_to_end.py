"""The demo path, end to end: real server process, real Blender, frames on the timeline."""

import json

import pytest
from PIL import Image

from beatboard.board import run_board
from blender_addon.core.timing import frame_ranges, shot_seconds
from tests.conftest import EXAMPLE, run_blender

pytestmark = [pytest.mark.blender, pytest.mark.slow]


@pytest.mark.compat
def test_script_to_timeline_through_a_real_server(server, tmp_path):
    out = tmp_path / "board"
    result = run_board(EXAMPLE, out, server_url=server.url, width=512, height=288)
    shots = result.summary["shots"]
    assert len(shots) == 6
    for shot in shots:
        assert Image.open(shot["frame"]).size == (512, 288)
    # Frame ranges follow the script's words (BRIEF's duration rule), back to back from frame 1.
    expected = frame_ranges([shot_seconds(s["action"], s["dialogue"]) for s in shots], fps=24, start=1)
    assert [(s["frame_start"], s["frame_end"]) for s in shots] == expected

    saved = run_blender(f"""
import bpy, json
from blender_addon import compat
bpy.ops.wm.open_mainfile(filepath={str(result.blend)!r})
scene = bpy.context.scene
strips = sorted(compat.strips(scene.sequence_editor), key=lambda s: s.frame_final_start)
markers = sorted(scene.timeline_markers, key=lambda m: m.frame)
print(json.dumps({{
    "strips": [[s.get("beatboard_shot"), s.frame_final_start, s.frame_final_end - 1, s.type,
                s.get("beatboard_backend"), bool(s.get("beatboard_job"))] for s in strips],
    "markers": [[m.name, m.frame, m.camera.name if m.camera else None, m.camera.type if m.camera else None]
                for m in markers],
    "frame_end": scene.frame_end,
}}))
""", tmp_path)
    assert saved["strips"] == [[s["number"], s["frame_start"], s["frame_end"], "IMAGE", "previs", True]
                               for s in shots]
    assert saved["markers"] == [[s["number"], s["frame_start"], s["camera"], "CAMERA"] for s in shots]
    assert len({m[2] for m in saved["markers"]}) == 6, "each shot has its own camera"
    assert saved["frame_end"] == shots[-1]["frame_end"]
    assert Image.open(result.contact_sheet).size[0] > 3 * 400


def test_block_writes_conditioning_and_blockouts_per_shot(server, tmp_path):
    import numpy as np

    result = run_board(EXAMPLE, tmp_path / "block", server_url=server.url, width=384, height=216, block_only=True)
    shots = tmp_path / "block" / "shots"
    for shot in result.summary["shots"]:
        number = shot["number"]
        depth = np.load(shots / f"shot_{number}_depth.npy")
        assert depth.shape == (216, 384) and depth.dtype == np.float32
        millimetres = np.asarray(Image.open(shots / f"shot_{number}_depth_mm.png"))
        assert millimetres.dtype == np.uint16
        assert np.allclose(millimetres, np.clip(depth * 1000, 0, 65535).astype(np.uint16), atol=1)
        meta = json.loads((shots / f"shot_{number}_keypoints.json").read_text())
        assert meta["near"] < depth.min() + 1e-3 and depth.max() <= meta["far"] + 1e-3
        labels = np.asarray(Image.open(shots / f"shot_{number}_labels.png"))
        for index, name in enumerate(meta["labels"], start=1):
            mask = np.asarray(Image.open(shots / f"shot_{number}_mask_{name}.png")) > 0
            assert np.array_equal(mask, labels == index)
        seen = [p for p in meta["poses"] if any(k["visibility"] == "VISIBLE" for k in p["keypoints"])]
        assert seen, f"shot {number} shows nobody"
        for pose in meta["poses"]:
            assert len(pose["keypoints"]) == 18
            visible = [k for k in pose["keypoints"] if k["visibility"] == "VISIBLE"]
            if not visible:
                continue  # in the scene but outside this frame (a close-up of someone else)
            # A visible joint lands on that actor's own mask (a few pixels of tolerance).
            name_id = meta["labels"].index(pose["actor"]) + 1
            hits = sum(bool((labels[max(0, round(k["y"]) - 3):round(k["y"]) + 4,
                                    max(0, round(k["x"]) - 3):round(k["x"]) + 4] == name_id).any()) for k in visible)
            assert hits >= 0.8 * len(visible)
        assert Image.open(shots / f"shot_{number}_blockout.png").size == (384, 216)
    assert result.contact_sheet.exists()


def test_board_through_the_diffusers_backend_on_tiny_models(tiny_models, tmp_path):
    from beatboard.models_env import server_env_for_model

    folder = tiny_models["base"].parent  # the session's make-tiny-models folder, shared with the backend tests
    result = run_board(EXAMPLE, tmp_path / "board", backend="diffusers", width=128, height=72, steps=2, n=2,
                       server_env=server_env_for_model(str(folder)))
    frames = [Image.open(s["frame"]) for s in result.summary["shots"]]
    assert [f.size for f in frames] == [(128, 72), (128, 72)]
    saved = run_blender(f"""
import bpy, json
from blender_addon import compat
bpy.ops.wm.open_mainfile(filepath={str(result.blend)!r})
strips = compat.strips(bpy.context.scene.sequence_editor)
print(json.dumps({{"strips": [[s.get("beatboard_backend"), s.get("beatboard_prompt")] for s in strips]}}))
""", tmp_path)
    assert len(saved["strips"]) == 2
    for backend, prompt in saved["strips"]:
        assert backend == "diffusers" and prompt and "storyboard" not in prompt.lower()
