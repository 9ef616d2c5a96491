"""A second, independent reading of a Fountain script, for evaluation and tests.

The reference is wildwinter's fountain-tools (a parser kept in step across C++, JS, C#
and Python). It files "FADE IN:" under headings; the Fountain spec makes it a transition,
so such lines are not counted as scenes. Jouvence was tried first and dropped: it hangs
on Silent-as-Murderers and rejects cues with apostrophes ("WILL'S DATE").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .screenplay import character_name

_TRANSITION = re.compile(r"^(FADE|CUT|SMASH|DISSOLVE|MATCH|WIPE|IRIS)\b.*[:.]$", re.IGNORECASE)


@dataclass
class ReferenceSummary:
    scenes: int
    speakers: list[str]


def reference_summary(text: str) -> ReferenceSummary:
    from fountain_tools.fountain import ElementType
    from fountain_tools.parser import Parser

    parser = Parser()
    parser.add_text(text)
    parser.finalize()
    elements = parser.script.elements
    scenes = [e for e in elements if e.type == ElementType.HEADING and not _TRANSITION.match(e.text.strip())]
    speakers = dict.fromkeys(character_name(e.name) for e in elements if e.type == ElementType.CHARACTER)
    return ReferenceSummary(len(scenes), list(speakers))
