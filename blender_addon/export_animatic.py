"""The animatic: the board rendered by Blender's own sequencer to an H.264 MP4, each shot's
chosen take for its duration, shot number and dialogue burned in by text strips that stay
in the .blend on their own channels (so the artist can retime or restyle them)."""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from typing import Callable, Optional

import bpy

from .core.board_model import Board, ShotInfo
from .export_gather import scene_strips, strip_collection

BURNIN_KEY = "beatboard_burnin"
SHOT_KEY = "beatboard_shot"


def _label(shot: ShotInfo) -> str:
    lens = f" {shot.lens_mm:g}mm" if shot.lens_mm else ""
    return f"Shot {shot.number}  {shot.size_label}{lens}"


def _dialogue(shot: ShotInfo) -> str:
    if not shot.dialogue:
        return ""
    return f"{shot.speaker}: \u201c{shot.dialogue}\u201d" if shot.speaker else f"\u201c{shot.dialogue}\u201d"


def _add_text(strips, name: str, text: str, channel: int, start: int, length: int, height: int, top: bool):
    strip = strips.new_effect(name=name, type="TEXT", channel=channel, frame_start=start, length=length)
    strip.text = text
    strip.font_size = max(12, round(height * (0.045 if top else 0.05)))
    strip.use_shadow = True
    strip.use_box = not top
    strip.box_color = (0.0, 0.0, 0.0, 0.55)
    strip.wrap_width = 0.9
    if top:
        strip.location = (0.025, 0.96)
        strip.anchor_x, strip.anchor_y, strip.alignment_x = "LEFT", "TOP", "LEFT"
    else:
        strip.location = (0.5, 0.05)
        strip.anchor_x, strip.anchor_y, strip.alignment_x = "CENTER", "BOTTOM", "CENTER"
    strip.blend_type = "ALPHA_OVER"
    return strip


def ensure_burnins(scene, board: Board) -> list[str]:
    """Text strips for shots that have none yet (ones the artist already retimed are kept)."""
    editor = scene.sequence_editor or scene.sequence_editor_create()
    strips = strip_collection(editor)
    existing = [s for s in scene_strips(scene) if s.get(BURNIN_KEY)]
    have = {(s.get(SHOT_KEY), s.get(BURNIN_KEY)) for s in existing}
    takes_top = max((s.channel for s in scene_strips(scene) if not s.get(BURNIN_KEY)), default=0)
    label_channel = min((s.channel for s in existing if s.get(BURNIN_KEY) == "label"), default=takes_top + 1)
    dialogue_channel = min((s.channel for s in existing if s.get(BURNIN_KEY) == "dialogue"),
                           default=max(label_channel, takes_top) + 1)
    made = []
    for shot in board.shots:
        wanted = [("label", _label(shot), label_channel, True)]
        if shot.dialogue:
            wanted.append(("dialogue", _dialogue(shot), dialogue_channel, False))
        for kind, text, channel, top in wanted:
            if (shot.number, kind) in have:
                continue
            strip = _add_text(strips, f"Shot {shot.number} {kind}", text, channel, shot.frame_start,
                              shot.duration_frames, board.height, top)
            strip[SHOT_KEY] = shot.number
            strip[BURNIN_KEY] = kind
            made.append(strip.name)
    return made


def _has_sound(scene) -> bool:
    return any(s.type == "SOUND" and not s.mute for s in scene_strips(scene))


def prepare(scene, board: Board, folder: str) -> dict:
    """Set the scene up to render the animatic; returns what ``restore`` puts back."""
    render, settings = scene.render, scene.render.image_settings
    state = {
        "filepath": render.filepath, "frame_start": scene.frame_start, "frame_end": scene.frame_end,
        "use_sequencer": render.use_sequencer, "use_compositing": render.use_compositing,
        "media_type": getattr(settings, "media_type", None), "file_format": settings.file_format,
        "ffmpeg": {k: getattr(render.ffmpeg, k) for k in ("format", "codec", "constant_rate_factor",
                                                           "ffmpeg_preset", "audio_codec")},
        "mutes": {},
    }
    chosen = {s.number: s.chosen_take.strip for s in board.shots if s.chosen_take}
    for strip in scene_strips(scene):
        shot = strip.get(SHOT_KEY)
        if shot is None or strip.get(BURNIN_KEY) or shot not in chosen:
            continue
        state["mutes"][strip.name] = strip.mute
        strip.mute = strip.name != chosen[shot]
    if hasattr(settings, "media_type"):
        settings.media_type = "VIDEO"
    settings.file_format = "FFMPEG"
    render.ffmpeg.format = "MPEG4"
    render.ffmpeg.codec = "H264"
    render.ffmpeg.constant_rate_factor = "MEDIUM"
    render.ffmpeg.ffmpeg_preset = "REALTIME"
    render.ffmpeg.audio_codec = "AAC" if _has_sound(scene) else "NONE"
    render.use_sequencer = True
    render.use_compositing = False
    scene.frame_start = min(s.frame_start for s in board.shots)
    scene.frame_end = max(s.frame_end for s in board.shots)
    render.filepath = os.path.join(folder, "animatic_")
    return state


def restore(scene, state: dict) -> None:
    render, settings = scene.render, scene.render.image_settings
    for name, mute in state["mutes"].items():
        strip = strip_collection(scene.sequence_editor).get(name)
        if strip is not None:
            strip.mute = mute
    if state["media_type"] is not None:
        settings.media_type = state["media_type"]
    settings.file_format = state["file_format"]
    for key, value in state["ffmpeg"].items():
        setattr(render.ffmpeg, key, value)
    render.use_sequencer, render.use_compositing = state["use_sequencer"], state["use_compositing"]
    scene.frame_start, scene.frame_end = state["frame_start"], state["frame_end"]
    render.filepath = state["filepath"]


def collect(folder: str, target: str) -> str:
    """Blender names a movie after its frame range; move it to the name the user chose."""
    made = sorted(glob.glob(os.path.join(folder, "animatic_*.mp4")), key=os.path.getmtime)
    if not made:
        raise RuntimeError("Blender wrote no movie: is this Blender built with FFmpeg?")
    os.makedirs(os.path.dirname(os.path.abspath(target)) or ".", exist_ok=True)
    shutil.move(made[-1], target)
    return target


def render_animatic(scene, board: Board, target: str,
                    progress: Optional[Callable[[float, str], None]] = None) -> str:
    """Render to ``target`` and wait (headless, scripts); the panel uses ``start_animatic``."""
    if not board.shots:
        raise ValueError("the board has no shots")
    ensure_burnins(scene, board)
    folder = tempfile.mkdtemp(prefix="beatboard-animatic-")
    state = prepare(scene, board, folder)
    total = scene.frame_end - scene.frame_start + 1

    def on_frame(rendered_scene, *_):
        if progress is not None:
            done = rendered_scene.frame_current - scene.frame_start + 1
            progress(done / total, f"animatic frame {done} of {total}")

    bpy.app.handlers.render_post.append(on_frame)
    try:
        bpy.ops.render.render(animation=True, scene=scene.name)
    finally:
        bpy.app.handlers.render_post.remove(on_frame)
        restore(scene, state)
    try:
        return collect(folder, target)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def start_animatic(scene, board: Board, target: str, on_done: Callable[[Optional[str]], None]) -> None:
    """In the UI: Blender's own render job (its progress bar, Esc cancels); settings are put
    back and the file moved when it completes or is cancelled."""
    ensure_burnins(scene, board)
    folder = tempfile.mkdtemp(prefix="beatboard-animatic-")
    state = prepare(scene, board, folder)

    def finish(_scene=None, *_args, cancelled=False):
        for handlers, fn in ((bpy.app.handlers.render_complete, complete),
                             (bpy.app.handlers.render_cancel, cancel)):
            if fn in handlers:
                handlers.remove(fn)
        restore(scene, state)
        error = "Animatic cancelled" if cancelled else None
        if not cancelled:
            try:
                collect(folder, target)
            except RuntimeError as exc:
                error = str(exc)
        shutil.rmtree(folder, ignore_errors=True)
        on_done(error)

    def complete(*args):
        finish(*args)

    def cancel(*args):
        finish(*args, cancelled=True)

    bpy.app.handlers.render_complete.append(complete)
    bpy.app.handlers.render_cancel.append(cancel)
    result = bpy.ops.render.render("INVOKE_DEFAULT", animation=True, scene=scene.name)
    if "RUNNING_MODAL" not in result and "FINISHED" not in result:
        finish(cancelled=True)
