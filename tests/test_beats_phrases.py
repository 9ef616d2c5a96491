"""Phrases.search finds what the plain case-blind pattern finds: the same span, the same phrase."""

from __future__ import annotations

import random

import pytest

from render_server.beats.phrases import Phrases

PHRASES = ("leaves", "walks out", "walks off", "walks away", "exits", "exits frame", "out of frame", "out of sight",
           "is gone", "gets out of the room", "gets out of room", "hangs up", "hangs up the phone", "look at each other")
WORDS = sorted({w for p in PHRASES for w in p.split()}) + ["he", "the", "door", "walk", "outs", "exit2", "ſ", "K"]
SEPARATORS = [" ", " ", " ", ", ", ". ", "'", "-", "  ", "_", "é "]


def _same(found, expected) -> bool:
    if expected is None or found is None:
        return found is expected
    return found.span() == expected.span() and found.group(0).lower() == expected.group(0).lower()


def test_random_sentences_match_as_the_case_blind_pattern():
    phrases = Phrases(PHRASES)
    rng = random.Random(7)
    hits = 0
    for _ in range(20000):
        text = "".join(rng.choice(WORDS) + rng.choice(SEPARATORS) for _ in range(rng.randint(1, 7)))
        text = rng.choice([text, text.upper(), text.title()])
        expected = phrases.pattern.search(text)
        assert _same(phrases.search(text), expected), text
        hits += expected is not None
    assert hits > 2000  # the sentences do hold phrases


def test_an_earlier_phrase_wins_as_in_the_plain_list():
    phrases = Phrases(PHRASES)
    assert phrases.search("He EXITS frame.").group(0) == "exits"  # "exits" comes before "exits frame"
    assert phrases.search("She hangs up the phone").group(0) == "hangs up"


def test_phrases_must_be_lower_case_ascii():
    with pytest.raises(ValueError):
        Phrases(("Walks out",))
