"""Who is in the frame: presence through a scene, voices, aliases, things that are not people.

The fixture is written for these tests (no real screenplay's text).
"""

from render_server.beats.offline import extract_beats
from render_server.beats.presence import track
from render_server.beats.screenplay import parse_heading, parse_script
from shared_schema import IntExt

NIGHT_SHIFT = """Title: The Night Shift
Author: Beatboard tests

INT. ROADSIDE DINER - NIGHT

Rain hammers the windows. RUTH (50s, apron, tired eyes) wipes the counter.
OWEN (30s, trucker cap) nurses a coffee at the far end.

OWEN
Another refill, Ruth?

RUTH
You've had four.

OWEN (CONT'D)
Make it five.

The phone on the wall RINGS. Ruth answers it.

MARCUS (ON PHONE)
Ruthie, it's me. Lock the back door. Now!

RUTH
Why? What happened?

MARCUS (ON PHONE)
Just do it.

Ruth hangs up, shaken. Owen drops a few coins on the counter and walks out into the rain.

Ruth stares at the door, alone. She locks it with trembling hands.

BANG. DARKNESS.
The lights die.

INT. DINER KITCHEN - NIGHT

DETECTIVE ALMA REYES (40s, soaked, gun drawn) steps in from the back door.

REYES
Police. Don't move.

Ruth freezes. Reyes lowers the gun and shows her badge.

RUTH
Marcus sent you?

INTERCOM (V.O.)
All units, suspect heading south on Route 9.

RUTH & REYES
Go!

A MINI-CAMCORDER (old, taped) sits on the shelf, recording.

Reyes and Ruth run out through the back. The kitchen is empty. FADE OUT.
"""


def _presence_at(parsed, start_of_text: str):
    for element, presence in zip(parsed.elements, track(parsed)):
        if element.text.startswith(start_of_text):
            return presence
    raise AssertionError(f"no element starts with {start_of_text!r}")


def test_an_exit_removes_someone_from_later_moments_of_the_scene():
    parsed = parse_script(NIGHT_SHIFT)
    assert "OWEN" in _presence_at(parsed, "Ruth hangs up").visible, "still there as he leaves"
    assert _presence_at(parsed, "Ruth stares at the door").visible == ["RUTH"]
    beats = extract_beats(NIGHT_SHIFT, n=8).beats
    late = [b for b in beats if b.line_start >= NIGHT_SHIFT.splitlines().index("Ruth stares at the door, alone. "
                                                                                 "She locks it with trembling hands.")]
    assert late and all("OWEN" not in b.characters for b in late)


def test_a_phone_voice_is_heard_never_in_the_frame():
    parsed = parse_script(NIGHT_SHIFT)
    assert all("MARCUS" not in p.visible for p in track(parsed))
    for n in (3, 6, 10):
        assert all("MARCUS" not in b.characters for b in extract_beats(NIGHT_SHIFT, n=n).beats)


def test_an_alias_folds_into_the_character_who_speaks():
    parsed = parse_script(NIGHT_SHIFT)
    assert "REYES" in parsed.characters and "DETECTIVE ALMA REYES" not in parsed.characters
    assert parsed.aliases["DETECTIVE ALMA REYES"] == "REYES"
    assert _presence_at(parsed, "DETECTIVE ALMA REYES").visible == ["REYES"]
    assert _presence_at(parsed, "Ruth freezes").visible == ["REYES", "RUTH"]


def test_sounds_devices_groups_and_props_are_never_characters():
    parsed = parse_script(NIGHT_SHIFT)
    assert set(parsed.characters) == {"RUTH", "OWEN", "MARCUS", "REYES"}
    group = next(e for e in parsed.elements if e.text == "Go!")
    assert group.characters == ["RUTH", "REYES"], "a group cue is its members"
    named = {n for b in extract_beats(NIGHT_SHIFT, n=12).beats for n in b.characters}
    assert named <= {"RUTH", "OWEN", "REYES"}


def test_a_short_alias_and_an_honorific_fold():
    script = ("INT. LAB - DAY\n\nMR. X (30) opens the crate.\n\nX\nSafety checks.\n\n"
              "ALEX ROCHE (50) storms in.\n\nROCHE\nWho let you in?\n\nYOUNG ROCHE (10) watches from a photo.\n")
    parsed = parse_script(script)
    assert parsed.aliases == {"MR. X": "X", "ALEX ROCHE": "ROCHE"}
    assert "YOUNG ROCHE" in parsed.characters, "another age is another actor, not an alias"


def test_headings_as_written_in_the_wild():
    assert parse_heading("INT. LIBRARY--DAY") == (IntExt.INT, "LIBRARY", "DAY")
    assert parse_heading("EXT. STREET") == (IntExt.EXT, "STREET", "")
    assert parse_heading("INT. HIGH SCHOOL - CLASSROOM - DAY") == (IntExt.INT, "HIGH SCHOOL - CLASSROOM", "DAY")
    assert parse_heading("INT. HOUSE - KITCHEN") == (IntExt.INT, "HOUSE - KITCHEN", "")
    assert parse_heading("INT. GYM - DAY (FLASHBACK)") == (IntExt.INT, "GYM", "DAY")
    assert parse_heading(".TITLE CARD") == (IntExt.UNKNOWN, "TITLE CARD", "")
    parsed = parse_script("Title: Blank Lines\nAuthor: Someone\n   \nINT. LIBRARY--DAY\n\nANNA reads.\n")
    assert parsed.title == "Blank Lines"
    assert [(s.location, s.line_start) for s in parsed.scenes] == [("LIBRARY", 4)]


def test_the_last_beat_is_the_final_image_for_any_n():
    for n in (2, 3, 4, 7):
        beats = extract_beats(NIGHT_SHIFT, n=n).beats
        assert len(beats) == n and beats[-1].action.startswith("Reyes and Ruth run out")
        assert beats[-1].characters == ["REYES", "RUTH"]
        assert [b.line_start for b in beats] == sorted({b.line_start for b in beats})
