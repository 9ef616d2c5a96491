"""Read the board out of the .blend once, into the plain dataclasses every exporter uses."""

from __future__ import annotations

import datetime
import math
import os

import bpy

from .core.board_model import Board, CameraInfo, ShotInfo, TakeInfo, rational_fps

SHOT_KEY = "beatboard_shot"


def scene_strips(scene) -> list:
    """Every strip of the scene's sequencer (``strips`` from 4.4, ``sequences`` before)."""
    editor = scene.sequence_editor
    if editor is None:
        return []
    strips = getattr(editor, "strips", None)
    return list(strips if strips is not None else editor.sequences)


def strip_collection(editor):
    strips = getattr(editor, "strips", None)
    return strips if strips is not None else editor.sequences


def gather_camera(obj) -> CameraInfo | None:
    if obj is None or obj.type != "CAMERA":
        return None
    data = obj.data
    matrix = obj.matrix_world
    animated = bool((obj.animation_data and obj.animation_data.action)
                    or (data.animation_data and data.animation_data.action))
    return CameraInfo(
        name=obj.name, location=[round(v, 6) for v in matrix.translation],
        rotation_deg=[round(math.degrees(a), 4) for a in matrix.to_euler("XYZ")],
        matrix_world=[[round(v, 6) for v in row] for row in matrix],
        focal_length_mm=round(data.lens, 4), sensor_width_mm=round(data.sensor_width, 4),
        sensor_height_mm=round(data.sensor_height, 4), sensor_fit=data.sensor_fit,
        shift_x=round(data.shift_x, 6), shift_y=round(data.shift_y, 6),
        clip_start=round(data.clip_start, 6), clip_end=round(data.clip_end, 6), animated=animated)


def gather_take(strip) -> TakeInfo | None:
    if strip.type != "IMAGE" or not strip.elements:
        return None
    image = os.path.normpath(bpy.path.abspath(os.path.join(strip.directory, strip.elements[0].filename)))
    notes = [n for n in str(strip.get("beatboard_notes", "")).split("\n") if n.strip()]
    return TakeInfo(
        take=int(strip.get("beatboard_take", 0)), image=image, strip=strip.name,
        job=str(strip.get("beatboard_job", "")), frame=int(strip.get("beatboard_frame", 0)),
        seed=int(strip.get("beatboard_seed", 0)), backend=str(strip.get("beatboard_backend", "")),
        prompt=str(strip.get("beatboard_prompt", "")), picked=bool(strip.get("beatboard_picked", False)),
        muted=strip.mute, verdict=str(strip.get("beatboard_verdict", "")),
        rating=int(strip.get("beatboard_rating", 0)), notes=notes)


def gather_shot(beat, takes: list[TakeInfo]) -> ShotInfo:
    return ShotInfo(
        number=beat.shot_number, scene_number=beat.scene_number, heading=beat.heading, int_ext=beat.int_ext,
        location=beat.location, time_of_day=beat.time_of_day,
        characters=[c.strip() for c in beat.characters.split(",") if c.strip()],
        action=beat.action, dialogue=beat.dialogue, speaker=beat.speaker, emotion=beat.emotion,
        size=beat.shot_size, angle=beat.angle, lens_mm=beat.camera.data.lens if beat.camera else beat.lens_mm,
        frame_start=beat.frame_start, frame_end=beat.frame_end, camera=gather_camera(beat.camera),
        takes=sorted(takes, key=lambda t: t.take))


def gather_board(scene, version: str = "") -> Board:
    takes: dict[str, list[TakeInfo]] = {}
    for strip in scene_strips(scene):
        shot = strip.get(SHOT_KEY)
        if shot is None or strip.get("beatboard_burnin"):
            continue
        take = gather_take(strip)
        if take is not None:
            takes.setdefault(str(shot), []).append(take)
    beats = [b for b in scene.beatboard.beats if b.shot_number]
    num, den = rational_fps(scene.render.fps, scene.render.fps_base)
    scale = scene.render.resolution_percentage / 100.0
    return Board(
        title=scene.beatboard.title or os.path.splitext(os.path.basename(bpy.data.filepath))[0] or scene.name,
        fps_num=num, fps_den=den, width=round(scene.render.resolution_x * scale),
        height=round(scene.render.resolution_y * scale),
        shots=[gather_shot(b, takes.get(b.shot_number, [])) for b in beats],
        blend=bpy.data.filepath, version=version,
        exported_at=datetime.datetime.now().isoformat(timespec="seconds"),
        frame_start=min((b.frame_start for b in beats), default=scene.frame_start))
