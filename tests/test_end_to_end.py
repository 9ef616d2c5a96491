"""The demo path, end to end: real server process, real Blender, frames on the timeline."""


import pytest
from PIL import Image

from beatboard.board import run_board
from blender_addon.core.timing import frame_ranges, shot_seconds
from tests.conftest import EXAMPLE, run_blender

pytestmark = [pytest.mark.blender, pytest.mark.slow]


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
bpy.ops.wm.open_mainfile(filepath={str(result.blend)!r})
scene = bpy.context.scene
strips = sorted(scene.sequence_editor.strips, key=lambda s: s.frame_final_start)
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
