"""Real screenplays from ../shared/scripts (skipped where that folder is absent).

Scene count and speaking characters must agree with a second, independent parser
(fountain-tools), and the beats must spread over the whole story.
"""

import pytest

from beatboard.paths import REPO
from render_server.beats.offline import beats_from_parsed
from render_server.beats.reference import reference_summary
from render_server.beats.screenplay import parse_script

SCRIPTS = REPO.parent / "shared" / "scripts"
FOUNTAINS = sorted(SCRIPTS.glob("*.fountain")) if SCRIPTS.is_dir() else []

pytestmark = pytest.mark.skipif(not FOUNTAINS, reason="../shared/scripts is not beside this checkout")


@pytest.mark.parametrize("path", FOUNTAINS, ids=lambda p: p.stem)
def test_scenes_and_speakers_agree_with_an_independent_parser(path):
    text = path.read_text(encoding="utf-8")
    ours = parse_script(text)
    theirs = reference_summary(text)
    assert len(ours.scenes) == theirs.scenes
    assert set(ours.speakers) == set(theirs.speakers)


@pytest.mark.parametrize("path", FOUNTAINS, ids=lambda p: p.stem)
def test_six_beats_spread_over_the_story_in_order(path):
    parsed = parse_script(path.read_text(encoding="utf-8"))
    beats = beats_from_parsed(parsed, n=6).beats
    assert len(beats) == 6
    starts = [b.line_start for b in beats]
    assert starts == sorted(starts) and len(set(starts)) == 6
    assert starts[0] < 0.2 * parsed.line_count and starts[-1] > 0.75 * parsed.line_count
    assert all(set(b.entering) <= set(b.characters) for b in beats)
