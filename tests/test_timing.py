import pytest

from blender_addon.core.timing import frame_ranges, shot_seconds


def test_durations_follow_the_brief_rule():
    # 5 words of action: 5 * 0.2 + 0.5; 4 words of dialogue: 4 * 0.3 + 1.0
    assert shot_seconds("Mara walks into the fog.", "") == pytest.approx(1.5)
    assert shot_seconds("", "One ticket. Across, please.") == pytest.approx(2.2)
    assert shot_seconds("Mara walks into the fog.", "One ticket. Across, please.") == pytest.approx(3.7)
    assert shot_seconds("", "") == 1.0  # never a zero-length shot


def test_frame_ranges_are_contiguous_and_round_up():
    ranges = frame_ranges([1.5, 2.2, 1.0], fps=24, start=1)
    assert ranges == [(1, 36), (37, 89), (90, 113)]
    assert frame_ranges([0.01], fps=24) == [(1, 1)]
