"""Hand-off exports, each read back with an independent reader: the PDFs with poppler
(pdftotext / pdfinfo / pdftoppm), the CSV with the csv module, the timelines with
OpenTimelineIO and its adapters, the MP4 with ffprobe / ffmpeg, the USD with pxr, and the
editorial round trip through Blender's Import Editorial Timing."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from beatboard.board import run_board
from beatboard.export.run import ExportOptions, export_board
from blender_addon.core.board_model import Board
from tests.conftest import EXAMPLE, INSTALL_SNIPPET, run_blender

pytestmark = [pytest.mark.blender, pytest.mark.slow]

WIDTH, HEIGHT = 384, 216
DIALOGUE = "Then take me as far as the storm \u2014 it\u2019s \u201cpaid\u201d, Se\u00f1or Fran\u00e7ois."
LONG_ACTION = ("Tomas looks up at last. He studies her face, then the suitcase, then the rain-black window "
               "where the harbour lights smear and vanish one after another. It is dripping, and it is ticking, "
               "a small patient sound under the engine\u2019s cough; he counts the ticks without meaning to, "
               "lips moving, and the coins in his palm go still. Somewhere below, a chain drags across steel. "
               "Mara does not look away. Neither does he.")
NOTE = "Warmer caf\u00e9 light \u2014 she\u2019s \u201cdone waiting\u201d"
WATERMARK = "CONFIDENTIAL"

PREPARE = """
import shutil
bpy.ops.wm.open_mainfile(filepath={blend!r})
scene = bpy.context.scene
sequencer = __import__(ADDON + ".sequencer", fromlist=["x"])
beats = {{b.shot_number: b for b in scene.beatboard.beats}}
beats["3"].speaker, beats["3"].dialogue = "MARA", {dialogue!r}
beats["4"].action = {action!r}
strips = scene.sequence_editor.strips
by_shot = {{s["beatboard_shot"]: s for s in strips}}
by_shot["3"]["beatboard_notes"] = {note!r}
# A second take of shot 1 (a copy of shot 2's frame); the director picked the first one.
first = by_shot["1"]
second_image = {second!r}
shutil.copy(bpy.path.abspath(by_shot["2"].directory + by_shot["2"].elements[0].filename), second_image)
sequencer.place_take(scene, "1", beats["1"].frame_start, beats["1"].frame_end, second_image,
                     {{"job": "handmade", "frame": 0, "seed": 7, "backend": "previs", "prompt": "second take"}})
first["beatboard_picked"] = True
bpy.ops.wm.save_mainfile()
print(json.dumps({{"takes": len(scene.sequence_editor.strips)}}))
"""


@pytest.fixture(scope="session")
def exported(server, extension_zip, tmp_path_factory):
    """One board of the example script (six shots), edited as a director would, exported once."""
    folder = tmp_path_factory.mktemp("export-board")
    run_board(EXAMPLE, folder, server_url=server.url, width=WIDTH, height=HEIGHT)
    run_blender(INSTALL_SNIPPET.format(zip=str(extension_zip)) + PREPARE.format(
        blend=str(folder / "board.blend"), dialogue=DIALOGUE, action=LONG_ACTION, note=NOTE,
        second=str(folder / "frames" / "shot_1_second_take.png")), tmp_path_factory.mktemp("prepare"))
    result = export_board(folder, folder / "out", ExportOptions(watermark=WATERMARK, version="v7"))
    board = Board.read(folder / "out" / "board_export.json")
    return folder, result, board


def _one(result, kind: str, suffix: str) -> Path:
    return next(p for p in result.files[kind] if p.suffix == suffix)


def _pdfinfo(path: Path) -> dict:
    text = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in text.splitlines() if ":" in line)}


def _words(path: Path, page: int = 1) -> tuple[list[tuple[str, float, float, float, float]], float, float]:
    """Every word on a page with its box, from poppler's own layout (pdftotext -bbox)."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    size = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html)
    words = [(w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in
             re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                        html)]
    return words, float(size.group(1)), float(size.group(2))


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_gathered_board_is_the_blend_as_the_director_left_it(exported):
    _, _, board = exported
    assert [s.number for s in board.shots] == ["1", "2", "3", "4", "5", "6"]
    assert (board.fps_num, board.fps_den, board.width, board.height) == (24, 1, WIDTH, HEIGHT)
    shot1 = board.shots[0]
    assert [t.take for t in shot1.takes] == [1, 2]
    assert shot1.chosen_take.take == 1, "the picked take wins over the latest one"
    assert board.shots[1].chosen_take.take == 1  # nothing picked: the latest (only) take
    assert board.shots[2].notes == [NOTE]
    for shot in board.shots:
        assert shot.camera and shot.camera.focal_length_mm == shot.lens_mm
        assert Path(shot.chosen_take.image).is_file()


def test_storyboard_pdf_is_one_page_of_six_panels_with_every_shots_text(exported, tmp_path):
    folder, result, board = exported
    pdf = _one(result, "pdf", ".pdf")
    info = _pdfinfo(pdf)
    assert info["Pages"] == "1"
    width, height = (float(v) for v in re.findall(r"[\d.]+", info["Page size"])[:2])
    assert width > height, "landscape"
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = _flat(text)
    for shot in board.shots:
        assert f"SHOT {shot.number}" in flat
        assert _flat(shot.action) in flat, f"shot {shot.number}'s action is cut or garbled"
        assert f"{shot.duration_frames} fr" in flat
    assert "MARA: \u201c" + DIALOGUE + "\u201d" in flat, "the dialogue, its speaker and its Unicode survive"
    assert NOTE in flat
    for expected in ("The Last Ferry", "Page 1 of 1", "v7", "EXT. HARBOUR PIER - NIGHT", "EWS", "18 mm"):
        assert expected in flat, expected

    words, page_w, page_h = _words(pdf)
    assert words and all(0 <= x0 and x1 <= page_w and 0 <= y0 and y1 <= page_h for _, x0, y0, x1, y1 in words), \
        "text outside the page"
    # No word sits on another (the rotated watermark is meant to lie across everything).
    boxes = [w for w in words if WATERMARK not in w[0] and not set(w[0]) <= set(WATERMARK)]
    overlaps = [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                if min(a[3], b[3]) - max(a[1], b[1]) > 1.0 and min(a[4], b[4]) - max(a[2], b[2]) > 1.0]
    assert overlaps == [], f"overprinted words: {overlaps[:5]}"

    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    from PIL import Image

    picture = Image.open(tmp_path / "page-1.png")
    assert picture.size[0] == pytest.approx(width * 50 / 72, abs=1)
    assert picture.size[1] == pytest.approx(height * 50 / 72, abs=1)
    # the frames are drawn: a panel's middle is not paper white
    assert picture.convert("L").crop((60, 80, 140, 120)).getextrema()[0] < 200


@pytest.mark.parametrize("layout,page,pages", [("3x1", "LETTER", 2), ("2x1", "A4", 3), ("1x1", "TABLOID", 6)])
def test_other_layouts_and_papers(exported, tmp_path, layout, page, pages):
    from beatboard.export.pdf_sheets import SheetOptions, write_sheets

    _, _, board = exported
    pdf = write_sheets(board, tmp_path / "sheets.pdf", SheetOptions(layout=layout, page_size=page))
    info = _pdfinfo(pdf)
    assert info["Pages"] == str(pages)
    expected = {"LETTER": "792 x 612", "A4": "841.89 x 595.276", "TABLOID": "1224 x 792"}[page]
    assert info["Page size"].startswith(expected)
    text = _flat(subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True).stdout)
    assert all(_flat(s.action) in text for s in board.shots)
    assert f"Page {pages} of {pages}" in text


def test_shot_list_csv_and_pdf(exported):
    _, result, board = exported
    with open(_one(result, "shotlist", ".csv"), newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["shot"] for r in rows] == [s.number for s in board.shots]
    for row, shot in zip(rows, board.shots):
        assert row["lens_mm"] == f"{shot.lens_mm:g}" and row["sensor_mm"] == "36"
        assert int(row["duration_frames"]) == shot.frame_end - shot.frame_start + 1
        assert float(row["duration_s"]) == pytest.approx(int(row["duration_frames"]) / 24, abs=0.006)
        assert [float(v) for v in row["camera_position_m"].split(",")] == pytest.approx(shot.camera.location,
                                                                                        abs=0.006)
        assert row["int_ext"] in ("INT", "EXT") and row["location"] and row["size"] and row["angle"]
        assert row["move"] == "static" and row["characters"]
    assert rows[2]["dialogue"] == f"MARA: {DIALOGUE}" and rows[2]["notes"] == NOTE
    assert rows[0]["take"] == "1" and rows[0]["take_image"] == board.shots[0].takes[0].image
    text = _flat(subprocess.run(["pdftotext", "-raw", str(_one(result, "shotlist", ".pdf")), "-"],
                                capture_output=True, text=True).stdout)
    for column in ("Shot", "I/E", "Location", "Lens", "Sensor", "Position (m)", "Rotation (\u00b0)", "Move",
                   "Characters", "Action", "Dialogue", "Take", "Notes"):
        assert column in text


def test_otio_has_a_clip_per_shot_at_exact_durations_with_metadata(exported):
    import opentimelineio as otio

    _, result, board = exported
    timeline = otio.adapters.read_from_file(str(_one(result, "otio", ".otio")))
    (track,) = timeline.video_tracks()
    clips = list(track.find_clips())
    assert len(clips) == 6
    for index, (clip, shot) in enumerate(zip(clips, board.shots)):
        duration = clip.source_range.duration
        assert (duration.value, duration.rate) == (shot.duration_frames, 24.0)
        placed = track.range_of_child_at_index(index)
        assert placed.start_time.value == shot.frame_start - board.frame_start
        meta = clip.metadata["beatboard"]
        take = shot.chosen_take
        assert (meta["shot"], meta["take"], meta["job"], meta["seed"], meta["camera"], meta["lens_mm"]) == \
            (shot.number, take.take, take.job, take.seed, shot.camera.name, shot.lens_mm)
        assert meta["prompt"] == take.prompt
        assert clip.media_reference.target_url == Path(take.image).as_uri()
        assert [m.name for m in clip.markers] == [f"Shot {shot.number}"]


@pytest.mark.parametrize("kind,suffix,adapter", [("edl", ".edl", "cmx_3600"), ("fcp7", ".xml", "fcp_xml")])
def test_edl_and_fcp7_read_back_through_the_adapters(exported, kind, suffix, adapter):
    import opentimelineio as otio

    _, result, board = exported
    path = _one(result, kind, suffix)
    kwargs = {"rate": 24} if adapter == "cmx_3600" else {}
    timeline = otio.adapters.read_from_file(str(path), adapter_name=adapter, **kwargs)
    track = timeline.video_tracks()[0]
    clips = [(i, c) for i, c in enumerate(track) if isinstance(c, otio.schema.Clip)]
    assert len(clips) == 6
    for (index, clip), shot in zip(clips, board.shots):
        placed = track.range_of_child_at_index(index)
        record_in = placed.start_time.rescaled_to(24).value
        record_out = placed.end_time_exclusive().rescaled_to(24).value
        assert (record_in, record_out) == (shot.frame_start - board.frame_start, shot.frame_end + 1 - board.frame_start)
        assert clip.name == f"Shot {shot.number}"


def test_animatic_mp4_is_the_board_at_its_rate_and_size_with_the_picked_take(exported, tmp_path):
    from PIL import Image, ImageStat

    _, result, board = exported
    movie = result.files["animatic"][0]
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
         "stream=codec_name,width,height,r_frame_rate,nb_read_frames:format=duration", "-of", "json", str(movie)],
        capture_output=True, text=True, check=True).stdout)
    stream = probe["streams"][0]
    frames = board.shots[-1].frame_end - board.frame_start + 1
    assert stream["codec_name"] == "h264" and (stream["width"], stream["height"]) == (WIDTH, HEIGHT)
    assert stream["r_frame_rate"] == "24/1"
    assert abs(int(stream["nb_read_frames"]) - frames) <= 1
    assert abs(float(probe["format"]["duration"]) - frames / 24) <= 1 / 24 + 1e-6
    # Shot 1's middle frame shows its picked take 1, not the later take 2 (shot 2's picture).
    shot = board.shots[0]
    middle = (shot.frame_start + shot.frame_end) / 2 - board.frame_start
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", f"{middle / 24:.3f}", "-i", str(movie), "-frames:v", "1",
                    str(tmp_path / "frame.png")], check=True)

    def mean(path):
        return ImageStat.Stat(Image.open(path).convert("RGB").resize((96, 54))).mean

    seen = mean(tmp_path / "frame.png")
    picked, later = mean(shot.takes[0].image), mean(shot.takes[1].image)
    distance = lambda a, b: sum((x - y) ** 2 for x, y in zip(a, b))  # noqa: E731
    assert distance(seen, picked) < distance(seen, later)


def test_cameras_to_usd_fbx_and_json_sheets(exported):
    from pxr import Usd, UsdGeom

    _, result, board = exported
    files = {p.name: p for p in result.files["cameras"]}
    stage = Usd.Stage.Open(str(files["cameras.usda"]))
    cameras = [p for p in stage.Traverse() if p.IsA(UsdGeom.Camera)]
    assert len(cameras) == 6
    metres = UsdGeom.GetStageMetersPerUnit(stage)
    by_shot = {}
    for prim in cameras:
        parent = prim.GetParent()
        by_shot[parent.GetAttribute("userProperties:beatboard_shot").Get()] = (prim, parent)
    for shot in board.shots:
        prim, parent = by_shot[shot.number]
        camera = UsdGeom.Camera(prim).GetCamera(Usd.TimeCode.Default())
        # USD lenses are in tenths of a scene unit
        assert camera.focalLength / 10 * metres * 1000 == pytest.approx(shot.lens_mm, rel=1e-4)
        assert camera.horizontalAperture / 10 * metres * 1000 == pytest.approx(36.0, rel=1e-4)
        clipping = camera.clippingRange
        assert (clipping.min, clipping.max) == pytest.approx((shot.camera.clip_start, shot.camera.clip_end))
        world = UsdGeom.Xformable(prim).ComputeLocalToWorldTransform(Usd.TimeCode.Default())
        assert list(world.ExtractTranslation()) == pytest.approx(shot.camera.location, abs=1e-4)
        assert parent.GetAttribute("userProperties:beatboard_frame_start").Get() == shot.frame_start
        assert parent.GetAttribute("userProperties:beatboard_frame_end").Get() == shot.frame_end
        sheet = json.loads(files[f"camera_shot_{shot.number}.json"].read_text())
        assert sheet["focal_length_mm"] == shot.lens_mm and sheet["resolution"] == [WIDTH, HEIGHT]
        assert sheet["position_m"] == shot.camera.location and sheet["frame_end"] == shot.frame_end
    fbx = files["cameras.fbx"].read_bytes()
    assert fbx.startswith(b"Kaydara FBX Binary") and all(f"CAM {s.number}".encode() in fbx for s in board.shots)


ROUND_TRIP = """
bpy.ops.wm.open_mainfile(filepath={blend!r})
scene = bpy.context.scene
scene.beatboard_export.command = {command!r}
def state():
    return {{
        "beats": {{b.shot_number: [b.frame_start, b.frame_end] for b in scene.beatboard.beats}},
        "markers": {{m.name: m.frame for m in scene.timeline_markers}},
        "strips": sorted([s.get("beatboard_shot"), s.get("beatboard_burnin", ""), s.frame_final_start,
                          s.frame_final_end - 1, s.channel] for s in scene.sequence_editor.strips),
    }}
before = state()
# The Export button, as the artist uses it (documents through the beatboard command).
export = scene.beatboard_export
export.folder = {again!r}
export.shotlist = export.edl = export.fcp7 = export.cameras = export.animatic = False
bpy.ops.beatboard.export()
exported_status = scene.beatboard.status
{panel}
panels.draw_beatboard(Layout(), bpy.context)
bpy.ops.beatboard.import_timing(filepath={timeline!r})
print(json.dumps({{"before": before, "after": state(), "status": scene.beatboard.status,
                   "exported": exported_status, "problems": problems, "drawn": drawn,
                   "report": scene["beatboard_last_timing"].to_dict()}}))
"""


def test_round_trip_an_editor_shortens_shot_2_and_the_board_follows(exported, extension_zip, tmp_path):
    import opentimelineio as otio

    from tests.test_blender_casting import PANEL_CHECK

    folder, result, board = exported
    work = tmp_path / "board"
    shutil.copytree(folder, work, ignore=shutil.ignore_patterns("server-data"))
    timeline = otio.adapters.read_from_file(str(_one(result, "otio", ".otio")))
    track = timeline.video_tracks()[0]
    shot2 = track[1]
    shot2.source_range = otio.opentime.TimeRange(shot2.source_range.start_time,
                                                 shot2.source_range.duration - otio.opentime.RationalTime(12, 24))
    stray = otio.schema.Clip(name="Pickup shot", source_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, 24), otio.opentime.RationalTime(24, 24)))
    track.append(stray)
    edited = tmp_path / "edited.otio"
    otio.adapters.write_to_file(timeline, str(edited))
    command = str(Path(sys.executable).with_name("beatboard"))
    out = run_blender(INSTALL_SNIPPET.format(zip=str(extension_zip)) + ROUND_TRIP.format(
        blend=str(work / "board.blend"), command=command, again=str(tmp_path / "again"), timeline=str(edited),
        panel=PANEL_CHECK), tmp_path, timeout=240)

    assert out["problems"] == []
    assert "beatboard.export" in out["drawn"] and "beatboard.import_timing" in out["drawn"]
    assert (tmp_path / "again" / "The_Last_Ferry_storyboard.pdf").is_file()
    assert (tmp_path / "again" / "The_Last_Ferry.otio").is_file()
    assert "Exported" in out["exported"]

    before, after = out["before"], out["after"]
    for shot in board.shots:
        start, end = before["beats"][shot.number]
        expected = {"1": [start, end], "2": [start, end - 12]}.get(shot.number, [start - 12, end - 12])
        assert after["beats"][shot.number] == expected, shot.number
        assert after["markers"][shot.number] == expected[0]
    # Every strip is still there (takes and burned-in text), moved with its shot.
    assert len(after["strips"]) == len(before["strips"])
    for number, kind, first, last, _ in after["strips"]:
        start, end = after["beats"][number]
        assert (first, last) == (start, end), (number, kind)
    burnins = {channel for _, kind, _, _, channel in after["strips"] if kind}
    takes = {channel for _, kind, _, _, channel in after["strips"] if not kind}
    assert burnins and not burnins & takes, "the burned-in text lives on its own channels"
    assert out["report"]["unmatched_clips"] == ["Pickup shot"]
    assert out["report"]["shots_not_in_cut"] == []
    assert "Pickup shot" in out["status"]
