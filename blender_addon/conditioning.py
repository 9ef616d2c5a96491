"""Conditioning read from the scene itself: metric depth, OpenPose keypoints, actor masks.

Runs on the main thread (it reads Blender data), one shot at a time.
"""

from __future__ import annotations

import base64

import bpy
import numpy as np  # bundled with Blender
from mathutils import Vector

from .core.mannequin import JOINTS, joint_clearance
from .core.projection import PinholeCamera
from .core.zbuffer import rasterize
from .core.wire import wire
from .scene_build import ACTOR_KEY



def camera_model(scene, camera_obj) -> PinholeCamera:
    render = scene.render
    scale = render.resolution_percentage / 100.0
    width, height = round(render.resolution_x * scale), round(render.resolution_y * scale)
    matrix = camera_obj.matrix_world
    rotation = matrix.to_3x3().normalized()
    data = camera_obj.data
    return PinholeCamera(
        location=tuple(matrix.translation), rotation=tuple(tuple(row) for row in rotation),
        focal_length_mm=data.lens, sensor_width_mm=data.sensor_width, sensor_height_mm=data.sensor_height,
        width_px=width, height_px=height, sensor_fit=data.sensor_fit, shift_x=data.shift_x, shift_y=data.shift_y,
    )


def camera_spec(camera_obj) -> "wire.CameraSpec":
    data = camera_obj.data
    return wire.CameraSpec(
        focal_length_mm=data.lens, sensor_width_mm=data.sensor_width, sensor_height_mm=data.sensor_height,
        location=tuple(camera_obj.matrix_world.translation),
        rotation_euler=tuple(camera_obj.matrix_world.to_euler("XYZ")),
        sensor_fit=wire.SensorFit(data.sensor_fit), shift_x=data.shift_x, shift_y=data.shift_y,
        clip_start=data.clip_start, clip_end=data.clip_end,
    )


def _actor_of(obj) -> str:
    original = getattr(obj, "original", obj)
    return original.get(ACTOR_KEY, "") if original is not None else ""


def scene_triangles(scene, camera: PinholeCamera, far: float, label_of=None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """World-space triangles of every visible mesh within ``far`` of the camera, with an
    actor label per triangle (0 for the set) and the label names.

    ``label_of(obj)`` names what an object is labelled as ("" for unlabelled); by default
    the actor it belongs to."""
    label_of = label_of or _actor_of
    depsgraph = bpy.context.evaluated_depsgraph_get()
    origin = np.asarray(camera.location)
    tris, labels, names = [], [], []
    for obj in scene.objects:
        if obj.type != "MESH" or not obj.visible_get():
            continue
        corners = np.array([obj.matrix_world @ Vector(c) for c in obj.bound_box])
        centre = corners.mean(axis=0)
        if np.linalg.norm(centre - origin) - np.linalg.norm(corners - centre, axis=1).max() > far:
            continue  # another shot's stage, beyond this camera's far range
        evaluated = obj.evaluated_get(depsgraph)
        mesh = evaluated.to_mesh()
        try:
            mesh.calc_loop_triangles()
            count = len(mesh.loop_triangles)
            if not count:
                continue
            co = np.empty(len(mesh.vertices) * 3, dtype=np.float64)
            mesh.vertices.foreach_get("co", co)
            index = np.empty(count * 3, dtype=np.int64)
            mesh.loop_triangles.foreach_get("vertices", index)
        finally:
            evaluated.to_mesh_clear()
        matrix = np.array(evaluated.matrix_world, dtype=np.float64)
        world = co.reshape(-1, 3) @ matrix[:3, :3].T + matrix[:3, 3]
        tris.append(world[index.reshape(-1, 3)])
        actor = label_of(obj)
        if actor and actor not in names:
            names.append(actor)
        labels.append(np.full(count, names.index(actor) + 1 if actor else 0, dtype=np.uint8))
    if not tris:
        return np.empty((0, 3, 3)), np.empty(0, dtype=np.uint8), names
    return np.concatenate(tris), np.concatenate(labels), names


def depth_range(depth: np.ndarray, clip_start: float, clip_end: float) -> tuple[float, float]:
    """The shot's fixed near/far: just around what the camera actually sees."""
    seen = depth[depth < clip_end]
    if seen.size == 0:
        return clip_start, clip_end
    near = max(clip_start, float(np.percentile(seen, 0.5)) * 0.9)
    far = clip_end if seen.size < depth.size else min(clip_end, float(seen.max()) * 1.05)
    return near, max(far, near * 1.5)


def depth_and_masks(scene, camera: PinholeCamera, scale: float, clip_start: float, clip_end: float):
    """Metric view-axis depth and one actor label per pixel, rasterized from the scene."""
    width = max(16, round(camera.width_px * scale))
    height = max(16, round(camera.height_px * scale))
    tris, labels, names = scene_triangles(scene, camera, clip_end)
    depth, label = rasterize(camera, tris, labels, width, height, clip_start, clip_end)
    near, far = depth_range(depth, clip_start, clip_end)
    depth = np.clip(depth, near, far).astype("<f2")  # the wire is little-endian float16
    return (
        wire.DepthMap(width=width, height=height, near=near, far=far,
                      data_b64=base64.b64encode(depth.tobytes()).decode()),
        wire.LabelMask(width=width, height=height, labels=names, data_b64=base64.b64encode(label.tobytes()).decode()),
    )


def actor_rigs(collection) -> list:
    return [obj for obj in collection.all_objects if obj.type == "ARMATURE" and obj.get(ACTOR_KEY)]


def keypoints_for(scene, camera: PinholeCamera, rig) -> "wire.ActorKeypoints":
    depsgraph = bpy.context.evaluated_depsgraph_get()
    origin = Vector(camera.location)
    points = []
    for joint in JOINTS:
        world = rig.matrix_world @ rig.pose.bones[joint].head
        x, y, d = camera.project(tuple(world))
        if d <= 0 or not (0 <= x < camera.width_px and 0 <= y < camera.height_px):
            points.append(wire.Keypoint(x=0.0 if x != x else x, y=0.0 if y != y else y,
                                        visibility=wire.KeypointVisibility.OUT_OF_FRAME))
            continue
        to_joint = world - origin
        distance = to_joint.length
        hit, location, *_ = scene.ray_cast(depsgraph, origin, to_joint / distance, distance=distance)
        # Joints sit inside the body volume: only a hit well in front of the joint hides it.
        clearance = joint_clearance(joint, float(rig.get("beatboard_height", 1.75)))
        hidden = hit and (location - origin).length < distance - clearance
        points.append(wire.Keypoint(
            x=round(x, 2), y=round(y, 2),
            visibility=wire.KeypointVisibility.OCCLUDED if hidden else wire.KeypointVisibility.VISIBLE,
        ))
    return wire.ActorKeypoints(actor=rig[ACTOR_KEY], keypoints=points)


def actor_placement(rig) -> "wire.ActorPlacement":
    """The actor as the server needs them. The rig's custom properties beatboard_lora ("" for the
    actor's own, "none", or another LoRA) and beatboard_lora_weight are editable in Blender."""
    colour = rig.get("beatboard_colour", (0.8, 0.8, 0.8))
    return wire.ActorPlacement(
        name=rig[ACTOR_KEY], color=tuple(float(c) for c in colour), height_m=float(rig.get("beatboard_height", 1.75)),
        location=tuple(rig.matrix_world.translation), facing_deg=round(rig.matrix_world.to_euler().z * 57.29578, 2),
        lora=str(rig.get("beatboard_lora", "")), lora_weight=float(rig.get("beatboard_lora_weight", 1.0)),
        emotion=str(rig.get("beatboard_emotion", "")), intensity=float(rig.get("beatboard_intensity", 1.0)),
    )
