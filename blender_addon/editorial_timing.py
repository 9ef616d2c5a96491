"""Apply an editor's timing to the board: each shot's frame range, its marker and its strips."""

from __future__ import annotations

from .core.editorial import RetimePlan, plan_retime
from .export_gather import scene_strips

SHOT_KEY = "beatboard_shot"
PARKING = 1_000_000  # strips wait out here while the others move, so none lands on another


def apply_timing(scene, clips: list[dict]) -> RetimePlan:
    beats = {b.shot_number: b for b in scene.beatboard.beats if b.shot_number}
    board_start = min((b.frame_start for b in beats.values()), default=scene.frame_start)
    plan = plan_retime(list(beats), clips, board_start)
    moves = []
    for retime in plan.retimes:
        beat = beats[retime.shot]
        if (beat.frame_start, beat.frame_end) == (retime.frame_start, retime.frame_end):
            continue
        strips = [s for s in scene_strips(scene) if s.get(SHOT_KEY) == retime.shot]
        moves.append((beat, retime, strips))
    for _, _, strips in moves:
        for strip in strips:
            strip.frame_start += PARKING
    for beat, retime, strips in moves:
        beat.frame_start, beat.frame_end = retime.frame_start, retime.frame_end
        for marker in scene.timeline_markers:
            if marker.name == retime.shot:
                marker.frame = retime.frame_start
        for strip in strips:
            strip.frame_start += retime.frame_start - strip.frame_final_start
            strip.frame_final_duration = retime.frame_end - retime.frame_start + 1
    if plan.retimes:
        scene.frame_end = max(b.frame_end for b in beats.values())
    return plan
