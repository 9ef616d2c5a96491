"""Deterministic, screenplay-aware beat extraction: no network, no model.

The N beats are chosen together (``selection``, ``story_shape``): the opening image, the final image,
and between them the moments that best combine salience (``salience``) with the role the
story's shape gives their place (inciting incident, escalation, turn, climax), spaced
apart. Who is in each frame comes from presence tracking through the scene
(``presence``). A director's focus boosts the moments it names and sets their shots.
"""

from __future__ import annotations

import re

from shared_schema import Beat, BeatsResponse, IntExt, SceneInfo, ShotSize

from .focus import FocusPlan, parse_focus
from .presence import Presence, people_in, track
from .salience import emotion_of, importance
from .screenplay import ParsedScript, parse_script
from .selection import Moment, has_word, moments_of, pick
from .shot_suggestion import LENS_FOR_SIZE, suggest_shot

_SPECTACLE = re.compile(
    r"\b(burn\w*|flames?|fire\b|explo\w+|collaps\w+|crowds?|army|armies|battle|storm|flood\w*|dragon|"
    r"helicopter|chase\w*|race\w*|stampede|skyline|city|landscape|horizon|sea of|thousands?|hundreds|"
    r"overhead|aerial|pulls back|pull back)\b", re.I)
def _action_text(parsed: ParsedScript, moment: Moment) -> str:
    element = moment.element
    if element.kind == "action":
        return element.text
    # A line of dialogue: describe it with the nearest action of that scene.
    for other in parsed.elements[moment.position + 1:]:
        if other.scene_index != element.scene_index:
            break
        if other.kind == "action":
            return other.text
    for other in reversed(parsed.elements[:moment.position]):
        if other.scene_index != element.scene_index:
            break
        if other.kind == "action":
            return other.text
    return f"{element.character.title()} speaks."


_REACTION_WORDS = re.compile(r"\b(gasps?|stares?|looks? (?:at|up|down)|face|eyes|tears?|smiles?|frowns?|"
                             r"reacts?|stunned|shocked|freezes|frozen|swallows|blinks|nods)\b", re.I)


def _subject(moment: Moment, visible: list[str], weight: dict[str, float]) -> str:
    if not visible:
        return ""
    named = [n for n in moment.element.named if n in visible]
    if moment.element.kind == "dialogue" and moment.element.character in visible:
        return moment.element.character
    if named:
        return named[0]
    return max(visible, key=lambda n: weight.get(n, 0.0))


def _build_beat(parsed: ParsedScript, moment: Moment, index: int, previous_scene: int,
                presences: list[Presence], weight: dict[str, float]) -> Beat:
    element = moment.element
    scene = parsed.scenes[element.scene_index] if parsed.scenes else None
    last = moment.position
    while last + 1 < len(parsed.elements) and parsed.elements[last + 1].line_end <= moment.line_end:
        last += 1
    visible = people_in(presences, moment.position, last)
    spoken = next((e for e in parsed.elements[moment.position:last + 1] if e.kind == "dialogue"), None)
    emotion, intensity = emotion_of(element, moment.presence, weight)
    text = element.text
    shot = suggest_shot(
        is_first=index == 0,
        opens_scene=element.scene_index != previous_scene,
        has_entrance=bool(moment.presence.entering) and index > 0,
        people=len(visible),
        intensity=intensity,
        has_dialogue=spoken is not None,
        is_reaction=bool(element.kind == "action" and _REACTION_WORDS.search(text) and len(visible) <= 2),
        exterior=bool(scene and scene.int_ext is IntExt.EXT),
        spectacle=bool(element.kind == "action" and _SPECTACLE.search(text)),
    )
    return Beat(
        index=index + 1,
        action=_action_text(parsed, moment)[:400],
        scene_number=scene.number if scene else "1",
        heading=scene.heading if scene else "",
        location=scene.location if scene else "",
        int_ext=scene.int_ext if scene else IntExt.UNKNOWN,
        time_of_day=scene.time_of_day if scene else "",
        characters=visible,
        entering=[n for n in moment.presence.entering if n in visible] if index > 0 else [],
        dialogue=spoken.text[:300] if spoken else "",
        speaker=spoken.character if spoken and spoken.character in parsed.characters else "",
        subject=_subject(moment, visible, weight),
        emotion=emotion or "neutral",
        shot=shot,
        line_start=element.line_start,
        line_end=moment.line_end,
    )


def _apply_focus(beats: list[Beat], focus: FocusPlan, climax: int) -> None:
    if focus.opening is not None and beats:
        beats[0].shot.size = focus.opening
        beats[0].shot.lens_mm = LENS_FOR_SIZE[focus.opening]
    if focus.names and focus.reaction:
        # "Alice's reaction in one frame": one beat she is in becomes her close-up; the climax
        # keeps its framing unless it is the only beat she is in.
        with_them = [b for b in beats if set(focus.names) & set(b.characters)]
        # The opening, the climax and the final image keep their framing when another beat will do.
        others = [b for b in with_them if b.index - 1 not in (0, climax, len(beats) - 1)] or \
            [b for b in with_them if b.index - 1 != climax]
        if with_them:
            beat = max(others or with_them, key=lambda b: (
                not (b.shot.size is ShotSize.CU and b.subject in focus.names),  # already her close-up
                len(set(focus.names) & set(b.characters)), b.subject in focus.names, b.index))
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
    return any(has_word(element.text.lower(), k) for element in parsed.elements for k in plan.keywords)


def scene_report(parsed: ParsedScript) -> list[SceneInfo]:
    return [SceneInfo(number=s.number, heading=s.heading, int_ext=s.int_ext, location=s.location,
                      time_of_day=s.time_of_day, characters=list(s.characters), line_start=s.line_start,
                      line_end=s.line_end) for s in parsed.scenes]


def beats_from_parsed(parsed: ParsedScript, n: int = 6, focus: str = "") -> BeatsResponse:
    plan = parse_focus(focus, parsed.characters, parsed.lines)
    presences = track(parsed)
    weight = importance(parsed)
    chosen = pick(moments_of(parsed, presences, plan, weight), parsed, n, plan)
    beats = []
    previous_scene = -1
    for index, moment in enumerate(chosen):
        beats.append(_build_beat(parsed, moment, index, previous_scene, presences, weight))
        previous_scene = moment.element.scene_index
    _apply_focus(beats, plan, len(beats) - 2 if len(beats) >= 3 else -1)
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
