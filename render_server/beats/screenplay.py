"""Read a script into scenes and elements with the source lines each came from.

Fountain is cut into paragraphs, and each classified as screenplain (a maintained Fountain
parser) classifies it, by ``fountain_paragraphs``, which keeps the lines each came from;
this module builds the scenes, elements and cast from them. Prose notes (no headings, no
cues) become one scene of action.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

from screenplain.parsers import fountain
from screenplain.types import Action, Dialog, DualDialog, Section, Slug, Transition

from shared_schema import IntExt

from .cast import PERSON_NOUNS, VOICE_PARENTHETICAL, cue_kind, fold_aliases, is_voice_cue_extension, split_group
from .fountain_paragraphs import blank_boneyard, paragraph_groups, read_paragraphs, split_lines
from .words import words_of

_HEADING_RE = re.compile(
    r"^(?P<ie>INT\.?/EXT|EXT\.?/INT|I/E|INT|EXT|EST)[.\s]+(?P<rest>.*)$", re.IGNORECASE
)
_HEADING_PARTS_RE = re.compile(r"\s+[-–—]+\s+|\s*--+\s*|\s*[–—]\s*|,\s+")
# The last part of a heading is its time only when it says a time: "INT. SCHOOL - CLASSROOM - DAY".
_TIME_WORDS = re.compile(
    r"\b(DAY|NIGHT|MORNING|EVENING|AFTERNOON|DAWN|DUSK|SUNSET|SUNRISE|NOON|MIDNIGHT|TWILIGHT|LATER|CONTINUOUS|"
    r"SAME|MOMENTS?|NEXT|EARLY|LATE|MAGIC HOUR|GOLDEN HOUR|NIGHTFALL|DAYBREAK|"
    r"JOUR|NUIT|SOIR|MATIN|TAG|NACHT|ABEND|MORGEN|DÍA|DIA|NOCHE|TARDE|MAÑANA|GIORNO|NOTTE|SERA|"
    r"\d{4}|\d+\s*(?:AM|PM|A\.M\.|P\.M\.))\b")
_TIME_SET = frozenset(
    "DAY NIGHT MORNING EVENING AFTERNOON DAWN DUSK SUNSET SUNRISE NOON MIDNIGHT TWILIGHT LATER CONTINUOUS SAME "
    "MOMENT MOMENTS NEXT EARLY LATE NIGHTFALL DAYBREAK JOUR NUIT SOIR MATIN TAG NACHT ABEND MORGEN DÍA DIA NOCHE "
    "TARDE MAÑANA GIORNO NOTTE SERA DAYS NIGHTS".split())


def _is_time(part: str) -> bool:
    words = part.replace(".", " ").replace(",", " ").split()
    return not _TIME_SET.isdisjoint(words) or any(w.isdigit() for w in words) or bool(_TIME_WORDS.search(part))


_SCENE_NUMBER = re.compile(r"\s*#[\w\-.]+#\s*$")
_QUALIFIER = re.compile(r"\s*[\(\[][^)\]]*[\)\]]\s*")
_FLASHBACK = re.compile(r"\b(FLASHBACK|FLASH BACK|FLASH-BACK|DREAM|MEMORY|PRESENT DAY)\b", re.I)
_EXTENSION_RE = re.compile(r"\s*\((?:V\.?O\.?|O\.?S\.?|O\.?C\.?|CONT'?D|CONT\.|CONTINUED|[^)]*)\)\s*", re.I)
_CUE_SUFFIX_RE = re.compile(r"\s*\^$")
# A character's first appearance in action is written in capitals with a description in
# brackets: "MARA (40s, soaked raincoat) walks in". Sounds and props are capitalized too,
# but do not take an age.
_INTRO_RE = re.compile(
    r"(?<![\w'.])((?:(?:MR|MRS|MS|DR)\. [A-Z][A-Z'\-]*|[A-Z][A-Z'\-]+)(?: [A-Z][A-Z'\-]+){0,2})"
    r"(?: \((?:(\d|AGE\b|late |early |mid)|[a-z])|, (AGE \d|\d))")
_TWO_CAPITALS = re.compile(r"[A-Z][A-Z]")
_COMMA_AGE = re.compile(r", (?:AGE \d|\d)")  # what _INTRO_RE needs when there is no " (": a fast pre-check
# (look-behind after the first capital, as _CAPITALIZED_RUN below: the same matches, faster)
_FULL_NAME_RE = re.compile(r"([A-Z](?<![\w'.][A-Z])[A-Z'\-]{2,}(?: [A-Z][A-Z'\-]{2,}){1,2})(?= [a-z]|, )")
# Unnamed people come in capitals after an article: "A WORKER makes coffee", "a DOCTOR and two NURSES".
# ("\b(?:[Aa]n?|[Tt]he) ", written to start with a character class: the same matches, faster.)
_GENERIC_INTRO_RE = re.compile(
    r"[AaTt](?<!\w[AaTt])(?:(?<=[Aa])n?|(?<=[Tt])he) ((?:[A-Z][A-Z'\-]+ ){0,2}[A-Z][A-Z'\-]+)\b(?![a-z])")
_NOT_INTROS = frozenset(
    "INT EXT CUT FADE THE A AN AND BANG BOOM CRASH SMASH CLOSE ANGLE POV SUPER TITLE CONTINUOUS LATER BACK "
    "INSERT FLASHBACK END MONTAGE SERIES SHOTS WE WIDE ON OK OKAY TV FBI CIA NYPD LAPD DNA CCTV "
    "LOOK PULL PUSH MOVE STAY DOWN UP THROUGH BEHIND OVER IN OUT TILT PAN ZOOM TRACK CRANE DOLLY HOLD SLOW "
    "MATCH INTERCUT FLASH SUPER CARD RESUME RETURN AT INTO TOWARDS AWAY OF TO FROM WITH".split()
)


@dataclass(slots=True)  # one per paragraph: slots make them cheaper to build and read
class Element:
    kind: str  # "scene", "action", "dialogue", "transition", "section"
    text: str
    line_start: int
    line_end: int
    scene_index: int
    # The lists are read-only once parsed; where empty they default to one shared empty tuple
    # (three fewer lists to make and free for each of the thousands of paragraphs of a feature).
    character: str = ""
    characters: "list[str] | tuple[()]" = ()  # the speaker; dual dialogue: both speakers
    named: "list[str] | tuple[()]" = ()  # who speaks or is named, filled by the parser
    voice: bool = False  # dialogue heard, not seen: (V.O.), (O.S.), a phone, an intercom...
    cues: "list[str] | tuple[()]" = ()  # the cues as written, extensions included
    # The lower-cased words of the text (letters and apostrophes), found once by the parser and
    # shared by presence tracking and salience.
    words: "list[str] | tuple[()]" = field(default=(), repr=False, compare=False)


@dataclass
class Scene:
    index: int
    heading: str
    number: str
    int_ext: IntExt
    location: str
    time_of_day: str
    line_start: int
    line_end: int = 0
    characters: list[str] = field(default_factory=list)


@dataclass
class ParsedScript:
    title: str
    scenes: list[Scene]
    elements: list[Element]
    characters: list[str]  # speakers, then people introduced in action
    line_count: int
    is_prose: bool = False
    speakers: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the source, line i at index i-1
    aliases: dict[str, str] = field(default_factory=dict)  # another form of a name -> the character
    not_people: set[str] = field(default_factory=set)  # cues that are voices, machines, crowds, sounds
    lines_spoken: dict[str, int] = field(default_factory=dict)
    _forms: "dict[str, str] | None" = field(default=None, repr=False, compare=False)
    _longest: int = field(default=1, repr=False, compare=False)
    _generic: "re.Pattern | bool | None" = field(default=None, repr=False, compare=False)
    _generic_words: set = field(default_factory=set, repr=False, compare=False)
    _generic_hint: "re.Pattern | None" = field(default=None, repr=False, compare=False)
    _multi_starts: set = field(default_factory=set, repr=False, compare=False)
    _run_names: dict = field(default_factory=dict, repr=False, compare=False)  # run of capitals -> names

    def mentions(self, text: str, words: "list[str] | None" = None) -> list[str]:
        """Characters named in ``text``, as written in capitals or title case ("MARA", "Mara";
        "will" the verb is not WILL), once each, in order. ``words``: the text's Element.words,
        when the caller has them."""
        if self._forms is None:
            self._prepare_mentions()
        found: dict[str, None] = {}
        if self._generic and self._may_name_generic(text, words):
            # An unnamed person is "the old woman", "the referee" after the introduction in capitals.
            for match in self._generic.finditer(text):
                found.setdefault(match.group(1).upper())
        # Names start with a capital: look only at runs of capitalized words. The same runs come
        # back again and again ("She", "The", "EDWARD"): the names in each are found once.
        known = self._run_names
        for run in _CAPITALIZED_RUN.findall(text):
            names = known.get(run)
            if names is None:
                names = known[run] = self._names_in_run(run)
            for name in names:
                found.setdefault(name)
        return list(found)

    def _names_in_run(self, run: str) -> tuple[str, ...]:
        """The characters named in one run of capitalized words, in order: every stretch of up to
        ``_longest`` words inside it is looked up (faster than one big alternation)."""
        forms = self._forms
        if " " not in run:  # most runs are one word ("She", "The", "MARA"): one lookup
            form = run.rstrip(".,!?;:")
            name = forms.get(form) or (form.endswith(("'s", "'S", "’s")) and forms.get(form[:-2]))
            return (name,) if name else ()
        found: list[str] = []
        words = run.split()
        count = len(words)
        i = 0
        while i < count:
            word = words[i]
            # A name of several words starts with one of a few words: any other word can
            # only be a one-word name, so the longer joins are not built for it.
            top = min(count, i + self._longest) if word in self._multi_starts else i + 1
            for j in range(top, i, -1):
                form = (" ".join(words[i:j]) if j > i + 1 else word).rstrip(".,!?;:")
                name = forms.get(form) or (form.endswith(("'s", "'S", "’s")) and forms.get(form[:-2]))
                if name:
                    found.append(name)
                    i = j  # "Young Mike" is not also "Mike"
                    break
            else:
                i += 1
        return tuple(found)

    def _may_name_generic(self, text: str, words: "list[str] | None") -> bool:
        """Does ``text`` hold one of the nouns of the unnamed people (a pre-check for the slower
        pattern)? A match ends in the noun with no letter on either side, so in ASCII text the
        noun is one of its runs of letters: the words, with those that hold an apostrophe cut
        there ("man's" is "man" and "s"). Other text gets one scan for the nouns."""
        if words is not None and text.isascii():
            nouns = self._generic_words
            if not nouns.isdisjoint(words):
                return True
            return "'" in text and any(not nouns.isdisjoint(word.split("'")) for word in words if "'" in word)
        return self._generic_hint.search(text) is not None

    def _prepare_mentions(self) -> None:
        self._forms = _name_forms(self.characters, self.aliases)
        self._run_names = {}
        self._longest = max((len(f.split()) for f in self._forms), default=1)
        self._multi_starts = {f.split(" ")[0] for f in self._forms if " " in f}
        generic = [n for n in self.characters if n.split()[-1] in PERSON_NOUNS and len(n) > 2]
        self._generic_words = {n.split()[-1].lower() for n in generic}
        self._generic = re.compile(r"(?<![\w'])(" + "|".join(sorted((re.escape(n.lower()) for n in generic),
                                                                    key=len, reverse=True)) + r")(?![\w])") \
            if generic else False
        # Does the text hold any of their nouns at all (a plain substring test, one scan)?
        self._generic_hint = re.compile("|".join(re.escape(w) for w in sorted(self._generic_words))) \
            if generic else None


# The look-behind sits after the first capital (same matches as putting it first): a pattern that
# starts with a character class lets the regex engine skip ahead to candidates, about 3x faster.
_CAPITALIZED_RUN = re.compile(r"[A-Z](?<![\w'][A-Z])[\w'.&#-]*(?: [A-Z][\w'.&#-]*)*")
_COMMON_WORDS = frozenset(
    "THE A AN AND OF BIG OLD YOUNG LITTLE MAN WOMAN GUY GIRL BOY KID MR. MRS. MS. DR. MR MRS MS DR SIR LADY "
    "LORD AUNT UNCLE MISS".split())


def _name_forms(characters: list[str], aliases: dict[str, str]) -> dict[str, str]:
    """How a name may be written in action -> the character: the cue in capitals or title case,
    its aliases, and the given or family name of a two-word name when no one else shares it."""
    forms: dict[str, str] = {}

    def add(form: str, name: str) -> None:
        forms.setdefault(form, name)
        forms.setdefault(form.title().replace("'S", "'s"), name)

    for name in characters:
        add(name, name)
    for alias, name in aliases.items():
        add(alias, name)
    parts: dict[str, set[str]] = {}
    for name in list(characters) + list(aliases):
        ws = name.split()
        if len(ws) == 2 and not any(w in _COMMON_WORDS or w.endswith("'S") for w in ws):
            for w in ws:
                parts.setdefault(w, set()).add(aliases.get(name, name))
    for word, owners in parts.items():
        if len(owners) == 1 and len(word) > 2 and word not in forms:
            add(word, next(iter(owners)))
    return forms


@lru_cache(maxsize=4096)
def character_name(cue: str) -> str:
    """'BOB (V.O.)' -> 'BOB'; '@McCLANE' -> 'MCCLANE'; 'ALICE ^' -> 'ALICE'."""
    name = _CUE_SUFFIX_RE.sub("", cue.strip().lstrip("@"))
    name = _EXTENSION_RE.sub(" ", name)
    return " ".join(name.split()).upper()


_INT_EXT = {"INT": IntExt.INT, "EXT": IntExt.EXT, "EST": IntExt.EXT}


def parse_heading(heading: str) -> tuple[IntExt, str, str]:
    """'INT. CAFE - NIGHT' -> (INT, 'CAFE', 'NIGHT')."""
    text = heading.strip().lstrip(".").strip()
    if "#" in text:
        text = _SCENE_NUMBER.sub("", text)
    match = _HEADING_RE.match(text)
    int_ext = IntExt.UNKNOWN
    if match:
        int_ext = _INT_EXT.get(match.group("ie").upper().rstrip("."), IntExt.INT_EXT)
        text = match.group("rest")
    parts = []
    for part in _HEADING_PARTS_RE.split(text.strip()):
        part = part.strip(" .-–—")
        if part:
            parts.append(part)
    time_of_day = ""
    if len(parts) > 1:
        last = parts[-1].upper()
        if "(" in last or "[" in last:
            last = _QUALIFIER.sub(" ", last).strip()
        if not last or _is_time(last):
            time_of_day = " ".join(last.split())
            parts = parts[:-1]
    # (_QUALIFIER needs a bracket: a part without one is only stripped)
    location = " - ".join([(_QUALIFIER.sub(" ", p).strip() or p) if "(" in p or "[" in p else (p.strip() or p)
                           for p in parts]).upper() if parts else ""
    return int_ext, " ".join(location.split()), time_of_day


def parse_fountain(text: str) -> ParsedScript:
    lines = split_lines(blank_boneyard(text))
    groups = list(paragraph_groups(lines))
    title = ""
    if groups and any(not line.strip() for line in groups[0][2]):
        # Lines of only spaces are not blank in Fountain, but after a title page they are meant
        # as the break before the script: split there so the first scene is not swallowed.
        first, last, group_lines = groups[0]
        cut = next(i for i, line in enumerate(group_lines) if not line.strip())
        rest = [(first + i, line) for i, line in enumerate(group_lines) if i > cut]
        while rest and not rest[0][1].strip():
            rest.pop(0)
        groups[0:1] = [(first, first + cut - 1, group_lines[:cut])] + (
            [(rest[0][0], last, [line for _, line in rest])] if rest else [])
    if groups:
        title_page = fountain.parse_title_page(groups[0][2])
        if title_page:
            title = " ".join(title_page.get("Title", [])).strip()
            groups = groups[1:]

    # ("[[" looked for once in the source instead of once per paragraph)
    paragraphs, spans = read_paragraphs(groups, has_notes="[[" in text)
    parsed = _build(title, paragraphs, spans, len(lines))
    parsed.lines = lines
    return parsed


def _plain(rich) -> str:
    if type(rich) is str:  # what _PlainParagraph builds: most lines
        return rich.strip()
    return str(rich.to_plain() if hasattr(rich, "to_plain") else rich).strip()


def _as_dialogue(dialog: Dialog) -> tuple[str, str, str]:
    """(cue, spoken text, parentheticals) of a screenplain Dialog, as read_paragraphs gives them."""
    said = " ".join([_plain(text) for is_paren, text in dialog.blocks if not is_paren])
    asides = " ".join([_plain(text) for is_paren, text in dialog.blocks if is_paren])
    return _plain(dialog.character), said, asides


def _action_text(lines: list) -> str:
    if len(lines) == 1:
        return _plain(lines[0])
    return " ".join([_plain(line) for line in lines])


def _build(title: str, paragraphs: list, spans: list[tuple[int, int]], line_count: int) -> ParsedScript:
    scenes: list[Scene] = []
    elements: list[Element] = []
    characters: dict[str, None] = {}  # speakers
    appearance: dict[str, None] = {}  # speakers and people introduced in action, in order
    spoken: dict[str, int] = {}
    seen_on_screen: set[str] = set()  # speakers with at least one line not marked as a voice
    last_voice: dict[tuple[int, str], bool] = {}
    unconfirmed: dict[str, int] = {}  # "ROGER FEDERER appears": a person if the action says "Federer ..." later
    current = 0  # the scene the next element belongs to (what comes before the first heading goes in the first)

    def speaker(cue: str, parentheticals: str) -> tuple[str, bool]:
        """(the character, is the line a voice): a voice cue extension or a parenthetical that
        makes it one ("(over the phone)")."""
        name = character_name(cue)
        voice = ("(" in cue and is_voice_cue_extension(cue)) or \
            bool(parentheticals and VOICE_PARENTHETICAL.search(parentheticals))
        if not voice and "CONT" in cue.upper():  # "HARRY (CONT'D)" goes on in the voice he had
            voice = last_voice.get((len(scenes), name), False)
        last_voice[(len(scenes), name)] = voice
        characters.setdefault(name)
        appearance.setdefault(name)
        spoken[name] = spoken.get(name, 0) + 1
        if not voice:
            seen_on_screen.add(name)
        return name, voice

    for para, (first, last) in zip(paragraphs, spans):
        # The kinds in the order of how often they come: action, dialogue, headings.
        kind = type(para)
        if kind is str or kind is Action:
            text = para if kind is str else _action_text(para.lines)
            if _TWO_CAPITALS.search(text) is None:  # no word in capitals: nobody is introduced
                elements.append(Element("action", text, first, last, current))
                continue
            for name, age, age_after_comma in (_INTRO_RE.findall(text) if " (" in text or _COMMA_AGE.search(text)
                                               else ()):
                age = age or age_after_comma
                if name.split()[0] not in _NOT_INTROS and cue_kind(name) == "person":
                    # "MARA (40s)" is a person; "A MINI-CAMCORDER (old, taped)" may be a prop:
                    # without an age it must be a person's noun or be seen acting later.
                    if age or name.split()[-1] in PERSON_NOUNS:
                        appearance.setdefault(name)
                    else:
                        unconfirmed.setdefault(name, len(elements))
            for name in _GENERIC_INTRO_RE.findall(text):
                if name.split()[-1] in PERSON_NOUNS:
                    appearance.setdefault(name)
            for name in _FULL_NAME_RE.findall(text):
                ws = name.split()
                if not (_NOT_INTROS & set(ws)) and cue_kind(name) == "person" and \
                        not (ws[-1].endswith("S") and ws[-1][:-1] in PERSON_NOUNS):
                    unconfirmed.setdefault(name, len(elements))
            elements.append(Element("action", text, first, last, current))
        elif kind is tuple or kind is Dialog:  # tuple: read_paragraphs' Dialogue
            cue, text, asides = para[:3] if kind is tuple else _as_dialogue(para)
            name, voice = speaker(cue, asides)
            elements.append(Element("dialogue", text, first, last, current, name, [name], voice=voice, cues=[cue]))
        elif kind is Slug:
            heading = " ".join(_plain(para.line).split())
            int_ext, location, tod = parse_heading(heading)
            number = _plain(para.scene_number) if para.scene_number else str(len(scenes) + 1)
            scenes.append(Scene(len(scenes), heading, number, int_ext, location, tod, first))
            current = len(scenes) - 1
            elements.append(Element("scene", heading, first, last, current))
        elif kind is DualDialog:
            sides = [_as_dialogue(d) for d in (para.left, para.right)]
            said = [speaker(cue, asides) for cue, _, asides in sides]
            elements.append(Element("dialogue", " / ".join(text for _, text, _ in sides), first, last, current,
                                    said[0][0], [n for n, _ in said], voice=all(v for _, v in said),
                                    cues=[cue for cue, _, _ in sides]))
        elif kind is Transition:
            elements.append(Element("transition", _plain(para.line), first, last, current))
        elif kind is Section:
            elements.append(Element("section", _plain(para.text), first, last, current))

    if not scenes and elements:
        scenes.append(Scene(0, "", "1", IntExt.UNKNOWN, "", "", 1))
    for name, index in unconfirmed.items():
        # A person is referred to again soon after being introduced: look at what follows.
        if name not in appearance and _acts_later(name, elements[index + 1:index + 80]):
            appearance.setdefault(name)
    people, aliases, not_people, groups = _cast(list(appearance), spoken, seen_on_screen)
    for element in elements:
        if element.kind == "dialogue":
            element.character = aliases.get(element.character, element.character)
            if len(element.characters) == 1 and element.characters[0] not in groups:  # most lines: one speaker
                only = element.characters[0]
                element.characters = [aliases.get(only, only)]
                continue
            members = [m for n in element.characters for m in groups.get(n, [n])]
            element.characters = list(dict.fromkeys(aliases.get(n, n) for n in members))
    parsed = ParsedScript(title, scenes, elements, people, line_count, speakers=list(characters),
                          aliases=aliases, not_people=not_people, lines_spoken=spoken)
    _fill_scenes(parsed)
    return parsed


def _acts_later(name: str, following: list[Element]) -> bool:
    """Is ``name`` (or its last word) written in title case in the action that follows, doing something?"""
    forms = [name.title(), name.split()[-1].title()]
    pattern = re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(f) for f in forms) + r")(?:'s [a-z]+| [a-z]+s\b)")
    return any(e.kind == "action" and forms[1] in e.text and pattern.search(e.text) for e in following)


def _cast(names: list[str], spoken: dict[str, int], seen_on_screen: set[str]) -> tuple[list[str], dict, set, dict]:
    """(the people, alias -> person, names that are never a person in the frame, group cue -> people)."""
    not_people: set[str] = set()
    aliases: dict[str, str] = {}
    groups: dict[str, list[str]] = {}
    people: list[str] = []
    known = set(names)
    for name in names:
        kind = cue_kind(name)
        if kind != "person":
            not_people.add(name)
            continue
        group = split_group(name, known)
        if len(group) > 1:
            not_people.add(name)
            groups[name] = group
            continue
        people.append(name)
    aliases = fold_aliases(people, spoken)
    people = [n for n in people if n not in aliases]
    return people, aliases, not_people, groups


def _fill_scenes(parsed: ParsedScript) -> None:
    """Each scene's last line and who appears in it (speaks, or is named in its action)."""
    for scene, following in zip(parsed.scenes, parsed.scenes[1:] + [None]):
        scene.line_end = following.line_start - 1 if following else parsed.line_count
    people = set(parsed.characters)
    mentions = parsed.mentions
    scenes = parsed.scenes
    for element in parsed.elements:
        element.words = words = words_of(element.text.lower())
        speakers = element.characters
        if speakers:
            if element.voice:
                continue  # named: nobody (its default, empty)
            if len(speakers) == 1:  # most lines: one speaker
                if speakers[0] not in people:
                    continue
                named = element.named = [speakers[0]]
            else:
                named = element.named = [n for n in dict.fromkeys(speakers) if n in people]
        elif element.kind == "action":
            named = element.named = mentions(element.text, words)
        else:
            continue
        if named:
            in_scene = scenes[element.scene_index].characters
            for name in named:
                if name not in in_scene:
                    in_scene.append(name)


_NAME_RE = re.compile(r"\b([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\b")
_NOT_NAMES = frozenset(
    "The A An And But Then When She He They It We I You Her His Their Our In On At As "
    "After Before Later Meanwhile Morning Evening Night Day Outside Inside This That "
    "There Here Suddenly Finally Now Scene Shot Open Close Cut Fade".split()
)


_ACTS_RE = re.compile(r"\b([A-Z][a-z]+) ([a-z]{3,}s)\b")
_NOT_VERBS = frozenset("this his its was has does goes is as".split())


def parse_prose(text: str) -> ParsedScript:
    """Director's notes: paragraphs of action. A name is a capitalized word seen twice, or
    one that does something ("June bursts in")."""
    lines = fountain.linebreak_re.split(text)
    counts: dict[str, int] = {}
    for match in _NAME_RE.finditer(text):
        word = match.group(1)
        if word.split()[0] not in _NOT_NAMES:
            counts[word] = counts.get(word, 0) + 1
    for word, verb in _ACTS_RE.findall(text):
        if word not in _NOT_NAMES and verb not in _NOT_VERBS:
            counts[word] = counts.get(word, 0) + 2
    names = [name for name, count in counts.items() if count >= 2]
    scene = Scene(0, "", "1", IntExt.UNKNOWN, "", "", 1)
    elements = []
    for first, last, group_lines in paragraph_groups(lines):
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(line.strip() for line in group_lines)):
            if sentence.strip():
                elements.append(Element("action", sentence.strip(), first, last, 0))
    parsed = ParsedScript("", [scene], elements, [n.upper() for n in names], len(lines), is_prose=True, lines=lines)
    _fill_scenes(parsed)
    return parsed


def parse_script(text: str) -> ParsedScript:
    parsed = parse_fountain(text)
    has_structure = any(e.kind in ("scene", "dialogue") for e in parsed.elements)
    return parsed if has_structure else parse_prose(text)
