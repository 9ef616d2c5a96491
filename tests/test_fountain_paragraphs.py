"""The parser's shortcuts around screenplain decide every paragraph as screenplain does.

fountain_paragraphs._PlainParagraph skips tests that cannot say yes and the rich text a beat
never shows, and read_paragraphs decides plain action and dialogue itself; each paragraph must
still come out as the same kind, with the same text where it has no emphasis markup. Checked on
tricky one-liners written for this test, on random documents made of them (what came before
matters: a dual dialogue takes the line before it, a synopsis the heading), and on every
paragraph of the real scripts (when ../shared is there).
"""

from __future__ import annotations

from pathlib import Path

import random

import pytest
from screenplain.parsers import fountain

from render_server.beats.fountain_paragraphs import (SLUG_FIRST_LETTERS, _PlainParagraph, _slug_parts, paragraph_groups,
                                                     read_paragraphs, split_lines, without_notes)
from render_server.beats.screenplay import parse_script

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
    ["BOB ^", "Me too."], ["@bob ^", "Me too."], ["^", "Hm."], ["MARA  ", "not a cue"], ["MARA (V.O.)", "(on the phone)", "Yes."],
    ["JUNE", "(quietly", "still quiet)", "Go."], ["JUNE", "  ", "Go."], ["#HASH ^", "line"], ["!MARA", "Forced."],
    ["Mara", "walks."], ["MARA", "!Hello"], ["= after"], ["==="], ["MARA", "*Hello* _there_"],
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


def _compare(groups: list[list[str]]) -> None:
    ours: list = []
    theirs: list = []
    for lines in groups:
        before = len(ours)
        _PlainParagraph(list(lines)).update_list(ours)
        fountain.InputParagraph(list(lines)).update_list(theirs)
        mine, screenplains = _read_shape(ours[before:]), _screenplain_shape(theirs[before:])
        assert [m[0] for m in mine] == [t[0] for t in screenplains], lines
        if not any(c in "".join(lines) for c in "*_\\"):
            assert mine == screenplains, lines


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
        lines = split_lines(path.read_text(encoding="utf-8", errors="replace"))
        groups = list(paragraph_groups(lines))
        _compare([group for _, _, group in groups])
        _compare_read(groups)


def _read_shape(paragraphs: list) -> list[tuple]:
    """read_paragraphs' plain values as the shapes of the screenplain objects they stand for."""
    shapes = []
    for para in paragraphs:
        if type(para) is str:
            shapes.append(("Action", para))
        elif type(para) is tuple:
            shapes.append(("Dialog", para[0], para[1], para[2]))
        else:
            shapes.extend(_screenplain_shape([para]))
    return shapes


def _screenplain_shape(paragraphs: list) -> list[tuple]:
    shapes = []
    for para in paragraphs:
        kind = type(para).__name__
        if kind == "Action" and not para.centered:
            shapes.append((kind, " ".join(str(line).strip() for line in para.lines)))
        elif kind == "Dialog":
            said = " ".join(str(t).strip() for p, t in para.blocks if not p)
            asides = " ".join(str(t).strip() for p, t in para.blocks if p)
            shapes.append((kind, str(para.character).strip(), said, asides))
        elif kind == "DualDialog":
            shapes.append((kind, _screenplain_shape([para.left, para.right])))
        else:
            shapes.extend(_shape([para]))
    return shapes


def _compare_read(groups: list[tuple[int, int, list[str]]]) -> None:
    """read_paragraphs against screenplain's own chain over the same groups, spans included."""
    ours, our_spans = read_paragraphs(groups, has_notes=True)
    theirs: list = []
    their_spans: list[tuple[int, int]] = []
    for first, last, lines in groups:
        lines = without_notes(lines)
        if not lines:
            continue
        before = len(theirs)
        fountain.InputParagraph(lines).update_list(theirs)
        if len(theirs) > before:
            their_spans.extend([(first, last)] * (len(theirs) - before))
        elif their_spans:
            their_spans[-1] = (their_spans[-1][0], last)
    plain = not any(c in "".join(line for _, _, lines in groups for line in lines) for c in "*_\\")
    if plain:
        assert _read_shape(ours) == _screenplain_shape(theirs)
    else:
        assert [s[0] for s in _read_shape(ours)] == [s[0] for s in _screenplain_shape(theirs)]
    assert our_spans == their_spans


def test_random_documents_read_as_screenplain_reads_them():
    rng = random.Random(3)
    pieces = TRICKY + [["[[a note]]"], ["[[note]]", "MARA", "Hello."], ["MARA", "[[aside]]"], ["JUNE ^", "Both."]]
    for _ in range(3000):
        groups, line = [], 1
        for lines in (rng.choice(pieces) for _ in range(rng.randint(1, 8))):
            groups.append((line, line + len(lines) - 1, list(lines)))
            line += len(lines) + 1
        _compare_read(groups)


def test_a_note_on_a_line_of_its_own_goes_with_its_line():
    # screenplain would keep the line, empty, and read the cue under it as action (and the parser
    # failed on a paragraph whose first line was empty).
    parsed = parse_script("INT. ROOM - DAY\n\n[[a note]]\nMARA\nHello.\n\nMara [[inline]] sits.\n\n"
                          "[[a note\nover two lines]]\nJUNE\n(quietly)\nGo.\n\n[[only a note]]\n")
    assert [(e.kind, e.text, e.character, e.line_start) for e in parsed.elements] == [
        ("scene", "INT. ROOM - DAY", "", 1), ("dialogue", "Hello.", "MARA", 3), ("action", "Mara  sits.", "", 7),
        ("dialogue", "Go.", "JUNE", 9)]
    # An inline note leaves its line; a line of two spaces (a pause in dialogue) stays.
    assert without_notes(["A [[x]] b", "[[y]]", "  ", " [[z\nz]] ", "c"]) == ["A  b", "  ", "c"]


def test_slug_parts_are_what_screenplains_slug_pattern_finds():
    rng = random.Random(9)
    alphabet = [".", " ", "\t", "\u00a0", "\u2003", "I", "N", "T", "x", "#", "-", "\x1c", "\x85"]
    lines = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))) for _ in range(30000)]
    for line in lines + [".", "..", ". ", ".x", ".  INT", " .INT", "INT. ROOM  ", ".\u00a0x"]:
        match = fountain.slug_re.match(line)
        assert _slug_parts(line) == (match.groups() if match else (None, None)), repr(line)
