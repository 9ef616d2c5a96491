"""Colour difference (CIEDE2000) and a cast palette whose colours stay apart.

Hand-written because the add-on may import only what Blender bundles (no colour-science,
no scikit-image); the formula follows Sharma, Wu and Dalal (2005), whose test pairs the
tests check.
"""

from __future__ import annotations

import math

RGB = tuple[float, float, float]
Lab = tuple[float, float, float]

# Two actors in one shot must differ by more than this (CIEDE2000; about 2.3 is "just noticeable").
DISTINCT_DELTA_E = 20.0


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def srgb_to_lab(rgb: RGB) -> Lab:
    """sRGB in 0..1 -> CIELAB (D65)."""
    r, g, b = (_linear(min(max(c, 0.0), 1.0)) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def ciede2000(lab1: Lab, lab2: Lab) -> float:
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar ** 7 / (c_bar ** 7 + 25 ** 7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    dh = 0.0
    if c1p * c2p:
        dh = h2p - h1p
        if dh > 180:
            dh -= 360
        elif dh < -180:
            dh += 360
    d_h = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_bar, c_bar_p = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_bar - 30)) + 0.24 * math.cos(math.radians(2 * h_bar))
         + 0.32 * math.cos(math.radians(3 * h_bar + 6)) - 0.20 * math.cos(math.radians(4 * h_bar - 63)))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * c_bar_p
    s_h = 1 + 0.015 * c_bar_p * t
    d_theta = 30 * math.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(c_bar_p ** 7 / (c_bar_p ** 7 + 25 ** 7))
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (dc / s_c) * (d_h / s_h))


def delta_e(rgb1: RGB, rgb2: RGB) -> float:
    return ciede2000(srgb_to_lab(rgb1), srgb_to_lab(rgb2))


# Mannequin colours in order of a character's first appearance on the board: every pair is
# more than DISTINCT_DELTA_E apart (a test checks), and none is the set's grey.
CAST_PALETTE: tuple[RGB, ...] = (
    (0.80, 0.22, 0.20),  # brick red
    (0.20, 0.45, 0.85),  # blue
    (0.95, 0.75, 0.15),  # yellow
    (0.25, 0.65, 0.30),  # green
    (0.60, 0.30, 0.75),  # purple
    (0.95, 0.50, 0.10),  # orange
    (0.20, 0.75, 0.80),  # teal
    (0.90, 0.45, 0.70),  # pink
    (0.45, 0.28, 0.12),  # brown
    (0.10, 0.15, 0.40),  # navy
    (0.50, 0.02, 0.22),  # maroon
    (0.95, 0.92, 0.85),  # bone white
)


def palette_colour(index: int) -> RGB:
    return CAST_PALETTE[index % len(CAST_PALETTE)]
