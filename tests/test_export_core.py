"""Hand-off exports without Blender: a board made in Python goes through the same writers,
read back with poppler and OpenTimelineIO's adapters; the editorial round trip's matching."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from beatboard import cli
from beatboard.export.pdf_sheets import SheetError, SheetOptions, fit_text, write_sheets
from beatboard.export.fonts import register_fonts
from beatboard.export.timeline import TimelineError, read_timing, write_timeline
from blender_addon.core.board_model import Board, CameraInfo, ShotInfo, TakeInfo, rational_fps
from blender_addon.core.editorial import plan_retime


def _board(tmp_path: Path, fps=(24, 1), lengths=(48, 30, 72), with_takes=True) -> Board:
    shots, frame = [], 1
    for n, length in enumerate(lengths, start=1):
        image = tmp_path / f"shot_{n}.png"
        Image.new("RGB", (64, 36), (40 * n, 80, 120)).save(image)
        camera = CameraInfo(name=f"CAM {n}", location=[n, -4.0, 1.6], rotation_deg=[90.0, 0.0, 0.0],
                            matrix_world=[[1, 0, 0, n], [0, 1, 0, -4], [0, 0, 1, 1.6], [0, 0, 0, 1]],
                            focal_length_mm=35.0, sensor_width_mm=36.0, sensor_height_mm=24.0, sensor_fit="AUTO",
                            shift_x=0.0, shift_y=0.0, clip_start=0.1, clip_end=60.0)
        takes = [TakeInfo(take=1, image=str(image), job=f"job{n}", seed=n)] if with_takes else []
        shots.append(ShotInfo(number=str(n), scene_number="1", heading="INT. CABIN - NIGHT", int_ext="INT",
                              action=f"Action of shot {n}.", size="MS", angle="EYE", lens_mm=35.0,
                              frame_start=frame, frame_end=frame + length - 1, camera=camera, takes=takes))
        frame += length
    return Board(title="Test Board", fps_num=fps[0], fps_den=fps[1], width=64, height=36, shots=shots)


def test_rates_are_kept_exact():
    assert rational_fps(24, 1.0) == (24, 1)
    assert rational_fps(24, 1.0010000467300415) == (24000, 1001)  # what Blender stores for 23.976
    assert rational_fps(30, 1.0010000467300415) == (30000, 1001)
    assert rational_fps(25, 1.0) == (25, 1)


def test_board_json_round_trips_and_refuses_other_files(tmp_path):
    board = _board(tmp_path)
    assert Board.read(board.write(tmp_path / "b.json")) == board
    with pytest.raises(ValueError, match="not a Beatboard board export"):
        Board.from_dict({"title": "x"})


def test_picked_take_else_latest():
    shot = ShotInfo(number="1", takes=[TakeInfo(take=1, image="a"), TakeInfo(take=2, image="b")])
    assert shot.chosen_take.take == 2
    shot.takes[0].picked = True
    assert shot.chosen_take.take == 1


def test_long_text_shrinks_then_is_cut_but_never_leaves_its_box(tmp_path):
    fonts = register_fonts()
    board = _board(tmp_path)
    shot = board.shots[0]
    shot.action = " ".join(["Rain hammers the caf\u00e9 window \u2014 \u201cnobody\u201d moves."] * 60)
    width, height = 240.0, 80.0
    paragraphs = fit_text(board, shot, width, height, 8.0, fonts)
    used = sum(p.wrap(width, height)[1] + p.style.spaceAfter for p in paragraphs)
    assert used <= height
    assert paragraphs[1].text.endswith("\u2026"), "cut short with an ellipsis"
    shot.action = "Short."
    assert fit_text(board, shot, width, height, 8.0, fonts)[0].style.fontSize == pytest.approx(8.0 * 1.15)


def test_sheets_say_when_a_shot_has_no_frame_and_refuse_a_bad_layout(tmp_path):
    board = _board(tmp_path, with_takes=False)
    pdf = write_sheets(board, tmp_path / "s.pdf", SheetOptions(layout="2x1", page_size="LETTER"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count("no frame rendered yet") == 3
    with pytest.raises(SheetError, match="use one of 3x2"):
        write_sheets(board, tmp_path / "x.pdf", SheetOptions(layout="4x4"))
    with pytest.raises(SheetError, match="no shots"):
        write_sheets(Board(title="", fps_num=24, fps_den=1, width=16, height=9, shots=[]), tmp_path / "y.pdf")


def test_ntsc_durations_are_exact_frames_at_the_rational_rate(tmp_path):
    import opentimelineio as otio

    board = _board(tmp_path, fps=(24000, 1001))
    timeline = otio.adapters.read_from_file(str(write_timeline(board, tmp_path / "t.otio")))
    clips = list(timeline.find_clips())
    assert [c.source_range.duration.value for c in clips] == [48, 30, 72]
    assert all(c.source_range.duration.rate == pytest.approx(24000 / 1001, abs=1e-12) for c in clips)


@pytest.mark.parametrize("suffix", [".otio", ".edl", ".xml"])
def test_an_editors_reordered_and_trimmed_cut_comes_back_as_new_shot_ranges(tmp_path, suffix):
    import opentimelineio as otio

    board = _board(tmp_path)
    timeline = otio.adapters.read_from_file(str(write_timeline(board, tmp_path / "cut.otio")))
    track = timeline.video_tracks()[0]
    first, second, third = list(track)
    track[:] = []  # the editor swaps shots 2 and 3 and trims shot 3 to 60 frames
    third.source_range = otio.opentime.TimeRange(third.source_range.start_time, otio.opentime.RationalTime(60, 24))
    for clip in (first, third, second):
        track.append(clip)
    edited = tmp_path / f"edited{suffix}"
    adapter = {".otio": "otio_json", ".edl": "cmx_3600", ".xml": "fcp_xml"}[suffix]
    otio.adapters.write_to_file(timeline, str(edited), adapter_name=adapter)
    clips = [c.__dict__ for c in read_timing(edited, 24.0)]
    assert [(c["shot"], c["offset"], c["duration"]) for c in clips] == [("1", 0, 48), ("3", 48, 60), ("2", 108, 30)]
    plan = plan_retime(["1", "2", "3"], clips, board_start=1)
    assert [(r.shot, r.frame_start, r.frame_end) for r in plan.retimes] == [("1", 1, 48), ("3", 49, 108),
                                                                            ("2", 109, 138)]
    assert plan.unmatched_clips == [] and plan.shots_not_in_cut == []


def test_clips_no_shot_claims_are_listed_and_missing_shots_left_alone():
    clips = [{"name": "Shot 2", "shot": "2", "offset": 0, "duration": 10},
             {"name": "Shot 2 again", "shot": "2", "offset": 10, "duration": 10},
             {"name": "Pickup", "shot": "", "offset": 20, "duration": 5},
             {"name": "Shot 9", "shot": "9", "offset": 25, "duration": 5}]
    plan = plan_retime(["1", "2", "3"], clips, board_start=101)
    assert [(r.shot, r.frame_start, r.frame_end) for r in plan.retimes] == [("2", 101, 110)]
    assert plan.unmatched_clips == ["Shot 2 again", "Pickup", "Shot 9"]
    assert plan.shots_not_in_cut == ["1", "3"]
    assert "Pickup" in plan.summary() and "(unchanged): 1, 3" in plan.summary()


def test_cli_errors_say_what_to_fix(tmp_path, capsys):
    assert cli.main(["export", str(tmp_path / "nowhere")]) == 1
    assert "no board at" in capsys.readouterr().err
    assert cli.main(["timing", str(tmp_path / "cut.mov")]) == 1
    assert ".otio, .edl or FCP7 .xml" in capsys.readouterr().err
    with pytest.raises(TimelineError, match="no timeline at"):
        read_timing(tmp_path / "missing.edl", 24.0)
    bad = tmp_path / "bad.edl"
    bad.write_text("this is not an EDL\n001 garbage\n")
    assert cli.main(["timing", str(bad)]) == 1
    assert re.search(r"bad\.edl", capsys.readouterr().err)


def test_cli_writes_documents_from_a_gathered_board(tmp_path, capsys):
    board = _board(tmp_path)
    gathered = board.write(tmp_path / "board_export.json")
    out = tmp_path / "out"
    assert cli.main(["export", str(tmp_path), "--gathered", str(gathered), "--out", str(out), "--pdf", "--otio",
                     "--shotlist", "--layout", "3x1"]) == 0
    printed = capsys.readouterr().out
    assert "(100%)" in printed  # progress the add-on turns into its progress bar
    assert sorted(p.name for p in out.iterdir()) == ["Test_Board.otio", "Test_Board_shotlist.csv",
                                                     "Test_Board_shotlist.pdf", "Test_Board_storyboard.pdf"]
    assert cli.main(["export", str(tmp_path), "--gathered", str(gathered), "--cameras"]) == 1
    assert "only the documents" in capsys.readouterr().err
