"""Deterministic, screenplay-aware beat extraction: no network, no model.

The script is cut into N windows of equal length (so the beats cover the whole story,
in order) and each window gives its most salient moment. Salience: entrances, scene
changes, emotional words and exclamations, strong verbs, dialogue peaks, and the
structural positions a storyboard artist looks for (opening, the turns at a quarter,
half and three quarters, the climax, the final reaction). A director's focus boosts
the moments it names and sets their shots.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from shared_schema import Beat, BeatsResponse, IntExt, SceneInfo, ShotSize

from .focus import FocusPlan, parse_focus
from .screenplay import Element, ParsedScript, parse_script
from .shot_suggestion import LENS_FOR_SIZE, suggest_shot

EMOTIONS = {
    "fear": "afraid scared terrified trembles trembling panic fear frozen horror gasps screams",
    "anger": "angry furious slams shouts yells rage punches storms glares smashes",
    "joy": "laughs laugh smiles grins joy delighted beams celebrates dances",
    "sadness": "cries tears weeps sobs grief mourns alone sad",
    "tension": "waits silence stares creeps slowly careful hides suspicious nervous ticking",
    "surprise": "suddenly gasp shocked stunned bursts startled freezes",
    "tenderness": "hug hugs kiss kisses holds gently softly touches",
}
_EMOTION_OF = {word: emotion for emotion, words in EMOTIONS.items() for word in words.split()}
_STRONG_VERBS = frozenset(
    "enters bursts runs falls grabs slams shoots fires kisses hugs punches throws breaks "
    "opens reveals turns collapses explodes crashes steps walks arrives leaves pulls draws".split()
)
_WORD_RE = re.compile(r"[a-z']+")
_SALIENT = frozenset(_EMOTION_OF) | _STRONG_VERBS
# Where stories turn, as fractions of their length, and how much a moment there gains.
_TURNS = (0.25, 0.5, 0.75, 0.9)
_TURN_WIDTH = 0.04


@dataclass
class _Candidate:
    element: Element
    position: int
    score: float
    entering: list[str]
    scene_cast: list[str]  # grows as the scene goes on; only the first present_count were there
    present_count: int
    emotion: str
    intensity: float

    @property
    def present(self) -> list[str]:
        return self.scene_cast[: self.present_count]


def _emotion(words: list[str], text: str) -> tuple[str, float]:
    counts: dict[str, int] = {}
    for word in words:
        emotion = _EMOTION_OF.get(word)
        if emotion:
            counts[emotion] = counts.get(emotion, 0) + 1
    intensity = sum(counts.values()) + text.count("!") * 0.5
    best = max(counts, key=counts.get) if counts else ""
    return best, intensity


def _structure_bonus(fraction: float) -> float:
    if fraction < 0.05:  # the opening: where the board establishes the place
        return 4.0 * math.exp(-((fraction / 0.02) ** 2))
    nearest = min(abs(fraction - t) for t in _TURNS)
    return 1.5 * math.exp(-((nearest / _TURN_WIDTH) ** 2)) if nearest < 3 * _TURN_WIDTH else 0.0


def _candidates(parsed: ParsedScript, focus: FocusPlan) -> list[_Candidate]:
    seen: set[str] = set()
    in_scene: dict[int, list[str]] = {}
    result = []
    total = max(len(parsed.elements) - 1, 1)
    for position, element in enumerate(parsed.elements):
        if element.kind in ("transition", "section"):
            continue
        present = in_scene.setdefault(element.scene_index, [])
        named = element.named
        for name in named:
            if name not in present:
                present.append(name)
        entering = [n for n in named if n not in seen]
        seen.update(named)
        words = [w for w in _WORD_RE.findall(element.text.lower()) if w in _SALIENT]
        emotion, intensity = _emotion(words, element.text)
        score = 3.0 * len(entering) + 1.5 * intensity + len(_STRONG_VERBS.intersection(words))
        score += _structure_bonus(position / total)
        if element.kind == "scene":
            score += 1.0
        elif element.kind == "dialogue":
            score += 0.5 + element.text.count("?") * 0.3
        else:
            score += min(element.text.count(" ") + 1, 40) / 20.0
        if focus.names:
            score += 4.0 * len(set(named) & set(focus.names))
        if focus.keywords:
            lowered = element.text.lower()
            score += 1.5 * sum(1 for k in focus.keywords if k in lowered)
        result.append(_Candidate(element, position, score, entering, present, len(present), emotion, intensity))
    return result


def _pick(candidates: list[_Candidate], n: int) -> list[_Candidate]:
    if len(candidates) <= n:
        return candidates
    picked = []
    for window in range(n):
        span = candidates[window * len(candidates) // n:(window + 1) * len(candidates) // n]
        # A bare heading is a place, not a moment: prefer what happens there.
        picked.append(max(span, key=lambda c: (c.score - (1.5 if c.element.kind == "scene" else 0.0), -c.position)))
    return picked


def _action_text(parsed: ParsedScript, candidate: _Candidate) -> str:
    element = candidate.element
    if element.kind == "action":
        return element.text
    # A heading or a line of dialogue: describe it with the nearest action of that scene.
    for other in parsed.elements[candidate.position + 1:]:
        if other.scene_index != element.scene_index:
            break
        if other.kind == "action":
            return other.text
    for other in reversed(parsed.elements[:candidate.position]):
        if other.scene_index != element.scene_index:
            break
        if other.kind == "action":
            return other.text
    if element.kind == "dialogue":
        return f"{element.character.title()} speaks."
    return element.text


def _apply_focus(beats: list[Beat], focus: FocusPlan) -> None:
    if focus.opening is not None and beats:
        beats[0].shot.size = focus.opening
        beats[0].shot.lens_mm = LENS_FOR_SIZE[focus.opening]
    if focus.names and focus.reaction:
        # "Alice's reaction in one frame": the strongest beat she is in becomes her close-up.
        with_them = [b for b in beats if set(focus.names) & set(b.characters)]
        if with_them:
            beat = max(with_them, key=lambda b: (len(set(focus.names) & set(b.characters)), b.index))
            beat.subject = next(n for n in focus.names if n in beat.characters)
            beat.shot.size = ShotSize.CU
            beat.shot.lens_mm = LENS_FOR_SIZE[ShotSize.CU]
            if beat.emotion == "neutral":
                beat.emotion = "reaction"
    if focus.ending_names and beats:
        present = [n for n in focus.ending_names if n in beats[-1].characters]
        if present:
            beats[-1].subject = present[0]


def _keywords_found(parsed: ParsedScript, plan: FocusPlan) -> bool:
    return any(k in element.text.lower() for element in parsed.elements for k in plan.keywords)


def scene_report(parsed: ParsedScript) -> list[SceneInfo]:
    return [SceneInfo(number=s.number, heading=s.heading, int_ext=s.int_ext, location=s.location,
                      time_of_day=s.time_of_day, characters=list(s.characters), line_start=s.line_start,
                      line_end=s.line_end) for s in parsed.scenes]


def beats_from_parsed(parsed: ParsedScript, n: int = 6, focus: str = "") -> BeatsResponse:
    plan = parse_focus(focus, parsed.characters)
    chosen = _pick(_candidates(parsed, plan), n)
    beats = []
    previous_scene = -1
    for index, candidate in enumerate(chosen):
        element = candidate.element
        scene = parsed.scenes[element.scene_index] if parsed.scenes else None
        dialogue = element.text if element.kind == "dialogue" else ""
        shot = suggest_shot(
            is_first=index == 0,
            opens_scene=element.scene_index != previous_scene,
            has_entrance=bool(candidate.entering) and index > 0,
            people=len(candidate.present),
            intensity=candidate.intensity,
            has_dialogue=bool(dialogue),
            exterior=bool(scene and scene.int_ext is IntExt.EXT),
        )
        previous_scene = element.scene_index
        beats.append(Beat(
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
        ))
    _apply_focus(beats, plan)
    warnings = [] if len(beats) == n else [f"the script has only {len(beats)} distinct moments; asked for {n}"]
    if focus.strip() and not plan.names and plan.opening is None and not _keywords_found(parsed, plan):
        warnings.append(f"the focus {focus!r} names no character or place in the script; it was not applied")
    return BeatsResponse(
        beats=beats,
        title=re.sub(r"[*_]", "", parsed.title).strip(),
        scenes=len(parsed.scenes),
        characters=parsed.characters,
        extractor="offline",
        warnings=warnings,
        format="prose" if parsed.is_prose else "fountain",
        scene_list=scene_report(parsed),
    )


def extract_beats(text: str, n: int = 6, focus: str = "") -> BeatsResponse:
    return beats_from_parsed(parse_script(text), n=n, focus=focus)
