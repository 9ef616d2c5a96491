"""words_of and letter_runs (the fast paths of Element.words and presence) find what the patterns find."""

from __future__ import annotations

import random

from render_server.beats.screenplay import parse_script
from render_server.beats.words import LETTERS, WORD, letter_runs, words_of


def test_fast_paths_match_the_patterns_on_any_text():
    rng = random.Random(5)
    alphabet = [chr(i) for i in range(128)] + ["é", "ß", "\u212a", "’", "\u00a0", "\u2028", "İ", "Σ", "\ud800"]
    for _ in range(20000):
        lowered = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20))).lower()
        assert words_of(lowered) == WORD.findall(lowered), repr(lowered)
        assert letter_runs(lowered) == LETTERS.findall(lowered), repr(lowered)


def test_element_words_are_lower_case_words_with_apostrophes():
    parsed = parse_script("INT. ROOM - DAY\n\nMARA'S hand  shakes--she DROPS it. Café!\n")
    assert parsed.elements[1].words == ["mara's", "hand", "shakes", "she", "drops", "it", "caf"]


def test_the_weighted_words_are_exactly_the_words_with_a_weight():
    from render_server.beats.salience import _WEIGHT_OF, _LEXICON, WEIGHTED_WORDS, stem

    rng = random.Random(11)
    roots = list(_LEXICON)
    candidates = {root + suffix for root in roots for suffix in ("", "s", "es", "ed", "ing", "ings", "'s", "e", "er")}
    candidates |= {"".join(rng.choice("abdegiknorst'") for _ in range(rng.randint(1, 9))) for _ in range(20000)}
    for word in candidates:
        assert (word in WEIGHTED_WORDS) == (_WEIGHT_OF[word] > 0), word
    assert stem("kissing") in _LEXICON and "kissing" in WEIGHTED_WORDS and "table" not in WEIGHTED_WORDS
