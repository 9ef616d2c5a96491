"""The parser's shortcuts around screenplain decide every paragraph as screenplain does.

screenplay._PlainParagraph skips tests that cannot say yes and the rich text a beat never
shows; each paragraph must still come out as the same kind, with the same text where it has
no emphasis markup. Checked on tricky one-liners written for this test and on every paragraph
of the real scripts (when ../shared is there).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from screenplain.parsers import fountain

from render_server.beats.screenplay import SLUG_FIRST_LETTERS, _PlainParagraph, _paragraph_groups, _split_lines

ROOT = Path(__file__).resolve().parent.parent
SHARED_SCRIPTS = ROOT.parent / "shared" / "scripts"

TRICKY = [
    ["INT. KITCHEN - DAY"], ["int. kitchen - day"], [".TITLE CARD"], ["..."], ["...and then"],
    ["EXT. PIER #12A#"], ["INT./EXT. CAR - MOVING"], ["I/E CAR"], ["INTERIOR DESIGN SHOW"], ["ESTATE SALE"],
    ["INT. *HOUSE* - NIGHT"], ["INT. JOE_S HOUSE"], ["CUT TO:"], ["Cut to:"], ["> FADE OUT"], ["> THE END <"],
    ["===="], ["= a synopsis"], ["# ACT ONE"], ["!FORCED ACTION TO:"], ["Mara walks in."], ["BANG."],
    ["She points > there."], ["  > centred <"], ["SMASH CUT TO:"], ["  two spaces first"], ["@McCLANE"], ["Ends with to:"],
    ["EXT\tROAD"], ["ıNT. DOTLESS - DAY"], ["Mara (40s) enters."], ["MARA", "Hello."], ["MARA", "(quietly)", "Hello."],
    ["INT. ONE", "INT. TWO"], ["> centred <", "> also <"], ["# Section", "= synopsis"],
]


def _shape(paragraphs: list) -> list[tuple]:
    """Each paragraph's kind and its text, as plain strings."""
    shapes = []
    for para in paragraphs:
        kind = type(para).__name__
        if kind == "Slug":
            shapes.append((kind, str(para.line).strip(), str(para.scene_number or "")))
        elif kind == "Action":
            shapes.append((kind, tuple(str(line).strip() for line in para.lines), para.centered))
        elif kind == "Dialog":
            shapes.append((kind, str(para.character).strip(), tuple((p, str(t)) for p, t in para.blocks)))
        elif kind == "Transition":
            shapes.append((kind, str(para.line)))
        else:
            shapes.append((kind,))
    return shapes


def _kinds(paragraphs: list) -> list[str]:
    return [type(p).__name__ for p in paragraphs]


def _compare(groups: list[list[str]]) -> None:
    ours: list = []
    theirs: list = []
    for lines in groups:
        before = len(ours)
        _PlainParagraph(list(lines)).update_list(ours)
        fountain.InputParagraph(list(lines)).update_list(theirs)
        assert _kinds(ours[before:]) == _kinds(theirs[before:]), lines
        if not any(c in "".join(lines) for c in "*_\\"):
            assert _shape(ours[before:]) == _shape(theirs[before:]), lines


def test_only_the_slug_first_letters_upper_case_to_i_or_e():
    found = {c for c in map(chr, range(0x110000)) if c.upper()[:1] in ("I", "E")}
    assert found == set(SLUG_FIRST_LETTERS)


def test_tricky_paragraphs_are_what_screenplain_says():
    _compare(TRICKY)


def test_every_paragraph_of_the_real_scripts_is_what_screenplain_says():
    scripts = sorted(SHARED_SCRIPTS.glob("*.fountain")) + [ROOT / "examples" / "the_last_ferry.fountain"]
    if not SHARED_SCRIPTS.is_dir():
        pytest.skip("../shared/scripts is not here")
    for path in scripts:
        lines = _split_lines(path.read_text(encoding="utf-8", errors="replace"))
        _compare([group for _, _, group in _paragraph_groups(lines)])
