"""A note -> a structured change: the configured LLM when there is one, else the offline rules."""

from __future__ import annotations

import logging

from shared_schema import NoteChange

from ..beats.llm import LlmUnavailable
from ..settings import Settings
from .rules import interpret as interpret_offline

log = logging.getLogger("beatboard.notes")


def interpret_note(text: str, characters: list[str], scope_actor: str, settings: Settings) -> NoteChange:
    if settings.llm_configured:
        from .llm import LlmNoteInterpreter

        try:
            change = LlmNoteInterpreter.from_settings(settings).interpret(text, characters, scope_actor)
            change.summary = change.summary or _summary(change)
            return change
        except LlmUnavailable as exc:
            log.warning("LLM note reading failed, using the offline rules: %s", exc)
            change = interpret_offline(text, characters, scope_actor)
            change.summary += f" (the LLM was unusable: {exc}; read by the offline rules)"
            return change
    return interpret_offline(text, characters, scope_actor)


def _summary(change: NoteChange) -> str:
    parts = [f"{k} {v}" for k, v in (("emotion", change.emotion), ("time", change.time_of_day),
                                      ("weather", change.weather), ("light", change.light)) if v]
    if change.size_steps:
        parts.append(f"{change.size_steps:+d} size(s)")
    if change.shot_size:
        parts.append(f"size {change.shot_size.value}")
    if change.angle:
        parts.append(f"angle {change.angle.value}")
    return (f"{change.actor}: " if change.actor else "") + "; ".join(parts)
