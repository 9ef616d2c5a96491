"""The words of a lower-cased text, as the patterns ``[a-z']+`` and ``[a-z]+`` find them.

On ASCII text (most scripts) str.translate with a 128-character table takes a fast path: every
character that is not part of a word becomes a space and split() does the rest, a third
faster than the regex. Other text goes to the regex itself.
"""

from __future__ import annotations

import re

WORD = re.compile(r"[a-z']+")
LETTERS = re.compile(r"[a-z]+")
_WORD_CHARS = "".join(c if c == "'" or "a" <= c <= "z" else " " for c in map(chr, range(128)))
_LETTER_CHARS = "".join(c if "a" <= c <= "z" else " " for c in map(chr, range(128)))


def words_of(lowered: str) -> list[str]:
    """``WORD.findall(lowered)``: runs of letters and apostrophes."""
    if lowered.isascii():
        return lowered.translate(_WORD_CHARS).split()
    return WORD.findall(lowered)


def letter_runs(lowered: str) -> list[str]:
    """``LETTERS.findall(lowered)``: runs of letters."""
    if lowered.isascii():
        return lowered.translate(_LETTER_CHARS).split()
    return LETTERS.findall(lowered)
