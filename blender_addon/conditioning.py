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


def trace_depth_and_masks(scene, camera: PinholeCamera, scale: float, near: float, far: float):
    """Ray-cast one ray per pixel of a reduced grid: depth (view-axis metres) and actor labels."""
    depsgraph = bpy.context.evaluated_depsgraph_get()
    width = max(16, round(camera.width_px * scale))
    height = max(16, round(camera.height_px * scale))
    sx, sy = camera.width_px / width, camera.height_px / height
    origin = Vector(camera.location)
    depth = np.full(width * height, far, dtype=np.float32)
    labels = np.zeros(width * height, dtype=np.uint8)
    names: list[str] = []
    ray_cast = scene.ray_cast
    i = 0
    for row in range(height):
        py = (row + 0.5) * sy
        for col in range(width):
            direction = Vector(camera.ray((col + 0.5) * sx, py))
            # camera.ray has a unit view-axis component, so view depth = hit distance / |direction|.
            length = direction.length
            hit, location, _normal, _index, obj, _matrix = ray_cast(
                depsgraph, origin, direction / length, distance=far * length)
            if hit:
                depth[i] = (location - origin).length / length
                actor = _actor_of(obj)
                if actor:
                    if actor not in names:
                        names.append(actor)
                    labels[i] = names.index(actor) + 1
            i += 1
    depth = np.clip(depth, near, far).astype("<f2")  # the wire is little-endian float16
    return (
        wire.DepthMap(width=width, height=height, near=near, far=far,
                      data_b64=base64.b64encode(depth.tobytes()).decode()),
        wire.LabelMask(width=width, height=height, labels=names, data_b64=base64.b64encode(labels.tobytes()).decode()),
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
    colour = rig.get("beatboard_colour", (0.8, 0.8, 0.8))
    return wire.ActorPlacement(
        name=rig[ACTOR_KEY], color=tuple(float(c) for c in colour), height_m=float(rig.get("beatboard_height", 1.75)),
        location=tuple(rig.matrix_world.translation), facing_deg=round(rig.matrix_world.to_euler().z * 57.29578, 2),
    )
