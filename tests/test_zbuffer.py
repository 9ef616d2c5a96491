"""The numpy z-buffer against geometry whose depth is known in closed form."""

import math

import numpy as np

from blender_addon.core.projection import PinholeCamera, camera_rotation
from blender_addon.core.zbuffer import rasterize

W, H = 160, 90


def _camera(yaw=0.0, pitch=0.0, shift=(0.0, 0.0), fit="AUTO"):
    return PinholeCamera((0.0, 0.0, 1.5), camera_rotation(yaw, pitch), 35.0, 36.0, 24.0, W, H, fit, *shift)


def _quad(corners, label):
    a, b, c, d = (np.array(p, dtype=float) for p in corners)
    return [np.stack([a, b, c]), np.stack([a, c, d])], [label, label]


def _ray_plane_depth(camera, point, normal):
    """View-axis depth of the plane through ``point`` with ``normal`` at every pixel centre."""
    out = np.empty((H, W))
    for row in range(H):
        for col in range(W):
            direction = np.array(camera.ray(col + 0.5, row + 0.5))  # unit view-axis component
            t = np.dot(np.array(point) - camera.location, normal) / np.dot(direction, normal)
            out[row, col] = t
    return out


def test_a_tilted_wall_has_exact_perspective_correct_depth():
    camera = _camera(yaw=10.0, pitch=-5.0, shift=(0.05, -0.02))
    # A big wall 6 m ahead, turned 30 degrees about Z.
    normal = np.array([math.sin(math.radians(30)), -math.cos(math.radians(30)), 0.0])
    along = np.array([math.cos(math.radians(30)), math.sin(math.radians(30)), 0.0])
    centre = np.array([0.0, 6.0, 1.5])
    corners = [centre + s * 20 * along + u * np.array([0, 0, 20]) for s, u in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
    tris, labels = _quad(corners, 1)
    depth, label = rasterize(camera, np.array(tris), np.array(labels), W, H, 0.1, 100.0)
    expected = _ray_plane_depth(camera, centre, normal)
    assert (label == 1).all()
    assert np.max(np.abs(depth - expected) / expected) < 1e-4


def test_the_nearer_surface_wins_and_labels_follow_it():
    camera = _camera()
    far_tris, far_labels = _quad([(-5, 8, -3), (5, 8, -3), (5, 8, 6), (-5, 8, 6)], 1)
    near_tris, near_labels = _quad([(-0.5, 4, 1), (0.5, 4, 1), (0.5, 4, 2), (-0.5, 4, 2)], 2)
    depth, label = rasterize(camera, np.array(far_tris + near_tris), np.array(far_labels + near_labels),
                             W, H, 0.1, 100.0)
    assert label[H // 2, W // 2] == 2 and abs(depth[H // 2, W // 2] - 4.0) < 1e-4
    assert label[5, 5] == 1 and abs(depth[5, 5] - 8.0) < 1e-3
    # Drawing order must not matter.
    depth2, label2 = rasterize(camera, np.array(near_tris + far_tris), np.array(near_labels + far_labels),
                               W, H, 0.1, 100.0)
    assert np.array_equal(label, label2) and np.allclose(depth, depth2)


def test_a_floor_passing_under_the_camera_is_clipped_not_lost():
    camera = _camera(pitch=-20.0)
    tris, labels = _quad([(-50, -50, 0), (50, -50, 0), (50, 50, 0), (-50, 50, 0)], 3)
    depth, label = rasterize(camera, np.array(tris), np.array(labels), W, H, 0.1, 60.0)
    expected = _ray_plane_depth(camera, (0, 0, 0), np.array([0, 0, 1.0]))
    hit = label == 3
    assert hit[-1].all(), "the bottom rows see the floor"
    assert np.allclose(depth[hit], np.minimum(expected[hit], 60.0), rtol=1e-4)
    assert (depth[~hit] == 60.0).all()


def test_lower_resolution_samples_the_same_frame():
    camera = _camera()
    tris, labels = _quad([(-0.5, 4, 1), (0.5, 4, 1), (0.5, 4, 2), (-0.5, 4, 2)], 1)
    _, full = rasterize(camera, np.array(tris), np.array(labels), W, H, 0.1, 100.0)
    _, half = rasterize(camera, np.array(tris), np.array(labels), W // 2, H // 2, 0.1, 100.0)
    assert abs(full.mean() - half.mean()) < 0.02
