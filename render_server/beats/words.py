"""The words of a lower-cased text, as the patterns ``[a-z']+`` and ``[a-z]+`` find them.

On ASCII text (most scripts) every character that is not part of a word becomes a space and
split() does the rest. The mapping runs on bytes: bytes.translate is a plain table lookup per
byte, where str.translate fetches each distinct character from its table as a Python object
(a third of the cost of the whole step). Other text goes to the regex itself.
"""

from __future__ import annotations

import re

WORD = re.compile(r"[a-z']+")
LETTERS = re.compile(r"[a-z]+")
_SPACE = ord(" ")
_WORD_BYTES = bytes(b if b == ord("'") or ord("a") <= b <= ord("z") else _SPACE for b in range(256))
_LETTER_BYTES = bytes(b if ord("a") <= b <= ord("z") else _SPACE for b in range(256))


def words_of(lowered: str) -> list[str]:
    """``WORD.findall(lowered)``: runs of letters and apostrophes."""
    if lowered.isascii():
        return lowered.encode().translate(_WORD_BYTES).decode().split()
    return WORD.findall(lowered)


def letter_runs(lowered: str) -> list[str]:
    """``LETTERS.findall(lowered)``: runs of letters."""
    if lowered.isascii():
        return lowered.encode().translate(_LETTER_BYTES).decode().split()
    return LETTERS.findall(lowered)
