"""Performance -> a pose nudge on the mannequin: a frightened actor's hands go to their face.

Only a rig built standing or walking (arms free) that the artist has not posed by hand is
nudged (or one this module nudged before): neither an action's pose nor hand posing is
overwritten. The keypoints the server gets follow the pose bones.
"""

from __future__ import annotations

import bpy
from mathutils import Matrix, Vector

from .core.direction import NUDGED_BONES, pose_nudge
from .core.mannequin import BONES, joint_positions

NUDGE_KEY = "beatboard_nudge"
# Poses whose arms are free: an action's own arm pose (pointing, slamming, a phone) is kept.
FREE_ARMS = ("stand", "walk")


def _at_rest(rig) -> bool:
    return all(pb.matrix_basis == Matrix.Identity(4) for pb in rig.pose.bones)


def nudge(rig, emotion: str, intensity: float) -> str:
    """Pose (or un-pose) the rig's arms for the performance; returns the pose now nudged to."""
    wanted = pose_nudge(emotion, intensity)
    current = rig.get(NUDGE_KEY, "")
    if wanted == current or (not current and (rig.get("beatboard_pose") not in FREE_ARMS or not _at_rest(rig))):
        return current
    for name in NUDGED_BONES:
        rig.pose.bones[name].matrix_basis = Matrix.Identity(4)
    rig[NUDGE_KEY] = wanted
    bpy.context.view_layer.update()
    if not wanted:
        return ""
    target = {k: Vector(v) for k, v in joint_positions(float(rig.get("beatboard_height", 1.75)), wanted).items()}
    for name, head, tail, _parent in BONES:
        if name not in NUDGED_BONES:
            continue
        bone = rig.data.bones[name]
        rest_dir = (bone.tail_local - bone.head_local).normalized()
        turn = rest_dir.rotation_difference((target[tail] - target[head]).normalized()).to_matrix().to_4x4()
        pose_bone = rig.pose.bones[name]
        # Only the direction comes from the pose library: the joint stays where the body puts it now.
        pose_bone.matrix = Matrix.Translation(pose_bone.head) @ turn @ bone.matrix_local.to_3x3().to_4x4()
        bpy.context.view_layer.update()
    return wanted
