"""How much a moment of a screenplay matters to a storyboard, from general screenwriting cues.

Moments that change the situation score: violence, revelations and discoveries, reversals
("suddenly", "but"), emotional peaks, confrontations (exclamations and questions between
people on screen), the entrance of someone who matters, words the writer put in CAPITALS for
emphasis. Filler scores low: a line about background people, a bare camera direction.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .phrases import Phrases
from .presence import Presence
from .screenplay import Element, ParsedScript

# word -> weight; inflections are listed, a stemmer would cost more than it saves here.
_LEXICON: dict[str, float] = {}
@lru_cache(maxsize=20000)
def stem(word: str) -> str:
    """A crude stem, the same on both sides: "kisses", "kissing", "kissed" -> "kiss"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


for _weight, _words in (
    (2.0, "kills killed shoots shot stabs stabbed dies died dead death dying murder murders explodes explosion blood "
          "bleeding strangles chokes drowns crashes crash collapses falls fall motionless lifeless unconscious corpse "
          "body gun guns knife pistol rifle fires erupt erupts bomb"),
    (1.5, "punches punch hits slaps smacks kicks kicks grabs attacks fights fight struggles wrestles throws "
          "slams smashes breaks shatters pins presses tackles drags rips tears screams scream screaming shouts "
          "yells"),
    (1.5, "reveals revealed discovers finds found realizes realises recognizes sees notices shows shocked shock "
          "stunned horrified gasps gasp drains stares frozen freezes terror panic scared afraid terrified trembling"),
    (1.2, "suddenly finally but instead stops turns opens open doors reaches kiss kisses kissing hugs embrace "
          "embraces cries crying sobs sobbing tears weeps smiles laughing laughs"),
    (1.0, "runs chases escapes jumps leaps races speeds flees bolts drops picks lands spins flips catches "
          "aims points pulls pushes hands gives takes reads letter envelope photo picture card coin ring key"),
):
    for _w in _words.split():
        _LEXICON[stem(_w)] = max(_LEXICON.get(stem(_w), 0.0), _weight)

# Every word that weighs something. A word's stem is the word itself or the word less one suffix,
# so these are all the words whose stem is in the lexicon.
WEIGHTED_WORDS = frozenset(form for root in _LEXICON for form in (root, root + "ing", root + "ed", root + "es",
                                                                  root + "s") if stem(form) == root)


class _Weights(dict):
    """word as written -> its lexicon weight, looked up through its stem once."""

    def __missing__(self, word: str) -> float:
        value = self[word] = _LEXICON.get(stem(word), 0.0)
        return value


_WEIGHT_OF = _Weights()
_WORD = re.compile(r"[a-z']+")  # as Element.words
_PERSONAL = re.compile(r"^(?:His|Her|Their)\b|\b(?:[Hh]e|[Ss]he|[Tt]hey|[Ww]e)\b")
_SHARED_LOOK = Phrases(("look at each other", "looks at one another", "look at one another", "share a look",
                        "exchange a look", "exchange looks", "trade a look", "lock eyes", "eyes meet"))
_SOUNDS = frozenset(
    "BANG BOOM CRASH SMASH THUD BEEP BEEPS RING RINGS RINGING CLICK CLICKS SLAM WHAM POW BAM THWACK KNOCK KNOCKS "
    "APPLAUSE LAUGHTER LAUGHS SCREAM SCREAMS GUNSHOT GUNSHOTS SPLASH CLAP ROAR ROARS BUZZ BUZZES CHEERS CHEER "
    "HOLLERS CLINK SCRAPE SQUEAL SQUEALS CREAK CREAKS SCREECH HONK HONKS MUSIC WHISTLE WHISTLES THUNDER "
    "RUMBLE HISS CRACK CRACKS SNAP POP POPS WHIRR SIREN SIRENS GASPS GASP SIGH SIGHS".split())
# The look-behind sits after the first capital (same matches as putting it first): a pattern that
# starts with a character class lets the regex engine skip ahead to candidates, about 3x faster.
_CAPS = re.compile(r"[A-Z](?<![\w'][A-Z])[A-Z'\-]{2,}(?: [A-Z][A-Z'\-]{2,})*")
_NOT_EMPHASIS = frozenset("INT EXT CUT FADE CONTINUOUS POV INSERT ANGLE CLOSE WIDE BACK LATER DAY NIGHT "
                          "CONT'D OK OKAY TV".split())
_BACKGROUND = re.compile(r"^(?:another|other|some|a few|several|people|someone|somebody|the crowd|a crowd|"
                         r"everyone|everybody|passersby|customers|guests|diners|the audience)\b", re.I)
_CAMERA = re.compile(r"^(?:we |the camera|camera|angle|close on|wide on|pov|insert|back to|series of|montage)", re.I)
_FINAL = re.compile(r"^(?:fade|cut|smash|dissolve|the end|end\b|black\b|roll credits|credits|over black|"
                    r"fade to black|fade out|iris)", re.I)
_FINAL_FIRST = "fcsdtebroi"  # the first letters of _FINAL's words
# The ASCII letters, either case, that no word of _FINAL starts with: a text that starts with one
# shows something (most moments: one lookup).
SHOWS_SOMETHING_FIRST = frozenset(c for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  if c.lower() not in _FINAL_FIRST)
EMOTIONS = {
    "fear": "afraid scared terrified trembles trembling panic fear frozen horror gasps screams terror shaking shakes",
    "anger": "angry furious slams shouts yells rage punches storms glares smashes",
    "joy": "laughs laugh smiles grins joy delighted beams celebrates dances",
    "sadness": "cries tears weeps sobs grief mourns alone sad sobbing crying",
    "tension": "waits silence stares creeps slowly careful hides suspicious nervous ticking",
    "surprise": "suddenly gasp shocked stunned bursts startled freezes drains pale",
    "tenderness": "hug hugs kiss kisses holds gently softly touches embraces",
}
_EMOTION_OF = {word: emotion for emotion, ws in EMOTIONS.items() for word in ws.split()}



def shows_nothing(element: Element) -> bool:
    """A transition written as action, THE END, a black screen: not an image to board."""
    text = element.text.strip().strip("*_>< ")
    if not text:
        return True
    if text[0].isascii() and text[0].lower() not in _FINAL_FIRST:  # most moments: _FINAL cannot match
        return False
    # At most five words (counted up to a sixth, which settles it), then the pattern.
    return len(text.split(None, 5)) <= 5 and _FINAL.match(text) is not None


def importance(parsed: ParsedScript) -> dict[str, float]:
    """0..1 per person: lines spoken against the most talkative, with a floor for the introduced."""
    spoken: dict[str, int] = {}
    for name, count in parsed.lines_spoken.items():
        target = parsed.aliases.get(name, name)
        spoken[target] = spoken.get(target, 0) + count
    top = max(spoken.values(), default=1) or 1
    return {name: max(0.1, min(1.0, spoken.get(name, 0) / top) ** 0.5) for name in parsed.characters}


def emotion_of(element: Element, presence: Presence, weight: dict[str, float]) -> tuple[str, float]:
    """(emotion, intensity) of the moment for the people who matter in it: a laugh from the
    background ("another person laughs") is not the lead's joy."""
    counts: dict[str, int] = {}
    forms = [n.split()[-1].title() for n in presence.visible] + [n for n in presence.visible]
    for sentence in re.split(r"(?<=[.!?])\s+", element.text):
        if element.kind == "action" and (_BACKGROUND.match(sentence) or not (
                _PERSONAL.search(sentence) or any(f in sentence for f in forms))):
            continue  # about someone else in the frame: not the feeling of the people we follow
        for word in _WORD.findall(sentence.lower()):
            emotion = _EMOTION_OF.get(word)
            if emotion:
                counts[emotion] = counts.get(emotion, 0) + 1
    intensity = sum(counts.values()) + min(element.text.count("!"), 4) * 0.5
    return (max(counts, key=counts.get) if counts else ""), intensity


def score(element: Element, presence: Presence, weight: dict[str, float], names: set[str],
          fraction: float = 0.5) -> float:
    text = element.text
    found = element.words
    # Most lines hold no word that weighs: one set test, and the sum (in order, as ever) only then.
    value = 0.0 if WEIGHTED_WORDS.isdisjoint(found) else min(sum(map(_WEIGHT_OF.__getitem__, found)), 8.0) * 0.6
    visible = presence.visible
    if visible:
        # The two people who matter most in the frame count; a crowd of extras does not add up.
        if len(visible) == 1:
            value += weight.get(visible[0], 0.1) * 0.8
        elif len(visible) == 2:
            value += (weight.get(visible[0], 0.1) + weight.get(visible[1], 0.1)) * 0.8
        else:
            top = sorted([weight.get(n, 0.1) for n in visible], reverse=True)
            value += (top[0] + top[1]) * 0.8
    if presence.entering:
        # Everyone enters in the first pages; later, a new face that matters changes the story.
        # A new face late in the story (the doctor in the last scene) is seldom where it turns.
        arrival = min(1.0, fraction / 0.15) * min(1.0, max(0.0, (0.9 - fraction) / 0.2))
        value += sum(weight.get(n, 0.1) for n in presence.entering) * 2.0 * arrival
    exclaims = text.count("!")
    if len(element.characters) > 1:
        value += 1.0  # dual dialogue: two people at once, written side by side for effect
    if element.kind != "action":
        value += min(exclaims, 2) * 0.4 + min(text.count("?"), 2) * 0.2 - 0.8  # a line is heard; an action is seen
        return value - 0.7 if element.voice else value
    # "!" in dialogue is common; in action it is the writer pointing at a moment.
    value += min(exclaims, 2) + min(len(found), 60) / 45.0
    caps = _CAPS.findall(text)
    if caps:
        emphasis = [c for c in caps if c not in names and c.split()[0] not in _NOT_EMPHASIS]
        # Capitals mark what the writer wants seen (a prop, a spectacle) or heard (a sound): the
        # sounds count for less, they are mostly atmosphere.
        sounds = sum(1 for c in emphasis if c.split()[-1] in _SOUNDS)
        value += min(len(emphasis) - sounds, 3) * 0.7 + min(sounds, 2) * 0.2
        if sum(map(len, caps)) * 2 > len(text):
            value -= 2.0  # a title card, a sound, a shout in capitals: not a moment of the story
    if ("look" in text or "eye" in text) and _SHARED_LOOK.search(text):  # every phrase holds one
        value += 1.5  # "they look at each other", "share a look": the written beat before a decision
    if not element.named and _BACKGROUND.match(text):
        value -= 2.5
    if len(found) < 8 and _CAMERA.match(text):
        value -= 1.0
    return value
