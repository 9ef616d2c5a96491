"""Measure a blocked-out shot for the audit: who is in frame, what hides them, where the lens is.

Main thread only (reads Blender data). The rules themselves live in core/audit.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np  # bundled with Blender
from mathutils import Vector

from .conditioning import _actor_of, actor_rigs, camera_model, keypoints_for, scene_triangles
from .core.audit.facts import ActorFacts, ShotFacts
from .core.framing import VERTICAL_SLICE
from .core.mannequin import JOINTS
from .core.zbuffer import _clip_near, rasterize
from .scene_build import PROP_INFO_KEY, PROP_KEY, SET_PART_KEY

AUDIT_SCALE = 0.25  # masks for the audit at a quarter of the render size: counts, not pictures
WHOLE_BODY = ("POV", "INSERT")
RAY_DIRECTIONS = ((1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1))
SET_WALLS = ("wall", "block")


def _part_of(obj) -> str:
    original = getattr(obj, "original", obj)
    if original is None:
        return ""
    return _actor_of(obj) or original.get(SET_PART_KEY, "") or original.get(PROP_KEY, "") or original.name


def _split(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def _name_of_hit(obj) -> str:
    return _part_of(obj)


def camera_inside(scene, origin: Vector) -> list[str]:
    """Meshes around the lens: most rays from it leave through back faces of the same mesh."""
    import bpy

    depsgraph = bpy.context.evaluated_depsgraph_get()
    backs: dict[str, int] = {}
    for direction in RAY_DIRECTIONS:
        d = Vector(direction)
        hit, _, normal, _, obj, _ = scene.ray_cast(depsgraph, origin, d, distance=30.0)
        if hit and normal.dot(d) > 0:
            name = _name_of_hit(obj)
            backs[name] = backs.get(name, 0) + 1
    return sorted(name for name, count in backs.items() if count >= 4)


def walls_between(scene, origin: Vector, target: Vector) -> list[str]:
    """Set walls that the straight line from the lens to ``target`` passes through."""
    import bpy

    depsgraph = bpy.context.evaluated_depsgraph_get()
    found: list[str] = []
    start = origin.copy()
    for _ in range(8):
        to_target = target - start
        distance = to_target.length
        if distance < 1e-3:
            break
        hit, location, _, _, obj, _ = scene.ray_cast(depsgraph, start, to_target / distance, distance=distance)
        if not hit:
            break
        name = _name_of_hit(obj)
        if name.startswith(SET_WALLS) and name not in found:
            found.append(name)
        start = location + to_target / distance * 1e-3
    return found


def _above(tris: np.ndarray, z: float) -> np.ndarray:
    """The part of the triangles above the height ``z`` (clipped, not just filtered)."""
    if not len(tris):
        return tris
    flipped = tris.copy()
    flipped[:, :, 2] = -(tris[:, :, 2] - z)  # _clip_near keeps -coordinate >= near
    kept, _ = _clip_near(flipped, np.zeros(len(tris), dtype=np.uint8), 0.0)
    kept[:, :, 2] = z - kept[:, :, 2]
    return kept


def _face_angles(rig, lens: Vector) -> tuple[float, float]:
    """How far round from the face the camera is (degrees off the nose's direction), and how
    high above the eyes (negative: below, looking up at the face)."""
    bones = rig.pose.bones
    eyes = rig.matrix_world @ ((bones["r_eye"].head + bones["l_eye"].head) / 2)
    nose = rig.matrix_world @ bones["nose"].head
    neck = rig.matrix_world @ bones["neck"].head
    face = (nose - neck)
    face.z = 0.0
    to_lens = lens - eyes
    flat = to_lens.copy()
    flat.z = 0.0
    if face.length < 1e-6 or flat.length < 1e-6:
        return 0.0, 90.0 if to_lens.z > 0 else -90.0
    yaw = math.degrees(face.angle(flat))
    pitch = math.degrees(math.atan2(to_lens.z, flat.length))
    return round(yaw, 1), round(pitch, 1)


def _wide(camera):
    """The same camera seeing three times as far to every side (the frame is its centre ninth)."""
    return replace(camera, sensor_width_mm=camera.sensor_width_mm * 3, sensor_height_mm=camera.sensor_height_mm * 3,
                   width_px=camera.width_px * 3, height_px=camera.height_px * 3,
                   shift_x=camera.shift_x / 3, shift_y=camera.shift_y / 3)


def gather(scene, beat) -> ShotFacts:
    camera_obj = beat.camera
    camera = camera_model(scene, camera_obj)
    near, far = camera_obj.data.clip_start, camera_obj.data.clip_end
    stage = Vector((beat.stage_x, 0.0, 0.0))
    tris, labels, names = scene_triangles(scene, camera, far, label_of=_part_of)
    w, h = max(16, round(camera.width_px * AUDIT_SCALE)), max(16, round(camera.height_px * AUDIT_SCALE))
    _, label_img = rasterize(camera, tris, labels, w, h, near, far)
    wide = _wide(camera)
    bottom_fraction = VERTICAL_SLICE.get(beat.shot_size, (-1.0, 1.0))[0]
    if beat.shot_size in WHOLE_BODY:
        bottom_fraction = -1.0
    rigs = actor_rigs(camera_obj.users_collection[0])
    actors = []
    for rig in rigs:
        name = rig["beatboard_actor"]
        height = float(rig.get("beatboard_height", 1.75))
        crown = rig.matrix_world @ rig.pose.bones["neck"].tail
        label = names.index(name) + 1 if name in names else -1
        framed = _above(tris[labels == label], crown.z - (1.0 - bottom_fraction) * height)
        _, alone = rasterize(wide, framed, np.ones(len(framed), dtype=np.uint8), 3 * w, 3 * h, near, far)
        silhouette = alone > 0
        inside = silhouette[h:2 * h, w:2 * w]
        seen = inside & (label_img == label)
        covering = label_img[inside & (label_img != label) & (label_img > 0)]
        covered = {names[k - 1]: int(n) for k, n in zip(*np.unique(covering, return_counts=True))}
        x, y, d = camera.project(tuple(crown))
        yaw, pitch = _face_angles(rig, camera_obj.matrix_world.translation)
        keypoints = keypoints_for(scene, camera, rig)
        location = rig.matrix_world.translation - stage
        actors.append(ActorFacts(
            name=name, color=tuple(float(c) for c in rig.get("beatboard_colour", (0.8, 0.8, 0.8))), height_m=height,
            location=tuple(round(c, 3) for c in location), facing_deg=round(rig.matrix_world.to_euler().z * 57.29578, 2),
            pose=str(rig.get("beatboard_pose", "stand")),
            keypoints={j: (k.x, k.y, k.visibility.value) for j, k in zip(JOINTS, keypoints.keypoints)},
            head_top=(round(x, 1), round(y, 1)) if d > 0 else (0.0, -1.0),
            silhouette_px=int(silhouette.sum()), in_frame_px=int(inside.sum()), visible_px=int(seen.sum()),
            covered_by=covered, face_yaw_deg=yaw, face_pitch_deg=pitch,
        ))
    origin = camera_obj.matrix_world.translation
    forward = camera_obj.matrix_world.to_3x3() @ Vector((0.0, 0.0, -1.0))
    # The beat's own subject when it names someone staged (a hand edit after blocking counts),
    # else whom blocking framed; a .blend from before subjects were stored has neither.
    subject = str(camera_obj.get("beatboard_subject", ""))
    subject_from = str(camera_obj.get("beatboard_subject_from", ""))
    staged = [r["beatboard_actor"] for r in rigs]
    beat_subject = getattr(beat, "subject", "")
    if beat_subject and beat_subject in staged:
        subject, subject_from = beat_subject, "beat"
    subject_rig = next((r for r in rigs if r["beatboard_actor"] == subject), rigs[0] if rigs else None)
    between = []
    if subject_rig is not None:
        between = walls_between(scene, origin, subject_rig.matrix_world @ subject_rig.pose.bones["neck"].head)
    props = [json.loads(obj.get(PROP_INFO_KEY, "{}")) for obj in camera_obj.users_collection[0].objects
             if obj.get(PROP_KEY)]
    return ShotFacts(
        shot=beat.shot_number, scene_number=beat.scene_number, size=beat.shot_size, angle=beat.angle,
        lens_mm=float(beat.lens_mm), characters=_split(beat.characters), entering=_split(beat.entering),
        subject=subject, subject_from=subject_from, action=beat.action, dialogue=beat.dialogue, speaker=beat.speaker,
        continues_shot=beat.continues_shot, width=camera.width_px, height=camera.height_px,
        camera_location=tuple(round(c, 3) for c in origin - stage), camera_forward=tuple(round(c, 4) for c in forward),
        focal_length_mm=float(camera_obj.data.lens), camera_inside=camera_inside(scene, origin),
        walls_between=between, actors=actors, props=props, mask_px=w * h,
    )
