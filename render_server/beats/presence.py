"""Who is in the frame at each moment of a scene.

Walks each scene in order: a person named in action or speaking on screen is there from
that moment; one who leaves ("walks out", "exits", "drives off") is gone after it; a voice
((V.O.), a phone, an intercom) is heard, not seen; someone named only as a voice ("Burton's
voice on the phone"), as someone called, or in a picture is not there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cast import PERSON_NOUNS
from .phrases import Phrases
from .screenplay import ParsedScript
from .words import letter_runs

# "(?<=[.!?])\s+(?=[A-Z\"'])", with the look-behind after the first space: the same matches, and a
# pattern that starts with a character class lets the regex engine skip ahead to candidates.
_SENTENCE = re.compile(r"\s(?<=[.!?]\s)\s*(?=[A-Z\"'])")
# Ways of leaving, as written (any case, whole words). The pattern and a quick pre-check are both
# made from this list.
_EXIT_PHRASES = (
    "leaves", "exits", "walks out", "walks off", "walks away", "storms out", "storms off", "runs out", "runs off",
    "runs away", "hurries out", "hurries off", "rushes out", "rushes off", "heads out", "goes out", "steps out",
    "slips out", "sneaks out", "drives off", "drives away", "speeds off", "takes off", "disappears", "vanishes",
    "is gone", "are gone", "departs", "flees", "marches out", "stalks out", "limps out", "backs out", "ducks out",
    "gets out of the room", "gets out of the house", "gets out of the frame", "gets out of room",
    "gets out of house", "gets out of frame", "exits frame", "out of frame", "out of sight", "out of view",
    "hangs up")
_EXIT = Phrases(_EXIT_PHRASES)
# Last word of a way of leaving -> the first words it comes with ("out" -> walks, storms, ...).
_EXIT_FIRST_BY_LAST = {last: frozenset(p.split()[0] for p in _EXIT_PHRASES if p.split()[-1] == last)
                       for last in {p.split()[-1] for p in _EXIT_PHRASES}}
_HANGS_UP = re.compile(r"\bhangs up\b", re.I)
# "Burton's voice", "the voice of Harry", "calls Kate", "Kate (on the phone)": heard, not seen.
_HEARD_AFTER = re.compile(r"^(?:'s)? (?:voice|voices)\b|^'s (?:voice|call|message|number)\b|"
                          r"^ on the (?:phone|line|radio|intercom|speaker|other end)|"
                          r"^ \((?:on the phone|o\.s\.|v\.o\.)", re.I)
_HEARD_BEFORE = re.compile(r"(?:\bvoice\b[\w\s-]{0,30}|\bthat of (?:a|an|the)?[\w\s-]{0,25})$|"
                           r"\b(?:voice of|calls|phones|dials|texts|thinks of|thinking of|remembers|photo of|"
                           r"photograph of|picture of|portrait of|poster of|letter from|message from|call from|"
                           r"calling|without)\s+(?:the\s+)?$", re.I)


RECENT = 4  # paragraphs since someone was last named or heard on screen that they still count as in frame


@dataclass(slots=True)
class Presence:
    """Read-only: the lists of many elements are one shared empty tuple."""
    visible: "list[str] | tuple[()]"  # people in the frame at this element, in order of arrival
    entering: "list[str] | tuple[()]"  # people whose first appearance in the script is this element
    leaving: "list[str] | tuple[()]"  # people who leave in this element (still visible in it)


def _sentences(text: str) -> list[str]:
    return _SENTENCE.split(text)


def _seen_in(forms: dict[str, list[str]], sentence: str, named: list[str]) -> tuple[list[str], list[str]]:
    """(people shown in the sentence, people who leave in it); ``named``: who the paragraph names;
    ``forms``: _forms_table."""
    shown = [n for n in named if _written_in(forms, n, sentence)]
    if not shown:
        return [], []
    tokens = set(letter_runs(sentence.lower()))
    if _TRIGGERS.isdisjoint(tokens):
        return shown, []
    kept = shown if _HEARD_WORDS.isdisjoint(tokens) else _not_heard(forms, sentence, shown)
    leaving: list[str] = []
    exit_match = _EXIT.search(sentence) if _may_leave(sentence, tokens) else None
    if exit_match and not _HANGS_UP.match(exit_match.group(0)):
        before = sentence[:exit_match.start()]
        leaving = [n for n in kept if _written_in(forms, n, before)][-1:]
    return kept, leaving


def _written_in(forms: dict[str, list[str]], name: str, text: str) -> bool:
    """Is one of the ways ``name`` is written (``forms``: _forms_table) in ``text``?"""
    for form in forms.get(name, (name,)):
        if form in text:
            return True
    return False


def _may_leave(sentence: str, tokens: set[str]) -> bool:
    """Can _EXIT match ``sentence`` (``tokens``: its lower-cased runs of letters)? It needs one of
    the exit words; in ASCII text, where case-blind matching is lower-casing, it needs the first
    and the last word of one way of leaving."""
    if _EXIT_WORDS.isdisjoint(tokens):
        return False
    if not sentence.isascii():
        return True
    return any(not _EXIT_FIRST_BY_LAST[word].isdisjoint(tokens) for word in _EXIT_FIRST_BY_LAST.keys() & tokens)


def _not_heard(forms: dict[str, list[str]], sentence: str, shown: list[str]) -> list[str]:
    kept = []
    for name in shown:
        heard = False
        for form in forms.get(name, (name,)):
            for match in re.finditer(rf"(?<![\w']){re.escape(form)}(?![\w])", sentence):
                if _HEARD_AFTER.match(sentence[match.end():match.end() + 30]) or \
                        _HEARD_BEFORE.search(sentence[max(0, match.start() - 30):match.start()]):
                    heard = True
                else:
                    heard = False
                    break
            if not heard:
                break
        if not heard:
            kept.append(name)
    return kept


def _forms_table(parsed: ParsedScript) -> dict[str, list[str]]:
    """person -> the ways the script writes them (cue, aliases, title case, "the old woman"),
    built once per script."""
    table = parsed.__dict__.get("_name_forms_by_person")
    if table is None:
        parsed.mentions("")  # builds the forms
        table = {}
        for form, person in (parsed._forms or {}).items():
            table.setdefault(person, []).append(form)
        for person in parsed.characters:
            if person.split()[-1] in PERSON_NOUNS:  # "the old woman"
                table.setdefault(person, []).append(person.lower())
        parsed.__dict__["_name_forms_by_person"] = table
    return table


_PRONOUN_START = re.compile(r"^(He|She)\b")
_ALONE = re.compile(r"\b(alone|by (?:him|her|them)sel(?:f|ves)|on (?:his|her) own)\b", re.I)
# Words that may make a sentence say someone leaves, is only heard, or is elsewhere: only
# paragraphs holding one are read sentence by sentence (a set lookup is far cheaper than the regexes).
_EXIT_WORDS = frozenset("leaves exits out off away gone disappears vanishes departs flees frame sight view "
                        "hangs".split())
_HEARD_WORDS = frozenset("voice voices phone calls dials texts phones photo photograph picture portrait poster "
                         "letter message thinks thinking remembers without calling radio intercom speaker line "
                         "that".split())
_TRIGGERS = _EXIT_WORDS | _HEARD_WORDS | {"alone", "himself", "herself", "themselves", "own"}


def _element_needs_sentences(element) -> bool:
    """Does one of the runs of letters of the element's (lower-cased) text hold a trigger? Found
    from the words it already has: its runs of letters are its words (letters and apostrophes)
    split at the apostrophes."""
    words = element.words
    if not _TRIGGERS.isdisjoint(words):  # no trigger holds an apostrophe: such a word is a run of letters
        return True
    return "'" in element.text and any(not _TRIGGERS.isdisjoint(w.split("'")) for w in words if "'" in w)


# Said offscreen, case kept: what r"[Oo]ff-?screen|[Oo]ff screen|[Uu]nseen|O\.S\.|out of frame" finds, as
# substrings (an alternation that starts with no common character scans slowly).
_OFFSCREEN_WORDS = ("offscreen", "Offscreen", "off-screen", "Off-screen", "off screen", "Off screen", "unseen",
                    "Unseen", "O.S.", "out of frame")
_PHONE = Phrases(("hangs up", "on the phone", "into the phone", "phone rings", "answers the phone",
                  "picks up the phone", "the line goes dead", "dials", "receiver", "on the line", "speakerphone",
                  "hangs up the phone"))


def _scene_facts(parsed: ParsedScript) -> tuple[set[int], dict[int, set[str]]]:
    """(scenes with a phone call in their action, the people named in each scene's action)."""
    phone: set[int] = set()
    shown: dict[int, set[str]] = {}
    for element in parsed.elements:
        if element.kind == "action":
            if element.named:
                in_scene = shown.get(element.scene_index)
                if in_scene is None:
                    in_scene = shown[element.scene_index] = set()
                in_scene.update(element.named)
            lowered = element.text.lower()
            if ("phone" in lowered or "hangs up" in lowered or "dials" in lowered or "line" in lowered
                    or "receiver" in lowered) and _PHONE.search(element.text):
                phone.add(element.scene_index)
    return phone, shown


_PICTURE = re.compile(r"\b(photos?|photographs?|pictures?|display|screen|monitor|image|portrait|snapshot|"
                      r"camera display|viewfinder|reflection|painting|poster|video|footage|tv)\b", re.I)
# The words of _PICTURE and _PHONE without case folding or word edges: a fast scan of the lower-cased text
# that must find one of them before the slower case-blind pattern is worth running.
_PICTURE_HINT = re.compile(r"photo|picture|display|screen|monitor|image|portrait|snapshot|viewfinder|reflection|"
                           r"painting|poster|video|footage|tv")


def _may_match(hint: re.Pattern, pattern: re.Pattern, text: str, lowered: str) -> bool:
    """``pattern.search(text)``, skipped when ``hint`` (its words, lower case) is not in ``lowered``.
    Only for ASCII text: there lower() and IGNORECASE agree (not so for "ſ" or the Kelvin sign)."""
    if text.isascii() and hint.search(lowered) is None:
        return False
    return pattern.search(text) is not None


def _only_heard(parsed: ParsedScript) -> set[str]:
    """People whose every line is a voice (V.O., phone, offscreen)."""
    heard: set[str] = set()
    seen: set[str] = set()
    for element in parsed.elements:
        if element.kind == "dialogue":
            (heard if element.voice else seen).update(element.characters)
    return heard - seen


def track(parsed: ParsedScript) -> list[Presence]:
    """One Presence per element of ``parsed.elements``."""
    result: list[Presence] = []
    seen_ever: set[str] = set()
    here: list[str] = []
    last_named = ""
    scene_index = -1
    people = set(parsed.characters)
    last_seen: dict[str, int] = {}
    count = 0
    phone_scenes, shown_in_scene = _scene_facts(parsed)
    forms = _forms_table(parsed)
    only_heard = _only_heard(parsed)
    offscreen_next = False
    offscreen: set[str] = set()
    nobody: tuple[str, ...] = ()  # shared by the many elements where nobody enters, leaves or is seen
    for element in parsed.elements:
        kind = element.kind
        if element.scene_index != scene_index or kind == "scene":
            scene_index = element.scene_index
            here = []
            last_named = ""
            offscreen_next, offscreen = False, set()
        arriving = leaving = nobody
        if kind == "dialogue":
            speakers = [n for n in element.characters if n in people]
            if offscreen_next:  # "His minion approaches offscreen:" then the minion's line
                offscreen.update(n for n in speakers if n not in here)
                offscreen_next = False
            if scene_index in phone_scenes:
                # A phone call: whoever speaks but is never shown in the scene is the other end.
                speakers = [n for n in speakers if n in shown_in_scene.get(scene_index, ())]
            if not element.voice:
                arriving = [n for n in speakers if n not in offscreen] if offscreen else speakers
        elif kind == "action":
            text = element.text
            if ("ff" in text or "nseen" in text or "O.S." in text or "of frame" in text) and \
                    any(words in text for words in _OFFSCREEN_WORDS):
                offscreen_next = True
            elif offscreen_next:  # still waiting for the line said offscreen
                pass
            elif element.named and not _element_needs_sentences(element):
                arriving = element.named  # the common case: named, no exit, no voice or call
                last_named = arriving[-1] if len(arriving) == 1 else last_named
            elif element.named or (last_named and _element_needs_sentences(element)):
                arriving, leaving = [], []
                for sentence in _sentences(text):
                    shown, gone = _seen_in(forms, sentence, element.named)
                    if shown:
                        last_named = shown[-1] if len(shown) == 1 else last_named
                    elif _PRONOUN_START.match(sentence) and last_named and _EXIT.search(sentence) \
                            and not _HANGS_UP.search(sentence):
                        gone = [last_named]
                    arriving += [n for n in shown if n not in arriving]
                    leaving += [n for n in gone if n not in leaving]
                    if shown and ("alone" in sentence or "sel" in sentence or " own" in sentence) \
                            and _ALONE.search(sentence):  # "Snuffles, now alone": the others are gone
                        leaving += [n for n in here if n not in shown and n not in leaving]
            if arriving and not only_heard.isdisjoint(arriving) and \
                    _may_match(_PICTURE_HINT, _PICTURE, text, text.lower()):
                # Someone the story only ever hears, named beside a photo or a screen, is in the picture.
                arriving = [n for n in arriving if n not in only_heard]
        if arriving:
            for name in arriving:
                if name not in here:
                    here.append(name)
                last_seen[name] = count
            entering = [n for n in arriving if n not in seen_ever] if not seen_ever.issuperset(arriving) else nobody
            seen_ever.update(arriving)
        else:
            entering = nobody
        # In a long scene the frame holds who was shown or spoke lately, not everyone so far
        # (everyone here has a last_seen: they were put here when seen).
        if here:
            oldest = count - RECENT
            visible = [n for n in here if last_seen[n] >= oldest]
        else:
            visible = nobody
        count += 1
        result.append(Presence(visible, entering, leaving))
        if leaving:
            here = [n for n in here if n not in leaving]
    return result


def people_in(presences: list[Presence], first: int, last: int) -> list[str]:
    """Everyone visible at some element of [first, last] (indices into the elements)."""
    found: dict[str, None] = {}
    for presence in presences[first:last + 1]:
        for name in presence.visible:
            found.setdefault(name)
    return list(found)


@dataclass
class Frame:
    visible: list[str]  # shown in the span
    heard_only: set[str]  # speak in the span only as voices (phone, V.O., offscreen)
    gone: set[str]  # left the scene before the span


def frame_at(parsed: ParsedScript, presences: list[Presence], line_start: int, line_end: int) -> Frame:
    """Who the tracker sees in lines [line_start, line_end], for checking someone else's answer."""
    inside = [i for i, e in enumerate(parsed.elements) if e.line_end >= line_start and e.line_start <= line_end]
    if not inside:
        return Frame([], set(), set())
    first, last = inside[0], inside[-1]
    visible = people_in(presences, first, last)
    heard = {n for i in inside for n in parsed.elements[i].characters if parsed.elements[i].voice}
    scene = parsed.elements[first].scene_index
    gone: set[str] = set()
    for i in range(first - 1, -1, -1):
        if parsed.elements[i].scene_index != scene:
            break
        gone.update(n for n in presences[i].leaving if n not in visible)
    return Frame(visible, heard - set(visible), gone)
