"""Pinhole projection exactly as Blender's camera does it (sensor fit, lens shift).

Matrices are row-major 3x3 tuples; a camera's rotation matrix has the camera's local
axes as columns. Blender cameras look down their local -Z with +Y up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Vec = tuple[float, float, float]
Mat3 = tuple[Vec, Vec, Vec]


def rot_x(a: float) -> Mat3:
    c, s = math.cos(a), math.sin(a)
    return ((1.0, 0.0, 0.0), (0.0, c, -s), (0.0, s, c))


def rot_y(a: float) -> Mat3:
    c, s = math.cos(a), math.sin(a)
    return ((c, 0.0, s), (0.0, 1.0, 0.0), (-s, 0.0, c))


def rot_z(a: float) -> Mat3:
    c, s = math.cos(a), math.sin(a)
    return ((c, -s, 0.0), (s, c, 0.0), (0.0, 0.0, 1.0))


def matmul(a: Mat3, b: Mat3) -> Mat3:
    return tuple(tuple(sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)) for i in range(3))  # type: ignore[return-value]


def apply(m: Mat3, v: Vec) -> Vec:
    return tuple(sum(m[i][k] * v[k] for k in range(3)) for i in range(3))  # type: ignore[return-value]


def transpose(m: Mat3) -> Mat3:
    return tuple(tuple(m[j][i] for j in range(3)) for i in range(3))  # type: ignore[return-value]


def camera_rotation(yaw_deg: float, pitch_deg: float, roll_deg: float = 0.0) -> Mat3:
    """yaw about world Z (0 looks along +Y), pitch up positive, roll about the view axis."""
    return matmul(matmul(rot_z(math.radians(yaw_deg)), rot_x(math.radians(90.0 + pitch_deg))),
                  rot_z(math.radians(roll_deg)))


@dataclass(frozen=True)
class PinholeCamera:
    location: Vec
    rotation: Mat3
    focal_length_mm: float
    sensor_width_mm: float
    sensor_height_mm: float
    width_px: int
    height_px: int
    sensor_fit: str = "AUTO"  # AUTO, HORIZONTAL, VERTICAL
    shift_x: float = 0.0
    shift_y: float = 0.0

    def _fit_horizontal(self) -> bool:
        if self.sensor_fit == "AUTO":
            return self.width_px >= self.height_px
        return self.sensor_fit == "HORIZONTAL"

    def pixels_per_mm(self) -> float:
        if self.sensor_fit == "AUTO":
            return max(self.width_px, self.height_px) / self.sensor_width_mm
        if self.sensor_fit == "HORIZONTAL":
            return self.width_px / self.sensor_width_mm
        return self.height_px / self.sensor_height_mm

    def shift_side_px(self) -> int:
        """Lens shift is a fraction of the fitted side: the larger one under AUTO."""
        if self.sensor_fit == "HORIZONTAL":
            return self.width_px
        if self.sensor_fit == "VERTICAL":
            return self.height_px
        return max(self.width_px, self.height_px)

    def to_camera(self, point: Vec) -> Vec:
        rel = (point[0] - self.location[0], point[1] - self.location[1], point[2] - self.location[2])
        return apply(transpose(self.rotation), rel)

    def depth(self, point: Vec) -> float:
        """Distance along the view axis (positive in front of the camera)."""
        return -self.to_camera(point)[2]

    def project(self, point: Vec) -> tuple[float, float, float]:
        """(x, y, depth): pixels from the top-left corner, and view-axis depth in metres."""
        x, y, z = self.to_camera(point)
        d = -z
        if d <= 1e-9:
            return (math.nan, math.nan, d)
        scale = self.pixels_per_mm()
        # Shifting the frame moves the scene the other way within it.
        side = self.shift_side_px()
        u = self.width_px / 2 + scale * self.focal_length_mm * x / d - self.shift_x * side
        v = self.height_px / 2 + scale * self.focal_length_mm * y / d - self.shift_y * side
        return (u, self.height_px - v, d)

    def ray(self, px: float, py: float) -> Vec:
        """World-space direction (not normalized, unit view-axis component) through a pixel."""
        scale = self.pixels_per_mm()
        side = self.shift_side_px()
        u = px - self.width_px / 2 + self.shift_x * side
        v = (self.height_px - py) - self.height_px / 2 + self.shift_y * side
        local = (u / (scale * self.focal_length_mm), v / (scale * self.focal_length_mm), -1.0)
        return apply(self.rotation, local)
