"""Applying a note's change to a shot, without Blender."""

import math

import pytest

import shared_schema as wire
from blender_addon.core.direction import ShotState, apply_change, dolly_for_size, pose_nudge, stepped_size


@pytest.mark.parametrize("size, steps, expected", [
    ("CU", 1, "MCU"), ("CU", 2, "MS"), ("EWS", 1, "EWS"), ("ECU", -1, "ECU"), ("MS", -1, "MCU"),
    ("TWO_SHOT", 1, "WS"), ("OTS_LEFT", -1, "CU"),
])
def test_sizes_step_along_the_ladder(size, steps, expected):
    assert stepped_size(size, steps) == expected


def _state():
    return ShotState("CU", "EYE", 85, "NIGHT", "", [], {"MARA": ("anger", 1.0)})


def test_camera_time_and_performance_changes_land_on_the_shot():
    applied = apply_change(_state(), wire.NoteChange(size_steps=1, angle=wire.CameraAngle.LOW, lens_delta_mm=25))
    assert (applied.state.size, applied.state.angle, applied.state.lens_mm) == ("MCU", "LOW", 110)
    assert applied.camera_changed and not applied.region_only
    evening = apply_change(_state(), wire.NoteChange(time_of_day="EVENING", weather="dry", light="neon light"))
    assert (evening.state.time_of_day, evening.state.weather, evening.state.prompt_notes) == ("EVENING", "", ["neon light"])
    assert not evening.camera_changed


def test_a_performance_note_changes_one_actor_and_can_redraw_only_them():
    more = apply_change(_state(), wire.NoteChange(actor="MARA", intensity_delta=0.5))
    assert more.state.performances["MARA"] == ("anger", 1.5) and more.region_only == "MARA"
    fear = apply_change(_state(), wire.NoteChange(actor="MARA", emotion="fear", intensity_delta=0.5))
    assert fear.state.performances["MARA"] == ("fear", 1.5), "a new emotion starts from plain intensity"
    capped = apply_change(_state(), wire.NoteChange(actor="MARA", intensity=1.9, intensity_delta=1.0))
    assert capped.state.performances["MARA"] == ("anger", 2.0)
    mixed = apply_change(_state(), wire.NoteChange(actor="MARA", emotion="fear", size_steps=1))
    assert mixed.region_only == "", "a camera change redraws the whole frame"


def test_a_hand_placed_camera_dollies_along_its_own_axis():
    location, view, subject = (0.0, -4.0, 1.5), (0.0, 1.0, 0.0), (0.0, 0.0, 1.5)
    back = dolly_for_size(location, view, subject, "CU", "MCU")
    assert back[0] == location[0] and back[2] == location[2] and back[1] < location[1]
    ratio = (1.04 - 0.68) / (1.04 - 0.74)
    assert math.isclose(subject[1] - back[1], 4.0 * ratio)
    assert dolly_for_size(location, (0.0, -1.0, 0.0), subject, "CU", "MCU") is None, "subject behind the camera"


def test_strong_fear_nudges_the_pose_and_mild_fear_does_not():
    assert pose_nudge("fear", 1.5) == "hands_to_face"
    assert pose_nudge("fear", 1.0) == "" and pose_nudge("anger", 2.0) == ""
