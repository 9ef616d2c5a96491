"""Offline rules: a director's note -> a structured change, with the lexicon in lexicon.py.

Deterministic and explainable: each part of the change comes from a phrase the summary
names. What the rules cannot read is kept as a prompt phrase and marked not understood,
so the user sees it and can edit the take's prompt by hand.
"""

from __future__ import annotations

import re
from typing import Optional

from shared_schema import NoteChange

from . import lexicon as L

_EMOTION_WORDS = sorted(L.EMOTIONS, key=len, reverse=True)
_EMOTION_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in _EMOTION_WORDS) + r")\b")
_ABS_RE = {w: re.compile(r"\b" + re.escape(w) + r"\s+(?:\w+\s+)?$") for w in L.INTENSITY_ABSOLUTE}
_REL_WORDS = sorted(L.INTENSITY_RELATIVE, key=len, reverse=True)


def _strip_negated(text: str) -> str:
    def drop(match: re.Match) -> str:
        head = match.group(0)
        if re.match(r"(not)\s+(so|as|too|quite|very)\b", head):
            return head  # "not so angry": a degree, not a negation
        return " "
    return re.sub(L.NEGATED, drop, text)


def _find_actor(text: str, characters: list[str], scope_actor: str) -> str:
    for name in sorted(characters, key=len, reverse=True):
        if re.search(r"\b" + re.escape(name.lower()) + r"\b", text):
            return name
    return scope_actor


def _intensity(before: str, word: str) -> tuple[Optional[float], float]:
    """(absolute, relative) from the words just before the emotion word."""
    tail = before[-40:]
    comparative = word.endswith("er") and word not in ("anger", "tender")  # "angrier", "sadder"
    if comparative:
        for degree, step in L.COMPARATIVE_DEGREE.items():
            if re.search(r"\b" + degree + r"\s+$", tail):
                return None, step
    for phrase in _REL_WORDS:
        if re.search(r"\b" + re.escape(phrase) + r"\s+(?:\w+\s+)?$", tail):
            return None, L.INTENSITY_RELATIVE[phrase]
    for phrase, pattern in _ABS_RE.items():
        if pattern.search(tail):
            return L.INTENSITY_ABSOLUTE[phrase], 0.0
    if comparative:
        return None, 0.5
    return L.EMOTIONS[word][1], 0.0


def _performance(text: str, change: NoteChange, said: list[str]) -> None:
    match = _EMOTION_RE.search(text)
    if match:
        word = match.group(1)
        emotion, _ = L.EMOTIONS[word]
        absolute, relative = _intensity(text[:match.start()], word)
        change.emotion = emotion
        if relative:
            change.intensity_delta = relative
        else:
            change.intensity = absolute
        said.append(f"{emotion} {'%+.2g' % relative if relative else absolute}")
        return
    if re.search(L.PERFORMANCE_UP, text):
        change.intensity_delta = 0.5
        said.append("performance +0.5")
    elif re.search(L.PERFORMANCE_DOWN, text):
        change.intensity_delta = -0.5
        said.append("performance -0.5")


def _first_named(table, text: str):
    """The value of the first (pattern, value) in ``table`` whose pattern the note matches, else None."""
    return next((value for pattern, value in table if re.search(pattern, text)), None)


def _camera(text: str, change: NoteChange, said: list[str]) -> None:
    size = _first_named(L.SIZE_NAMES, text)
    if size is not None:
        change.shot_size = size
        said.append(f"size {size.value}")
    else:
        much = re.search(L.MUCH, text)
        if re.search(L.WIDER, text) or (much and much.group(2) == "wider"):
            change.size_steps = 2 if much else 1
        elif re.search(L.CLOSER, text) or much:
            change.size_steps = -2 if much else -1
        if change.size_steps:
            said.append(f"{abs(change.size_steps)} size(s) {'wider' if change.size_steps > 0 else 'closer'}")
    angle = _first_named(L.ANGLES, text)
    if angle is not None:
        change.angle = angle
        said.append(f"angle {angle.value}")
    mm = re.search(L.LENS_MM, text)
    if mm:
        change.lens_mm = int(mm.group(1))
        said.append(f"lens {change.lens_mm}mm")
    elif re.search(L.LONGER_LENS, text):
        change.lens_delta_mm = L.LENS_STEP_MM
        said.append(f"lens +{L.LENS_STEP_MM}mm")
    elif re.search(L.SHORTER_LENS, text):
        change.lens_delta_mm = -L.LENS_STEP_MM
        said.append(f"lens -{L.LENS_STEP_MM}mm")


def _world(text: str, change: NoteChange, said: list[str]) -> None:
    time_of_day = _first_named(L.TIMES, text)
    if time_of_day is not None:
        change.time_of_day = time_of_day
        said.append(f"time {time_of_day}")
    if re.search(L.DRY, text):
        change.weather = "dry"
    else:
        for pattern, value in L.WEATHER:
            if re.search(pattern, text):
                change.weather = value
                break
    if change.weather:
        said.append(f"weather {change.weather}")
    lights = [value for pattern, value in L.LIGHTS if re.search(pattern, text)]
    if lights:
        change.light = ", ".join(lights)
        said.append(f"light {change.light}")


def interpret(text: str, characters: list[str] | None = None, scope_actor: str = "") -> NoteChange:
    """The structured change a note asks for, by the offline rules."""
    characters = [c.upper() for c in (characters or [])]
    raw = " ".join(text.lower().split())
    change = NoteChange(source="rules")
    said: list[str] = []
    kept = _strip_negated(raw.replace("’", "'"))
    _world(kept, change, said)
    same = re.search(L.CONTINUITY, kept)
    if same:
        change.same_as_shot = same.group(1).upper()
        said.append(f"same as shot {change.same_as_shot}")
    _camera(kept, change, said)
    if re.search(L.NEW_SEED, kept):
        change.new_seed = True
        said.append("new seed")
    _performance(kept, change, said)
    props = [m.group(1).strip() for m in re.finditer(L.PROPS, kept)]
    # A "prop" that is an emotion, a size, an angle, a time, weather or light was read above.
    lexicon = [p for p, _ in (*L.SIZE_NAMES, *L.ANGLES, *L.TIMES, *L.WEATHER, *L.LIGHTS)]
    props = [p for p in props if not _EMOTION_RE.search(p) and not any(re.search(x, p) for x in lexicon)]
    if props:
        change.prompt_terms = props
        said.append("add " + ", ".join(props))
    actor = _find_actor(kept, characters, scope_actor.upper())
    performance = change.emotion or change.intensity is not None or change.intensity_delta
    if performance or change.prompt_terms:
        if not actor and re.search(L.PRONOUNS, kept) and len(characters) == 1:
            actor = characters[0]
        change.actor = actor
    if not said:
        change.understood = False
        change.prompt_terms = [text.strip()]
        change.summary = f"not understood offline: kept as a prompt phrase ({text.strip()!r})"
        return change
    who = f"{change.actor}: " if change.actor else ""
    change.summary = who + "; ".join(said)
    return change
