"""Emotion and shot from the moment's context (fixture text written for these tests)."""

from render_server.beats.offline import extract_beats
from shared_schema import ShotSize

NIGHT = """INT. NOODLE BAR - NIGHT

LENA (30s, rain-soaked coat) sits by the window, staring at a text she cannot answer.

Another diner loudly laughs at the next table.

Lena's eyes fill with tears. She turns the phone face down.

EXT. HARBOUR DISTRICT - NIGHT

The old cannery burns, flames climbing into the sky above the whole waterfront.

Lena runs toward the fire.
"""


def _beat(beats, start: str):
    return next(b for b in beats if b.action.startswith(start))


def test_a_background_laugh_is_not_the_leads_joy_and_her_tears_are_close():
    beats = extract_beats(NIGHT, n=20).beats  # more than the script has: every moment
    assert _beat(beats, "Another diner").emotion != "joy"
    tears = _beat(beats, "Lena's eyes fill")
    assert tears.emotion == "sadness" and tears.shot.size in (ShotSize.CU, ShotSize.MCU)


def test_spectacle_is_framed_wide():
    fire = _beat(extract_beats(NIGHT, n=20).beats, "The old cannery burns")
    assert fire.shot.size in (ShotSize.EWS, ShotSize.WS) and fire.shot.lens_mm <= 24


def test_open_wide_on_a_short_capitalised_thing_finds_it():
    script = ("INT. GARAGE - DAY\n\nDUKE (50s) tinkers with a radio.\n\nDUKE\nWhere's the van?\n\n"
              "EXT. DESERT ROAD - DAY\n\nAn old RV crawls over the ridge, trailing dust.\n\n"
              "Duke waves it down.\n\nEXT. MOTEL - NIGHT\n\nDuke sleeps in the RV. Coyotes howl.\n")
    beats = extract_beats(script, n=3, focus="open wide on the RV").beats
    assert beats[0].action.startswith("An old RV") and beats[0].shot.size is ShotSize.EWS
