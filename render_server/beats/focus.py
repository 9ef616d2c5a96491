"""Director's pointers: "focus on Alice's reaction", "open wide on the city", "end on Bob"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shared_schema import ShotSize

_REACTION = re.compile(r"\b(reaction|reacts?|react|face|close[- ]?up|close on|eyes|expression)\b", re.I)
_WIDE = re.compile(r"\b(wide|establish\w*|skyline|landscape|aerial)\b", re.I)
_OPEN = re.compile(r"\b(open|start|begin)\w*\b", re.I)
_END = re.compile(r"\b(end|close|finish)\w* (on|with)\b", re.I)
_STOP = frozenset("to at by we is it of on up as or so no do go be me my us if "
                  "focus on the a an in one frame shot open wide with of and her his their close end start "
                  "begin reaction face more less".split())


@dataclass
class FocusPlan:
    names: list[str] = field(default_factory=list)
    reaction: bool = False
    opening: ShotSize | None = None
    ending_names: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)


def parse_focus(focus: str, characters: list[str], lines: list[str] | None = None) -> FocusPlan:
    """``lines`` (the script) lets a short word count when the script writes it in capitals
    ("open wide on the rv" finds the RV)."""
    plan = FocusPlan()
    if not focus.strip():
        return plan
    upper = focus.upper()
    for name in characters:
        # "Alice's reaction" and "ALICE" both name ALICE; any word of a two-word name will do.
        if re.search(rf"(?<![A-Z]){re.escape(name)}(?![A-Z])", upper) or any(
                len(part) > 2 and re.search(rf"\b{re.escape(part)}\b", upper) for part in name.split()):
            plan.names.append(name)
    plan.reaction = bool(_REACTION.search(focus))
    if _WIDE.search(focus) and (_OPEN.search(focus) or not plan.names):
        plan.opening = ShotSize.EWS
    if _END.search(focus):
        plan.ending_names = list(plan.names)
    named = {w for n in plan.names for w in n.lower().split()}
    plan.keywords = [w for w in re.findall(r"[a-z0-9]{2,}", focus.lower()) if w not in _STOP and w not in named
                     and not _REACTION.fullmatch(w) and not _WIDE.fullmatch(w) and _worth_matching(w, focus, lines)]
    return plan


def _worth_matching(word: str, focus: str, lines: list[str] | None) -> bool:
    if len(word) >= 3:
        return True
    # Two letters: only an abbreviation ("RV", "TV"), as the director or the script writes it.
    pattern = re.compile(rf"(?<![A-Za-z]){re.escape(word.upper())}(?![A-Za-z])")
    return bool(pattern.search(focus)) or bool(lines and any(pattern.search(line) for line in lines))
