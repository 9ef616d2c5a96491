"""Read a script into scenes and elements with the source lines each came from.

Fountain is parsed by screenplain (a maintained Fountain parser). screenplain does
not report line numbers, so this module feeds it one blank-line-separated paragraph
at a time and records the lines of each paragraph it appends: that is the only part
written by hand. Prose notes (no headings, no cues) become one scene of action.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from dataclasses import dataclass, field

from screenplain.parsers import fountain
from screenplain.types import Action, Dialog, DualDialog, Section, Slug, Transition

from shared_schema import IntExt

_HEADING_RE = re.compile(
    r"^(?P<ie>INT\.?/EXT|EXT\.?/INT|I/E|INT|EXT|EST)[.\s]+(?P<rest>.*)$", re.IGNORECASE
)
_TIME_SPLIT_RE = re.compile(r"\s+[-–—]+\s+|,\s+")
_EXTENSION_RE = re.compile(r"\s*\((?:V\.?O\.?|O\.?S\.?|O\.?C\.?|CONT'?D|CONT\.|CONTINUED|[^)]*)\)\s*", re.I)
_CUE_SUFFIX_RE = re.compile(r"\s*\^$")
# A character's first appearance in action is written in capitals with a description in
# brackets: "MARA (40s, soaked raincoat) walks in". Sounds and props are capitalized too,
# but do not take an age.
_INTRO_RE = re.compile(r"(?<![\w'])([A-Z][A-Z'\-]+(?: [A-Z][A-Z'\-]+)?) \((?:\d|[a-z])")
_NOT_INTROS = frozenset(
    "INT EXT CUT FADE THE A AN AND BANG BOOM CRASH SMASH CLOSE ANGLE POV SUPER TITLE CONTINUOUS LATER BACK "
    "INSERT FLASHBACK END MONTAGE SERIES SHOTS WE WIDE ON OK OKAY TV FBI CIA NYPD LAPD DNA CCTV".split()
)


@dataclass
class Element:
    kind: str  # "scene", "action", "dialogue", "transition", "section"
    text: str
    line_start: int
    line_end: int
    scene_index: int
    character: str = ""
    characters: list[str] = field(default_factory=list)  # dual dialogue: both speakers
    named: list[str] = field(default_factory=list)  # who speaks or is named, filled by the parser


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
    _forms: "dict[str, str] | None" = field(default=None, repr=False, compare=False)
    _longest: int = field(default=1, repr=False, compare=False)

    def mentions(self, text: str) -> list[str]:
        """Characters named in ``text``, as written in capitals or title case ("MARA", "Mara";
        "will" the verb is not WILL), once each, in order."""
        if self._forms is None:
            self._forms = {}
            for name in self.characters:
                self._forms[name] = name
                self._forms.setdefault(name.title(), name)
            self._longest = max((len(n.split()) for n in self.characters), default=1)
        found: dict[str, None] = {}
        # Names start with a capital: look only at runs of capitalized words, then at every
        # run of up to ``_longest`` words inside them (faster than one big alternation).
        for run in _CAPITALIZED_RUN.findall(text):
            words = run.split()
            for i in range(len(words)):
                for j in range(min(len(words), i + self._longest), i, -1):
                    name = self._forms.get(" ".join(words[i:j]).rstrip(".,!?;:"))
                    if name:
                        found.setdefault(name)
                        break
        return list(found)


_CAPITALIZED_RUN = re.compile(r"(?<![\w'])[A-Z][\w'.&#-]*(?: [A-Z][\w'.&#-]*)*")


@lru_cache(maxsize=4096)
def character_name(cue: str) -> str:
    """'BOB (V.O.)' -> 'BOB'; '@McCLANE' -> 'MCCLANE'; 'ALICE ^' -> 'ALICE'."""
    name = _CUE_SUFFIX_RE.sub("", cue.strip().lstrip("@"))
    name = _EXTENSION_RE.sub(" ", name)
    return " ".join(name.split()).upper()


def parse_heading(heading: str) -> tuple[IntExt, str, str]:
    """'INT. CAFE - NIGHT' -> (INT, 'CAFE', 'NIGHT')."""
    text = heading.strip().lstrip(".").strip()
    text = re.sub(r"\s*#[\w\-.]+#\s*$", "", text)
    match = _HEADING_RE.match(text)
    int_ext = IntExt.UNKNOWN
    if match:
        ie = match.group("ie").upper().rstrip(".")
        int_ext = {"INT": IntExt.INT, "EXT": IntExt.EXT, "EST": IntExt.EXT}.get(ie, IntExt.INT_EXT)
        text = match.group("rest")
    parts = _TIME_SPLIT_RE.split(text, maxsplit=1)
    location = parts[0].strip(" .-–—").upper()
    time_of_day = parts[1].strip(" .").upper() if len(parts) > 1 else ""
    return int_ext, location, time_of_day


def _blank_boneyard(text: str) -> str:
    # Keep line numbers stable: a /* boneyard */ becomes the line breaks it spanned, as written
    # (a "\n" next to a CR-only file's "\r" would fuse into one CRLF break).
    return fountain.boneyard_re.sub(lambda m: "".join(fountain.linebreak_re.findall(m.group(0))), text)


def _paragraph_groups(lines: list[str]):
    """Yield (first_line, last_line, lines) for runs of non-blank lines, 1-based."""
    numbered = enumerate((fountain._preprocess_line(line) for line in lines), start=1)
    for blank, group in itertools.groupby(numbered, lambda item: fountain._is_blank(item[1])):
        if blank:
            continue
        group = list(group)
        yield group[0][0], group[-1][0], [line for _, line in group]


_EMPHASIS = re.compile(r"(?<!\\)[*_]")


def _strip_emphasis(text: str) -> str:
    return _EMPHASIS.sub("", text).replace("\\*", "*").replace("\\_", "_")


class _PlainParagraph(fountain.InputParagraph):
    """screenplain's classification of a paragraph, without the rich text it would build.

    Beats never show emphasis, and building RichStrings for every line of dialogue and
    action is half of screenplain's time on a feature. Only the two constructors that run
    for most paragraphs are replaced; deciding what a paragraph is stays screenplain's.
    """

    def _create_dialog(self, character):
        return Dialog(_strip_emphasis(character.strip()), [_strip_emphasis(line.strip()) for line in self.lines[1:]])

    def append_action(self, paragraphs):
        paragraphs.append(Action([_strip_emphasis(line[1:].rstrip() if line.startswith("!") else line.rstrip())
                                  for line in self.lines]))
        return True


def parse_fountain(text: str) -> ParsedScript:
    lines = fountain.linebreak_re.split(_blank_boneyard(text))
    groups = list(_paragraph_groups(lines))
    title = ""
    if groups:
        title_page = fountain.parse_title_page(groups[0][2])
        if title_page:
            title = " ".join(title_page.get("Title", [])).strip()
            groups = groups[1:]

    paragraphs: list = []
    spans: list[tuple[int, int]] = []
    for first, last, group_lines in groups:
        if any("[[" in line for line in group_lines):
            group_lines = fountain.note_re.sub("", "\n".join(group_lines)).split("\n")
            if fountain._is_blank("\n".join(group_lines)):
                continue
        before = len(paragraphs)
        _PlainParagraph(group_lines).update_list(paragraphs)
        if len(paragraphs) > before:
            spans.extend([(first, last)] * (len(paragraphs) - before))
        elif spans:
            spans[-1] = (spans[-1][0], last)
    parsed = _build(title, paragraphs, spans, len(lines))
    parsed.lines = lines
    return parsed


def _plain(rich) -> str:
    return str(rich.to_plain() if hasattr(rich, "to_plain") else rich).strip()


def _dialog_text(dialog: Dialog) -> str:
    return " ".join(_plain(text) for is_paren, text in dialog.blocks if not is_paren)


def _build(title: str, paragraphs: list, spans: list[tuple[int, int]], line_count: int) -> ParsedScript:
    scenes: list[Scene] = []
    elements: list[Element] = []
    characters: dict[str, None] = {}  # speakers
    appearance: dict[str, None] = {}  # speakers and people introduced in action, in order

    def scene_index() -> int:
        return len(scenes) - 1

    for para, (first, last) in zip(paragraphs, spans):
        if isinstance(para, Slug):
            heading = " ".join(_plain(para.line).split())
            int_ext, location, tod = parse_heading(heading)
            number = _plain(para.scene_number) if para.scene_number else str(len(scenes) + 1)
            scenes.append(Scene(len(scenes), heading, number, int_ext, location, tod, first))
            elements.append(Element("scene", heading, first, last, scene_index()))
        elif isinstance(para, Dialog):
            name = character_name(_plain(para.character))
            characters.setdefault(name)
            appearance.setdefault(name)
            elements.append(Element("dialogue", _dialog_text(para), first, last, scene_index(), name, [name]))
        elif isinstance(para, DualDialog):
            names = [character_name(_plain(d.character)) for d in (para.left, para.right)]
            for name in names:
                characters.setdefault(name)
                appearance.setdefault(name)
            text = " / ".join(_dialog_text(d) for d in (para.left, para.right))
            elements.append(Element("dialogue", text, first, last, scene_index(), names[0], names))
        elif isinstance(para, Action):
            text = " ".join(_plain(line) for line in para.lines)
            for name in _INTRO_RE.findall(text):
                if name.split()[0] not in _NOT_INTROS:
                    appearance.setdefault(name)
            elements.append(Element("action", text, first, last, scene_index()))
        elif isinstance(para, Transition):
            elements.append(Element("transition", _plain(para.line), first, last, scene_index()))
        elif isinstance(para, Section):
            elements.append(Element("section", _plain(para.text), first, last, scene_index()))

    if not scenes and elements:
        scenes.append(Scene(0, "", "1", IntExt.UNKNOWN, "", "", 1))
        for element in elements:
            element.scene_index = 0
    for element in elements:
        element.scene_index = max(element.scene_index, 0)
    parsed = ParsedScript(title, scenes, elements, list(appearance), line_count, speakers=list(characters))
    _fill_scenes(parsed)
    return parsed


def _fill_scenes(parsed: ParsedScript) -> None:
    """Each scene's last line and who appears in it (speaks, or is named in its action)."""
    for scene, following in zip(parsed.scenes, parsed.scenes[1:] + [None]):
        scene.line_end = following.line_start - 1 if following else parsed.line_count
    for element in parsed.elements:
        scene = parsed.scenes[element.scene_index]
        if element.characters:
            element.named = list(dict.fromkeys(element.characters))
        elif element.kind == "action":
            element.named = parsed.mentions(element.text)
        for name in element.named:
            if name not in scene.characters:
                scene.characters.append(name)


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
    for first, last, group_lines in _paragraph_groups(lines):
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
