"""Find any of a list of phrases as whole words, in any case: ``Phrases.search``.

It answers as ``re.compile(r"\\b(one|two|...)\\b", re.I).search`` does (the same span, the same
alternative), several times faster on the text screenplays are written in. For ASCII text,
ignoring case is lower-casing, and a case-sensitive pattern with the phrases grouped by their
first letter lets the regex engine skip most of them at each word; other text goes to the
case-blind pattern itself.
"""

from __future__ import annotations

import re


def _grouped(phrases: tuple[str, ...]) -> str:
    """"a|b|..." with the phrases that start alike under one branch: "l(?:eaves|imps out)|...".
    Two phrases with different first letters cannot both match at one place, and within a group
    the order is kept, so the first phrase that matches is the one the plain list finds."""
    groups: dict[str, list[str]] = {}
    for phrase in phrases:
        groups.setdefault(phrase[0], []).append(phrase[1:])
    return "|".join(re.escape(first) + "(?:" + "|".join(re.escape(rest) for rest in rests) + ")"
                    for first, rests in groups.items())


class Phrases:
    def __init__(self, phrases: tuple[str, ...]):
        if any(p != p.lower() or not p.isascii() or not p for p in phrases):
            raise ValueError("phrases are written in lower-case ASCII")
        self.phrases = phrases
        self.pattern = re.compile(r"\b(" + "|".join(re.escape(p) for p in phrases) + r")\b", re.I)
        self._lowered = re.compile(r"\b(" + _grouped(phrases) + r")\b")

    def search(self, text: str) -> re.Match | None:
        """The first phrase in ``text``; a match in the lower-cased text when it is ASCII (the same
        span; its group(0) is in lower case)."""
        if text.isascii():
            return self._lowered.search(text.lower())
        return self.pattern.search(text)
