"""Choose N beats together: the story's shape as a prior, salience, and spacing.

The first beat is the opening image and the last the final image; the ones between take
roles along the shape most stories share (the inciting incident in the first act,
escalation, a turn near the middle, the climax late), each role a soft window on the
story's length. Dynamic programming picks, in script order and at least ``gap`` lines
apart, the moments that maximise salience plus fit to their role: O(roles x moments).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    name: str
    centre: float  # fraction of the story
    width: float
    weight: float
    salience_gain: float = 1.0  # how much the moment's own strength counts for this role


# The climax is the strongest moment of the last act, so its strength counts for more.
CLIMAX = Role("climax", 0.87, 0.08, 2.0, 1.6)


def middle_roles(count: int) -> list[Role]:
    """The roles between the opening and the final image for ``count`` beats in between."""
    if count <= 0:
        return []
    if count == 1:
        return [CLIMAX]
    if count == 2:
        return [Role("turn", 0.5, 0.15, 1.5), CLIMAX]
    # The inciting incident early in act one; the rest from the midpoint to the turn into act
    # three (from the end of act one when there are many of them).
    between = count - 2
    low = 0.45 if between <= 3 else 0.25
    width = max(0.05, 0.3 / (between + 1) + 0.03)
    roles = [Role("inciting", 0.15, max(0.05, 0.3 / (between + 1)), 2.5)]
    for i in range(between):
        centre = low + (0.70 - low) * (i / (between - 1)) if between > 1 else 0.55
        roles.append(Role("turn" if i == between - 1 else "escalation", centre, width, 2.5))
    return roles + [CLIMAX]


def fit(role: Role, fraction: float) -> float:
    return role.weight * math.exp(-((fraction - role.centre) / role.width) ** 2)


SAME_SCENE = 1.0  # two beats from one scene cover less of the story than two scenes


def choose(lines: list[int], fractions: list[float], salience: list[float], roles: list[Role],
           gap: int, extra: dict[str, list[float]] | None = None,
           scenes: list[int] | None = None) -> list[int] | None:
    """Indices (increasing) of one moment per role, or None when they cannot all fit.
    ``extra`` adds a per-moment score for the role of that name; consecutive beats from one
    scene (``scenes``) pay SAME_SCENE."""
    n = len(lines)
    k = len(roles)
    if n < k or k == 0:
        return [] if k == 0 else None
    scenes = scenes or list(range(n))
    neg = -1e18
    previous: list[float] = []  # best total ending at moment i for the roles so far
    back: list[list[int]] = []
    for r, role in enumerate(roles):
        bonus = (extra or {}).get(role.name)
        gain = role.salience_gain
        # fit(role, fractions[i]) written out: this runs roles x moments times
        weight, centre, width, exp = role.weight, role.centre, role.width, math.exp
        fits = [weight * exp(-((f - centre) / width) ** 2) for f in fractions]
        if r == 0:  # the first role: nothing before it
            previous = [0.0 + gain * salience[i] + fits[i] + (bonus[i] if bonus else 0.0) for i in range(n)]
            back.append([-1] * n)
            continue
        current = [neg] * n
        choice = [-1] * n
        # The best earlier moment (and its scene), and the best from a scene other than its scene.
        best_value, best_index, best_scene, other_value, other_index, j = neg, -1, None, neg, -1, 0
        for i in range(n):
            limit = lines[i] - gap
            while j < i and lines[j] <= limit:
                value = previous[j]
                if value > best_value:
                    if best_index >= 0 and best_scene != scenes[j]:
                        other_value, other_index = best_value, best_index
                    best_value, best_index, best_scene = value, j, scenes[j]
                elif value > other_value and scenes[j] != best_scene:
                    other_value, other_index = value, j
                j += 1
            if best_index < 0:
                continue
            if best_scene != scenes[i]:
                base, pick = best_value, best_index
            elif other_value > best_value - SAME_SCENE:
                base, pick = other_value, other_index
            else:
                base, pick = best_value - SAME_SCENE, best_index
            choice[i] = pick
            current[i] = base + gain * salience[i] + fits[i] + (bonus[i] if bonus else 0.0)
        back.append(choice)
        previous = current
    end = max(range(n), key=lambda i: previous[i])
    if previous[end] <= neg / 2:
        return None
    picked = [end]
    for r in range(k - 1, 0, -1):
        picked.append(back[r][picked[-1]])
    return picked[::-1]
