"""Cameras for layout: every shot's camera to USD and FBX through Blender's own exporters,
and a JSON camera sheet per shot."""

from __future__ import annotations

import json
import os

import bpy

from .core.board_model import Board

FRAME_START_KEY = "beatboard_frame_start"
FRAME_END_KEY = "beatboard_frame_end"


def _shot_cameras(scene) -> list[tuple[object, object]]:
    return [(beat, beat.camera) for beat in scene.beatboard.beats if beat.shot_number and beat.camera]


def _select_only(objects) -> None:
    for obj in bpy.context.view_layer.objects:
        obj.select_set(False)
    for obj in objects:
        obj.select_set(True)
    if objects:
        bpy.context.view_layer.objects.active = objects[0]


def write_camera_sheets(board: Board, folder: str) -> list[str]:
    """One JSON per shot: what a layout artist types into another package's camera."""
    written = []
    for shot in board.shots:
        if shot.camera is None:
            continue
        camera = shot.camera
        sheet = {
            "shot": shot.number, "scene": shot.scene_number, "camera": camera.name,
            "frame_start": shot.frame_start, "frame_end": shot.frame_end,
            "fps": f"{board.fps_num}/{board.fps_den}",
            "position_m": camera.location, "rotation_euler_xyz_deg": camera.rotation_deg,
            "matrix_world": camera.matrix_world, "focal_length_mm": camera.focal_length_mm,
            "sensor_width_mm": camera.sensor_width_mm, "sensor_height_mm": camera.sensor_height_mm,
            "sensor_fit": camera.sensor_fit, "shift_x": camera.shift_x, "shift_y": camera.shift_y,
            "clip_start_m": camera.clip_start, "clip_end_m": camera.clip_end,
            "resolution": [board.width, board.height], "size": shot.size, "angle": shot.angle,
            "format": "beatboard.camera_sheet", "format_version": 1,
        }
        path = os.path.join(folder, f"camera_shot_{shot.number}.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(sheet, handle, indent=1)
        written.append(path)
    return written


def _stamp_frame_ranges(scene) -> list:
    """The exporters carry custom properties along: the frame range travels with each camera."""
    cameras = []
    for beat, camera in _shot_cameras(scene):
        camera[FRAME_START_KEY] = beat.frame_start
        camera[FRAME_END_KEY] = beat.frame_end
        camera["beatboard_shot"] = beat.shot_number
        cameras.append(camera)
    return cameras


def export_usd(scene, path: str) -> str:
    cameras = _stamp_frame_ranges(scene)
    if not cameras:
        raise ValueError("no shot has a camera: run Block Out Shots first")
    _select_only(cameras)
    bpy.ops.wm.usd_export(filepath=path, selected_objects_only=True, export_animation=False,
                          export_cameras=True, export_lights=False, export_meshes=False, export_materials=False,
                          export_custom_properties=True, check_existing=False)
    return path


def export_fbx(scene, path: str) -> str:
    cameras = _stamp_frame_ranges(scene)
    if not cameras:
        raise ValueError("no shot has a camera: run Block Out Shots first")
    if not hasattr(bpy.ops.export_scene, "fbx") or "io_scene_fbx" not in bpy.context.preferences.addons:
        bpy.ops.preferences.addon_enable(module="io_scene_fbx")  # Blender's own, off in factory settings
    _select_only(cameras)
    bpy.ops.export_scene.fbx(filepath=path, use_selection=True, object_types={"CAMERA"}, use_custom_props=True,
                             bake_anim=False, check_existing=False)
    return path


def export_cameras(scene, board: Board, folder: str, stem: str = "cameras") -> dict[str, list[str]]:
    os.makedirs(folder, exist_ok=True)
    selection = [o for o in bpy.context.view_layer.objects if o.select_get()]
    active = bpy.context.view_layer.objects.active
    try:
        usd = export_usd(scene, os.path.join(folder, f"{stem}.usda"))
        fbx = export_fbx(scene, os.path.join(folder, f"{stem}.fbx"))
    finally:
        _select_only(selection)
        bpy.context.view_layer.objects.active = active
    return {"usd": [usd], "fbx": [fbx], "camera_sheets": write_camera_sheets(board, folder)}
