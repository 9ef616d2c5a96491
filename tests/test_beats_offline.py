from render_server.beats.offline import extract_beats
from render_server.beats.screenplay import character_name, parse_heading, parse_script
from shared_schema import IntExt, ShotSize
from tests.conftest import EXAMPLE


def test_example_script_gives_six_beats_in_story_order_covering_the_whole_scene():
    text = EXAMPLE.read_text()
    response = extract_beats(text, n=6)
    beats = response.beats
    assert len(beats) == 6 and [b.index for b in beats] == [1, 2, 3, 4, 5, 6]
    assert response.characters == ["MARA", "TOMAS", "JUNE"]
    starts = [b.line_start for b in beats]
    assert starts == sorted(starts)
    lines = len(text.splitlines())
    assert beats[0].line_start < 0.25 * lines and beats[-1].line_start > 0.75 * lines
    assert beats[0].shot.size in (ShotSize.EWS, ShotSize.WS), "the board opens wide"
    assert beats[0].int_ext is IntExt.EXT and beats[0].location == "HARBOUR PIER"
    entrance = next(b for b in beats if "JUNE" in b.entering)
    assert "JUNE" in entrance.characters and entrance.index > 2


def test_asking_for_more_beats_than_moments_warns():
    response = extract_beats("INT. ROOM - DAY\n\nAda waits.\n", n=6)
    assert len(response.beats) < 6 and response.warnings


def test_prose_notes_become_beats_with_names():
    notes = ("Alice waits at the station in the rain. Bob runs in, late, soaked.\n\n"
             "Alice turns away from Bob. Bob grabs her hand. Alice cries.")
    response = extract_beats(notes, n=3)
    assert len(response.beats) == 3
    assert set(response.characters) == {"ALICE", "BOB"}


def test_cue_extensions_fold_into_one_character():
    assert character_name("BOB (V.O.)") == "BOB"
    assert character_name("BOB (CONT'D)") == "BOB"
    assert character_name("@McCLANE") == "MCCLANE"
    assert character_name("ALICE ^") == "ALICE"
    parsed = parse_script("INT. A - DAY\n\nBOB\nHi.\n\nBOB (O.S.)\nStill here.\n")
    assert parsed.characters == ["BOB"]


def test_headings_split_into_int_ext_location_and_time():
    assert parse_heading("INT. CAFE - NIGHT") == (IntExt.INT, "CAFE", "NIGHT")
    assert parse_heading("EXT. STREET, LATER") == (IntExt.EXT, "STREET", "LATER")
    assert parse_heading("INT./EXT. CAR - DAY") == (IntExt.INT_EXT, "CAR", "DAY")
    assert parse_heading(".THE VOID") == (IntExt.UNKNOWN, "THE VOID", "")


def test_names_are_found_in_capitals_or_title_case_only():
    parsed = parse_script("INT. KITCHEN - DAY\n\nWILL\nI will.\n\nShe will leave. Will stays.\n")
    action = [e for e in parsed.elements if e.kind == "action"]
    assert [e.named for e in action] == [["WILL"]]
    assert parse_script("INT. KITCHEN - DAY\n\nWILL\nHi.\n\nThe kettle will boil.\n").elements[-1].named == []


def test_a_shared_look_counts_however_it_is_written():
    from render_server.beats.presence import Presence
    from render_server.beats.salience import score

    parsed = parse_script("INT. ROOM - DAY\n\nMARA and JUNE sit.\n\nThey lock eyes.\n\nThey sit there.\n\n"
                          "Their eyes meet.\n\nThey look at each other.\n")
    looks = {e.text: score(e, Presence([], [], []), {}, set()) for e in parsed.elements if e.kind == "action"}
    for written in ("They lock eyes.", "Their eyes meet.", "They look at each other."):
        assert looks[written] > looks["They sit there."] + 1.0, written
