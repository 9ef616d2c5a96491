"""The pose library keeps the rig's proportions and puts hands and feet where the pose says."""

import math

import pytest

from blender_addon.core.mannequin import BONES, JOINTS, POSES, joint_positions, pose_for_actor, pose_for_action

HEIGHT = 1.75


def _length(joints, bone):
    _, head, tail, _ = next(b for b in BONES if b[0] == bone)
    return math.dist(joints[head], joints[tail])


@pytest.mark.parametrize("pose", sorted(POSES))
def test_every_pose_keeps_limb_lengths_and_stays_above_the_floor(pose):
    rest = joint_positions(HEIGHT, "stand")
    posed = joint_positions(HEIGHT, pose)
    for bone in ("r_shoulder", "r_elbow", "l_shoulder", "l_elbow", "r_hip", "r_knee", "l_hip", "l_knee", "spine"):
        assert _length(posed, bone) == pytest.approx(_length(rest, bone), abs=1e-6), bone
    assert min(p[2] for p in posed.values()) >= -1e-6
    assert set(JOINTS) <= set(posed)


def test_poses_put_the_hands_where_the_action_is():
    phone = joint_positions(HEIGHT, "phone")
    assert math.dist(phone["r_wrist"], phone["r_ear"]) < 0.05 * HEIGHT
    face = joint_positions(HEIGHT, "hands_to_face")
    assert all(math.dist(face[w], face["nose"]) < 0.08 * HEIGHT for w in ("r_wrist", "l_wrist"))
    point = joint_positions(HEIGHT, "point")
    assert point["r_wrist"][1] < -0.3 * HEIGHT, "pointing reaches forward (-Y is the front)"
    wave = joint_positions(HEIGHT, "wave")
    assert wave["r_wrist"][2] > wave["nose"][2]
    sit = joint_positions(HEIGHT, "sit")
    assert sit["pelvis"][2] < 0.35 * HEIGHT and sit["r_ankle"][2] < 0.06 * HEIGHT
    kneel = joint_positions(HEIGHT, "kneel")
    assert kneel["r_knee"][2] < 0.04 * HEIGHT


def test_action_words_choose_poses_for_the_actor_they_name():
    action = "Mara slams her fist on the table. Tomas sips his tea. June bursts in. Bruno slams the door."
    assert pose_for_actor("MARA", action, alone=False) == "put_down"  # the fist comes down on the table
    assert pose_for_actor("BRUNO", action, alone=False) == "punch"
    assert pose_for_actor("TOMAS", action, alone=False) == "drink"
    assert pose_for_actor("NINA", action, alone=False) == "stand"
    assert pose_for_action("He dials home, pacing.") == "phone"
    assert pose_for_action("She runs for the door.") == "run"
    assert pose_for_action("The old man collapses.") == "lie_floor"
    assert pose_for_action("He trips on the step.") == "fall"
    assert pose_for_action("Anna lies on the bed, staring at the ceiling.") == "lie"
    assert pose_for_action("Ben sleeps.") == "lie"
    assert pose_for_action("She lies to him about the money.") == "stand"
    assert pose_for_action("It was a lie.") == "stand"
    assert pose_for_action("The killer lies in wait.") == "stand"
    assert pose_for_action("She falls asleep in the chair.") == "lie"


def test_waits_crosses_the_arms_at_the_chest_not_a_hand_at_the_face():
    assert pose_for_actor("BEN", "BEN waits at the door.", alone=True) == "arms_crossed"
    h = 1.8
    j = joint_positions(h, "arms_crossed")
    for side, other in (("r", "l"), ("l", "r")):
        hand = j[f"{side}_hand"]
        assert hand[2] < j[f"{side}_shoulder"][2] - 0.08 * h, "the hands stay below the armpits"
        assert math.dist(hand, j["nose"]) > 0.2 * h, "not a hand at the face"
        assert (hand[0] - j["neck"][0]) * (j[f"{other}_shoulder"][0] - j["neck"][0]) > 0, "across the body"
        assert abs(j[f"{side}_elbow"][0]) > abs(j[f"{side}_shoulder"][0]) * 0.8, "elbows out at the sides"
        assert hand[1] < j["neck"][1] - 0.08 * h, "in front of the chest"
