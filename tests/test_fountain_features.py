"""Every Fountain feature a director's file may use, read with the right line numbers."""

from render_server.beats.screenplay import parse_script
from shared_schema import IntExt

SCRIPT = """Title: The Keeper
Author: Beatboard tests
Draft date: 2026

# ACT ONE

= Odile keeps the light alone.

INT. LAMP ROOM - NIGHT #1A#

ODILE winds the clockwork. [[a note that is not action]]

/* a scene the writer cut:
INT. CELLAR - DAY
Nobody should see this.
*/

ODILE (O.S.)
(muttering)
One more night.

@McKAY
Is anyone up there?

ODILE (CONT'D)
Go away!

!SILENCE.

.FLASHBACK - THE STORM OF '62

BRUNO ^
Left!

ODILE ^
Right!

> THE END <

~Row, row, row your boat

===

EXT. CLIFF PATH - DAWN

McKay climbs. Odile watches.

SMASH CUT TO:

> FADE OUT.
"""


def test_structure_elements_and_line_numbers():
    parsed = parse_script(SCRIPT)
    assert parsed.title == "The Keeper"
    assert [s.heading for s in parsed.scenes] == ["INT. LAMP ROOM - NIGHT", "FLASHBACK - THE STORM OF '62",
                                                  "EXT. CLIFF PATH - DAWN"]
    lamp, flashback, cliff = parsed.scenes
    assert lamp.number == "1A" and lamp.int_ext is IntExt.INT and lamp.location == "LAMP ROOM"
    assert flashback.int_ext is IntExt.UNKNOWN, "a forced heading has no INT/EXT"
    assert cliff.line_start == SCRIPT.splitlines().index("EXT. CLIFF PATH - DAWN") + 1, "boneyard kept line numbers"
    assert parsed.speakers == ["ODILE", "MCKAY", "BRUNO"], "extensions folded, forced @ cue read"
    texts = " ".join(e.text for e in parsed.elements)
    assert "Nobody should see this" not in texts and "CELLAR" not in texts, "boneyard dropped"
    assert "a note that is not action" not in texts, "notes dropped"
    kinds = [(e.kind, e.text) for e in parsed.elements]
    assert ("section", "ACT ONE") in kinds
    assert ("action", "SILENCE.") in kinds, "forced action is not a cue"
    assert any(k == "transition" and "SMASH CUT TO" in t for k, t in kinds)
    dual = [e for e in parsed.elements if len(e.characters) == 2]
    assert dual and dual[0].characters == ["BRUNO", "ODILE"]
    spoken = next(e for e in parsed.elements if e.kind == "dialogue" and e.character == "ODILE")
    assert spoken.text == "One more night.", "parentheticals are not dialogue"
    line = SCRIPT.splitlines().index("ODILE (O.S.)") + 1
    assert (spoken.line_start, spoken.line_end) == (line, line + 2)


def test_crlf_and_cr_line_endings_read_the_same():
    lf = parse_script(SCRIPT)
    for ending in ("\r\n", "\r"):
        other = parse_script(SCRIPT.replace("\n", ending))
        assert [s.heading for s in other.scenes] == [s.heading for s in lf.scenes]
        assert [e.line_start for e in other.elements] == [e.line_start for e in lf.elements]
