"""Which moments of a script become the N beats.

Every action and line of dialogue is a candidate moment, scored by ``salience`` and by what
surrounds it (a confrontation between the leads, a run of strong moments). The first beat is
the opening image, the last the final image; ``story_shape`` picks the ones between.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .focus import FocusPlan
from .presence import Presence
from .salience import SHOWS_SOMETHING_FIRST, score, shows_nothing
from .screenplay import Element, ParsedScript
from .story_shape import choose, middle_roles

_FADE_IN = re.compile(r"^\W*fade in\b", re.I)
_MAX_SPAN = 10
_OPENING_LINES = 5


@dataclass(slots=True)
class Moment:
    position: int  # index into parsed.elements
    element: Element
    presence: Presence
    salience: float
    line_end: int = 0  # the moment runs on through the lines that answer it


def moments_of(parsed: ParsedScript, presences: list[Presence], plan: FocusPlan,
             weight: dict[str, float]) -> list[Moment]:
    names = set(parsed.characters) | set(parsed.aliases) | set(parsed.not_people)
    elements = parsed.elements
    result = []
    total = max(parsed.line_count, 1)
    for position, (element, presence) in enumerate(zip(elements, presences)):
        if element.kind not in ("action", "dialogue") or (
                element.text[:1] not in SHOWS_SOMETHING_FIRST and shows_nothing(element)):
            continue
        value = score(element, presence, weight, names, element.line_start / total)
        if plan.names and not plan.reaction:
            value += 2.0 * len(set(presence.visible) & set(plan.names))
        if plan.keywords:
            lowered = element.text.lower()
            value += 1.5 * sum(1 for k in plan.keywords if has_word(lowered, k))
        result.append(Moment(position, element, presence, value))
    _add_exchanges(result, weight)
    _add_context(result)
    return result


def _add_exchanges(moments: list[Moment], weight: dict[str, float]) -> None:
    """A long back-and-forth between two people who matter is a confrontation: the lines of
    such an exchange gain with its length and with the weight of the weaker of the two."""
    i = 0
    count = len(moments)
    while i < count:
        j = i
        scene = moments[i].element.scene_index
        while j + 1 < count and moments[j + 1].element.kind == "dialogue" and \
                moments[j + 1].element.scene_index == scene and \
                moments[j + 1].position - moments[j].position <= 2:
            j += 1
        if j == i:  # a lone moment (most of them) is no exchange
            i += 1
            continue
        run = [m for m in moments[i:j + 1] if m.element.kind == "dialogue" and not m.element.voice]
        speakers: dict[str, int] = {}
        for m in run:
            speakers[m.element.character] = speakers.get(m.element.character, 0) + 1
        if len(run) >= 4 and len(speakers) >= 2:
            two = sorted(speakers, key=speakers.get, reverse=True)[:2]
            gain = 0.15 * min(len(run), 12) * min(weight.get(n, 0.1) for n in two)
            for m in run:
                m.salience += gain
        i = j + 1


def _add_context(moments: list[Moment], reach: int = 3) -> None:
    """A moment inside a run of strong moments (a fight, a chase, a confrontation) gains:
    climaxes are sequences, a lone loud line is not."""
    raw = [m.salience for m in moments]
    count = len(moments)
    start = 0  # the first moment of the current scene (moments come in script order, scenes ascending)
    while start < count:
        scene = moments[start].element.scene_index
        end = start + 1
        while end < count and moments[end].element.scene_index == scene:
            end += 1
        for i in range(start, end):
            low = i - reach if i - reach > start else start
            high = i + reach + 1 if i + reach + 1 < end else end
            if high - low > 1:  # another moment of the scene within reach
                total = 0.0  # added one by one in script order: the same float total as ever
                for value in raw[low:i]:
                    total += value
                for value in raw[i + 1:high]:
                    total += value
                moments[i].salience += 0.5 * total / (high - low - 1)
        start = end


def has_word(lowered: str, word: str) -> bool:
    return re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", lowered) is not None


def _span_end(parsed: ParsedScript, position: int) -> int:
    """A moment is its paragraph and what answers it at once: dialogue and short lines of action."""
    elements = parsed.elements
    element = elements[position]
    end = element.line_end
    for index in range(position + 1, len(elements)):
        other = elements[index]
        short_action = other.kind == "action" and other.text.count(" ") < 8  # "The referee stops the fight."
        if other.scene_index != element.scene_index or not (other.kind == "dialogue" or short_action) or \
                other.line_end - element.line_start >= _MAX_SPAN:
            break
        end = other.line_end
    return end


def _normalise(values: list[float]) -> list[float]:
    if not values:
        return values
    ordered = sorted(values)
    low, high = ordered[len(ordered) // 10], ordered[(len(ordered) * 98) // 100]
    spread = (high - low) or 1.0
    return [(v - low) / spread * 4.0 for v in values]


def _opening(moments: list[Moment], parsed: ParsedScript, plan: FocusPlan) -> int:
    """Index in ``moments`` of the opening image: the first action after FADE IN that shows
    something (or the first moment that shows what the director asked to open on)."""
    start_line = 0
    for element in parsed.elements[: max(len(parsed.elements) // 10, 5)]:
        if _FADE_IN.match(element.text):
            start_line = element.line_end
            break
    early = [i for i, m in enumerate(moments) if m.element.line_start > start_line] or list(range(len(moments)))
    if plan.keywords and plan.opening is not None:
        # "Open on the RV": the first time it is seen, if that is early (a quarter, or three scenes, in).
        limit = max(parsed.line_count * 0.25, parsed.scenes[min(2, len(parsed.scenes) - 1)].line_end)
        named = [i for i in early if moments[i].element.line_start <= limit and
                 any(has_word(moments[i].element.text.lower(), k) for k in plan.keywords)]
        if named:
            return named[0]
    actions = [i for i in early[:12] if moments[i].element.kind == "action"]
    return actions[0] if actions else early[0]


def _final(moments: list[Moment], parsed: ParsedScript, plan: FocusPlan) -> int:
    """Index of the final image: the last action that shows something; with "end on X", the
    last moment of the final stretch that shows X."""
    if plan.ending_names:
        tail = parsed.line_count * 0.85
        for i in range(len(moments) - 1, -1, -1):
            if moments[i].element.line_start < tail:
                break
            if set(plan.ending_names) & set(moments[i].presence.visible):
                return i
    for i in range(len(moments) - 1, max(len(moments) - 12, -1), -1):
        if moments[i].element.kind == "action":
            return i
    return len(moments) - 1


def _aftermath_penalty(parsed: ParsedScript, moments: list[Moment]) -> list[float]:
    """A scene late in the story that brings in someone new, who is in the frame (the doctor
    at the hospital, the police arriving), is usually the aftermath, not the climax, which
    belongs to the people the story has followed."""
    first_named: dict[str, Element] = {}
    aliases = parsed.aliases
    for element in parsed.elements:
        for name in element.named or element.characters:
            first_named.setdefault(aliases.get(name, name), element)
    late = parsed.line_count * 0.75
    introduced_late = {(e.scene_index, name) for name, e in first_named.items() if e.line_start > late}
    late_scenes = {scene for scene, _ in introduced_late}
    return [-3.0 if m.element.scene_index in late_scenes and
            any((m.element.scene_index, n) in introduced_late for n in m.presence.visible) else 0.0
            for m in moments]


def pick(moments: list[Moment], parsed: ParsedScript, n: int, plan: FocusPlan) -> list[Moment]:
    if len(moments) <= n or n == 1:
        chosen = moments if len(moments) <= n else [max(moments, key=lambda m: m.salience)]
        for moment in chosen:
            moment.line_end = _span_end(parsed, moment.position)
        return chosen
    first = _opening(moments, parsed, plan)
    last = _final(moments, parsed, plan)
    if last <= first:
        first, last = 0, len(moments) - 1
    lines_total = max(parsed.line_count, 1)
    opening = moments[first]
    opening.line_end = _span_end(parsed, opening.position)
    # The opening image holds the place and who is first seen in it: its first few lines.
    for later in moments[first + 1:first + 4]:
        if later.element.line_end - opening.element.line_start > _OPENING_LINES:
            break
        opening.line_end = max(opening.line_end, _span_end(parsed, later.position))
    # Keep the middle beats clear of the opening and the final image: the first entrances
    # belong to the opening, the last lines to the ending.
    margin = max(2, lines_total // (n * 3))
    inner = [m for m in moments[first + 1:last]
             if m.element.line_start >= opening.line_end + margin and
             m.element.line_start <= moments[last].element.line_start - min(margin, lines_total // 40 + 2)]
    if len(inner) < n - 2:
        inner = moments[first + 1:last]
    roles = middle_roles(n - 2)
    picked = None
    salience = _normalise([m.salience for m in inner])
    fractions = [m.element.line_start / lines_total for m in inner]
    starts = [m.element.line_start for m in inner]
    gap = max(2, lines_total // (n * 4))
    extra = {"climax": _aftermath_penalty(parsed, inner)}
    while picked is None and gap >= 0:
        picked = choose(starts, fractions, salience, roles, gap, extra,
                                 [m.element.scene_index for m in inner]) if len(inner) >= len(roles) else None
        gap = gap // 2 if gap > 1 else gap - 1
    if picked is None:  # too few moments for the roles: the strongest, in order
        picked = sorted(sorted(range(len(inner)), key=lambda i: -salience[i])[:n - 2])
    chosen = [opening] + [inner[i] for i in picked] + [moments[last]]
    for moment in chosen[1:]:
        moment.line_end = _span_end(parsed, moment.position)
    return chosen
