"""Frames onto the Video Sequencer: one image strip per take at the shot's frame range."""

from __future__ import annotations

import os

import bpy

from . import compat

SHOT_KEY = "beatboard_shot"


def _shot_strips(sequence_editor, shot_number: str) -> list:
    return [s for s in compat.strips(sequence_editor) if s.get(SHOT_KEY) == shot_number]


def place_take(scene, shot_number: str, frame_start: int, frame_end: int, filepath: str,
               metadata: dict):
    """Add a take above the shot's earlier takes; earlier takes are muted, not deleted."""
    editor = scene.sequence_editor or scene.sequence_editor_create()
    earlier = _shot_strips(editor, shot_number)
    for strip in earlier:
        strip.mute = True
    take = len(earlier) + 1
    channel = 1 + max((s.channel for s in earlier), default=0)
    strip = compat.new_image_strip(editor, name=f"Shot {shot_number} take {take}", filepath=filepath,
                                   channel=channel, frame_start=frame_start, fit_method="FIT")
    strip.frame_final_duration = frame_end - frame_start + 1
    strip[SHOT_KEY] = shot_number
    strip["beatboard_take"] = take
    for key, value in metadata.items():
        strip[f"beatboard_{key}"] = value
    return strip


def frame_path(folder: str, shot_number: str, job_id: str, index: int) -> str:
    return os.path.join(folder, f"shot_{shot_number}_{job_id}_{index}.png")
