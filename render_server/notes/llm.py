"""A note -> a structured change by the configured LLM, checked field by field.

The exchange (retries with backoff on unreachable / 5xx / 429) is the beats extractor's;
the answer goes through the same lenient JSON reader (fences, prose, cut-off answers), is
asked again when unusable, and every field is checked against the wire's vocabularies. An
endpoint that stays unusable raises LlmUnavailable and the caller uses the offline rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared_schema import CameraAngle, NoteChange, ShotSize

from ..beats.llm import LlmBeatExtractor, LlmUnavailable
from ..beats.llm_json import NotJson, loads_lenient
from ..settings import Settings

SYSTEM_PROMPT = """You turn a film director's note on a frame into a structured change.
Answer with one JSON object and nothing else, with only the keys that the note changes:
{"actor": str (a character name from the list, for a performance note),
 "emotion": str (fear, anger, sadness, tears, joy, surprise, tension, calm, determination, exhaustion,
                 suspicion, confusion, relief, disgust, shame, love, neutral),
 "intensity": number 0-2 (1 is plain) or "intensity_delta": number -2..2 (for "more"/"less"),
 "size_steps": int (+1 one shot size wider, -1 closer), "shot_size": one of EWS WS MLS MS MCU CU ECU TWO_SHOT
 OTS_LEFT OTS_RIGHT POV INSERT, "angle": one of BIRD HIGH EYE LOW WORM DUTCH, "lens_mm": int or
 "lens_delta_mm": int, "time_of_day": str in capitals (e.g. EVENING), "weather": str, "light": str,
 "same_as_shot": str, "prompt_terms": [str] (props, wardrobe), "new_seed": bool}"""

_FIELDS = {"actor", "emotion", "intensity", "intensity_delta", "size_steps", "shot_size", "angle", "lens_mm",
           "lens_delta_mm", "time_of_day", "weather", "light", "same_as_shot", "prompt_terms", "new_seed"}


class UnusableAnswer(ValueError):
    pass


def check_change(data: Any, characters: list[str]) -> NoteChange:
    """A NoteChange from the model's object, or UnusableAnswer saying what is wrong."""
    if not isinstance(data, dict):
        raise UnusableAnswer("the answer is not a JSON object")
    unknown = set(data) - _FIELDS
    if unknown:
        raise UnusableAnswer(f"unknown keys {sorted(unknown)}")
    change = NoteChange(source="llm")
    try:
        if data.get("actor"):
            actor = str(data["actor"]).upper()
            if characters and actor not in characters:
                raise UnusableAnswer(f"{actor} is not one of {', '.join(characters)}")
            change.actor = actor
        change.emotion = str(data.get("emotion") or "").lower()
        if data.get("intensity") is not None:
            change.intensity = min(2.0, max(0.0, float(data["intensity"])))
        change.intensity_delta = min(2.0, max(-2.0, float(data.get("intensity_delta") or 0)))
        change.size_steps = max(-3, min(3, int(data.get("size_steps") or 0)))
        change.shot_size = ShotSize(data["shot_size"]) if data.get("shot_size") else None
        change.angle = CameraAngle(data["angle"]) if data.get("angle") else None
        change.lens_mm = int(data.get("lens_mm") or 0)
        change.lens_delta_mm = int(data.get("lens_delta_mm") or 0)
        change.time_of_day = str(data.get("time_of_day") or "").upper()
        change.weather = str(data.get("weather") or "")
        change.light = str(data.get("light") or "")
        change.same_as_shot = str(data.get("same_as_shot") or "")
        change.prompt_terms = [str(t) for t in data.get("prompt_terms") or []]
        change.new_seed = bool(data.get("new_seed"))
    except (TypeError, ValueError) as exc:
        raise UnusableAnswer(str(exc)) from None
    if change.lens_mm and not 8 <= change.lens_mm <= 300:
        raise UnusableAnswer(f"lens {change.lens_mm}mm is not a lens")
    return change


@dataclass
class LlmNoteInterpreter:
    exchange: LlmBeatExtractor  # its _ask: one chat exchange with retries and backoff

    @classmethod
    def from_settings(cls, settings: Settings) -> "LlmNoteInterpreter":
        return cls(LlmBeatExtractor.from_settings(settings))

    def interpret(self, text: str, characters: list[str], scope_actor: str = "") -> NoteChange:
        user = (f"Characters in the shot: {', '.join(characters) or '(none)'}\n"
                f"{'The note is about ' + scope_actor + chr(10) if scope_actor else ''}Note: {text}")
        messages = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]
        problem = ""
        for _ in range(self.exchange.max_attempts):
            content, _finish = self.exchange._ask(messages)
            try:
                data, _repaired = loads_lenient(content)
                change = check_change(data, characters)
            except (NotJson, UnusableAnswer) as exc:
                problem = str(exc)
                messages = messages[:2] + [
                    {"role": "assistant", "content": content[:2000]},
                    {"role": "user", "content": f"That answer was not usable: {problem}. Reply with the JSON object only."}]
                continue
            if change.actor == "" and scope_actor and (change.emotion or change.intensity_delta
                                                       or change.intensity is not None):
                change.actor = scope_actor.upper()
            return change
        raise LlmUnavailable(f"the LLM's answers were not usable after {self.exchange.max_attempts} attempts "
                             f"({problem})")
