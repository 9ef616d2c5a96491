"""Deterministic, screenplay-aware beat extraction: no network, no model.

The script is cut into N windows of equal length (so the beats cover the whole
story, in order) and each window contributes its most salient moment: entrances,
scene changes, dialogue peaks, strong verbs and emotional words score highest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared_schema import Beat, BeatsResponse, IntExt

from .screenplay import Element, ParsedScript, parse_script
from .shot_suggestion import suggest_shot

EMOTIONS = {
    "fear": "afraid scared terrified trembles panic fear frozen horror gasps",
    "anger": "angry furious slams shouts yells rage punches storms glares",
    "joy": "laughs smiles grins joy delighted beams celebrates dances",
    "sadness": "cries tears weeps sobs grief mourns alone sad",
    "tension": "waits silence stares creeps slowly careful hides suspicious nervous",
    "surprise": "suddenly gasp shocked stunned bursts startled freezes",
    "tenderness": "hug hugs kiss kisses holds gently softly touches",
}
_EMOTION_OF = {word: emotion for emotion, words in EMOTIONS.items() for word in words.split()}
_STRONG_VERBS = frozenset(
    "enters bursts runs falls grabs slams shoots fires kisses hugs punches throws breaks "
    "opens reveals turns collapses explodes crashes steps walks arrives leaves pulls draws".split()
)
_WORD_RE = re.compile(r"[A-Za-z']+")


@dataclass
class _Candidate:
    element: Element
    position: int
    score: float
    entering: list[str]
    present: list[str]
    emotion: str
    intensity: float


def _mentions(text: str, names: list[str]) -> list[str]:
    upper = text.upper()
    return [n for n in names if re.search(rf"(?<![A-Z]){re.escape(n)}(?![A-Z])", upper)]


def _emotion(text: str) -> tuple[str, float]:
    counts: dict[str, int] = {}
    for word in _WORD_RE.findall(text.lower()):
        if word in _EMOTION_OF:
            counts[_EMOTION_OF[word]] = counts.get(_EMOTION_OF[word], 0) + 1
    intensity = sum(counts.values()) + text.count("!") * 0.5
    best = max(counts, key=counts.get) if counts else ""
    return best, intensity


def _candidates(parsed: ParsedScript, focus_names: list[str]) -> list[_Candidate]:
    seen: set[str] = set()
    in_scene: dict[int, list[str]] = {}
    result = []
    for position, element in enumerate(parsed.elements):
        if element.kind in ("transition", "section"):
            continue
        present = in_scene.setdefault(element.scene_index, [])
        named = element.characters or _mentions(element.text, parsed.characters)
        for name in named:
            if name not in present:
                present.append(name)
        entering = [n for n in named if n not in seen]
        seen.update(named)
        emotion, intensity = _emotion(element.text)
        words = {w.lower() for w in _WORD_RE.findall(element.text)}
        score = 3.0 * len(entering) + 1.5 * intensity + 1.0 * len(words & _STRONG_VERBS)
        if element.kind == "scene":
            score += 2.0
        if element.kind == "dialogue":
            score += 0.5 + element.text.count("?") * 0.3
        if element.kind == "action":
            score += min(len(words), 40) / 20.0
        score += 4.0 * len(set(named) & set(focus_names))
        result.append(_Candidate(element, position, score, entering, list(present), emotion, intensity))
    return result


def _pick(candidates: list[_Candidate], n: int) -> list[_Candidate]:
    if len(candidates) <= n:
        return candidates
    picked = []
    for window in range(n):
        lo = window * len(candidates) // n
        hi = (window + 1) * len(candidates) // n
        span = candidates[lo:hi]
        # Prefer action over the bare heading of a scene: a heading is a place, not a moment.
        picked.append(max(span, key=lambda c: (c.score - (1.5 if c.element.kind == "scene" else 0.0), -c.position)))
    return picked


def _action_text(parsed: ParsedScript, candidate: _Candidate) -> str:
    element = candidate.element
    if element.kind == "action":
        return element.text
    # A heading or a line of dialogue: describe it with the nearest action of that scene.
    for other in parsed.elements[candidate.position + 1 :]:
        if other.scene_index != element.scene_index:
            break
        if other.kind == "action":
            return other.text
    if element.kind == "dialogue":
        return f"{element.character.title()} speaks."
    return element.text


def extract_beats(text: str, n: int = 6, focus: str = "") -> BeatsResponse:
    parsed = parse_script(text)
    focus_names = _mentions(focus, parsed.characters)
    chosen = _pick(_candidates(parsed, focus_names), n)
    beats = []
    previous_scene = -1
    for index, candidate in enumerate(chosen):
        element = candidate.element
        scene = parsed.scenes[element.scene_index] if parsed.scenes else None
        dialogue = element.text if element.kind == "dialogue" else ""
        is_reaction = bool(focus_names) and bool(set(focus_names) & set(candidate.present)) and "reaction" in focus.lower()
        shot = suggest_shot(
            is_first=index == 0,
            opens_scene=element.scene_index != previous_scene,
            has_entrance=bool(candidate.entering) and index > 0,
            people=len(candidate.present),
            intensity=candidate.intensity,
            has_dialogue=bool(dialogue),
            is_reaction=is_reaction,
            exterior=bool(scene and scene.int_ext is IntExt.EXT),
        )
        previous_scene = element.scene_index
        beats.append(
            Beat(
                index=index + 1,
                action=_action_text(parsed, candidate)[:400],
                scene_number=scene.number if scene else "1",
                heading=scene.heading if scene else "",
                location=scene.location if scene else "",
                int_ext=scene.int_ext if scene else IntExt.UNKNOWN,
                time_of_day=scene.time_of_day if scene else "",
                characters=candidate.present,
                entering=candidate.entering if index > 0 else [],
                dialogue=dialogue[:300],
                speaker=element.character if dialogue else "",
                emotion=candidate.emotion or "neutral",
                shot=shot,
                line_start=element.line_start,
                line_end=element.line_end,
            )
        )
    warnings = [] if len(beats) == n else [f"the script has only {len(beats)} distinct moments; asked for {n}"]
    return BeatsResponse(
        beats=beats,
        title=re.sub(r"[*_]", "", parsed.title),
        scenes=len(parsed.scenes),
        characters=parsed.characters,
        extractor="offline",
        warnings=warnings,
    )
