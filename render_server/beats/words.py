"""The words of a lower-cased text, as the patterns ``[a-z']+`` and ``[a-z]+`` find them.

Every character that is not part of a word becomes a space and split() does the rest. The
mapping runs on the UTF-8 bytes: bytes.translate is a plain table lookup per byte, where
str.translate fetches each distinct character from its table as a Python object (a third of the
cost of the whole step). A character outside ASCII is never a word character of the patterns,
and every byte of its UTF-8 form is 0x80 or above, so it becomes spaces, as it should
("surrogatepass" lets the odd lone surrogate of a JSON string through the same way).
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
    return lowered.encode("utf-8", "surrogatepass").translate(_WORD_BYTES).decode("ascii").split()


def letter_runs(lowered: str) -> list[str]:
    """``LETTERS.findall(lowered)``: runs of letters."""
    return lowered.encode("utf-8", "surrogatepass").translate(_LETTER_BYTES).decode("ascii").split()
