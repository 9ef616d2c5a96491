"""Does a structured change say what a note's expected change says? (the note bench and tests)"""

from __future__ import annotations

from shared_schema import NoteChange, to_dict

_IGNORED = {"source", "summary", "understood"}


def said(change: NoteChange) -> dict:
    """The fields a change sets (anything not at its default)."""
    default = to_dict(NoteChange())
    return {k: v for k, v in to_dict(change).items() if k not in _IGNORED and v != default[k]}


def matches(change: NoteChange, expected) -> bool:
    if expected == "not_understood":
        return not change.understood
    return change.understood and said(change) == expected
