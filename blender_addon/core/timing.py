"""Shot durations from script text (BRIEF): 200 ms a word of action + 0.5 s,
300 ms a word of dialogue + 1 s."""

from __future__ import annotations

import math
import re

_WORD = re.compile(r"[\w']+")
MIN_SECONDS = 1.0


def words(text: str) -> int:
    return len(_WORD.findall(text or ""))


def shot_seconds(action: str, dialogue: str) -> float:
    seconds = 0.0
    if words(action):
        seconds += 0.2 * words(action) + 0.5
    if words(dialogue):
        seconds += 0.3 * words(dialogue) + 1.0
    return max(seconds, MIN_SECONDS)


def frame_ranges(durations_s: list[float], fps: float, start: int = 1) -> list[tuple[int, int]]:
    """Consecutive inclusive (first, last) frame ranges, each at least one frame long."""
    ranges = []
    frame = start
    for seconds in durations_s:
        length = max(1, math.ceil(seconds * fps - 1e-9))
        ranges.append((frame, frame + length - 1))
        frame += length
    return ranges
