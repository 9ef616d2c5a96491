"""Fountain source -> paragraphs with the lines each came from, decided as screenplain decides.

screenplain (a maintained Fountain parser) does not report line numbers, so the source is cut
into blank-line-separated paragraphs here and each is classified on its own. Most paragraphs of
a screenplay are plain action or plain dialogue: those are recognised with screenplain's own
tests, inlined, and come back as plain values (an action's text; a ``Dialogue`` tuple). Everything
else (headings, transitions, sections, centred text, dual dialogue, page breaks, forced action)
goes through screenplain's classification and comes back as its objects.
tests/test_fountain_paragraphs.py checks both against screenplain, paragraph by paragraph.
"""

from __future__ import annotations

import re
from screenplain.parsers import fountain
from screenplain.richstring import plain
from screenplain.types import Dialog, Slug


def blank_boneyard(text: str) -> str:
    # Keep line numbers stable: a /* boneyard */ becomes the line breaks it spanned, as written
    # (a "\n" next to a CR-only file's "\r" would fuse into one CRLF break).
    if "/*" not in text:
        return text
    return fountain.boneyard_re.sub(lambda m: "".join(fountain.linebreak_re.findall(m.group(0))), text)


def split_lines(text: str) -> list[str]:
    """screenplain's split on any line break; str.split does it when the breaks are all "\n"."""
    return text.split("\n") if "\r" not in text else fountain.linebreak_re.split(text)


def paragraph_groups(lines: list[str]):
    """Yield (first_line, last_line, lines) for runs of non-blank lines, 1-based.

    Lines come split on every line break, so screenplain's ``_preprocess_line`` only has tabs
    to expand, and its ``_is_blank`` is "" or " ": both inlined, they ran once per line."""
    group: list[str] = []
    first = 0
    for number, line in enumerate(lines, start=1):
        if "\t" in line:
            line = fountain._preprocess_line(line)
        if line == "" or line == " ":
            if group:
                yield first, number - 1, group
                group = []
        else:
            if not group:
                first = number
            group.append(line)
    if group:
        yield first, len(lines), group


_EMPHASIS = re.compile(r"(?<!\\)[*_]")


def strip_emphasis(text: str) -> str:
    if "*" not in text and "_" not in text:  # most lines: nothing to strip
        return text
    return _EMPHASIS.sub("", text).replace("\\*", "*").replace("\\_", "_")


# What screenplain's parse_emphasis reads as markup: stars, underscores, and its private-use
# marker characters. A line without any is one plain segment of itself.
_MARKUP = re.compile(r"[*_\ue700-\ue706]")


# The characters whose upper case starts with "I" or "E" (tests/test_fountain_paragraphs.py checks
# this against all of Unicode): only a line that starts with one can be a heading without a ".".
SLUG_FIRST_LETTERS = "EIeiı"


def _may_be_slug(line: str) -> bool:
    # upper() works per character, so the head of the upper-cased start is the head of the whole.
    return line.startswith(".") or (line[0] in SLUG_FIRST_LETTERS and
                                    line[:12].upper().startswith(("INT", "EXT", "EST", "I/E")))


def _only_action(line: str) -> bool:
    """Can a one-line paragraph only be action? Each test before action in screenplain's chain
    needs one of these: "!" forced action, "=" page break or synopsis, "#" section, a slug's
    "." or INT/EXT, ">" centred text or a transition, or a transition's closing "TO:"."""
    return not (line[0] in "!=#>" or ">" in line or line.endswith("TO:") or _may_be_slug(line))


# A paragraph of dialogue comes back as a plain tuple (a NamedTuple's constructor is a Python
# call, and there is one per line of dialogue): (cue as written, extensions included, emphasis
# removed; the lines spoken, parentheticals left out; the parentheticals, "(quietly) (into the
# phone)" or ""; the paragraph's lines and the cue line less a leading "@", to rebuild
# screenplain's Dialog when a dual dialogue takes it).
Dialogue = tuple[str, str, str, list[str], str]


def _dialogue(lines: list[str], character: str) -> Dialogue:
    """screenplain's Dialog (cue, and each line as parenthetical or spoken) read into plain text,
    without building it: a line starting "(" opens a parenthetical, one ending ")" closes it."""
    cue = strip_emphasis(character.strip()).strip()
    body = lines[1:]
    joined = "\n".join(body)
    if "(" not in joined and "*" not in joined and "_" not in joined:  # most lines: spoken, no markup
        return cue, " ".join([line.strip() for line in body]), "", lines, character
    said: list[str] = []
    asides: list[str] = []
    inside = False
    for line in body:
        line = strip_emphasis(line.strip())
        if line.startswith("("):
            inside = True
        (asides if inside else said).append(line.strip())
        if line.endswith(")"):
            inside = False
    return cue, " ".join(said), " ".join(asides), lines, character


def _action(lines: list[str]) -> str:
    """screenplain's Action read into one line of plain text (forced "!" dropped, emphasis removed)."""
    return " ".join([strip_emphasis(line[1:].rstrip() if line.startswith("!") else line.rstrip()).strip()
                     for line in lines])


_NOTE_MARK = "\ue000"


def without_notes(lines: list[str]) -> list[str]:
    """A paragraph's lines less its [[notes]]; a line that held only notes goes with them.
    (screenplain keeps such a line, empty, and a cue under it would read as action.)"""
    kept = []
    for line in fountain.note_re.sub(_NOTE_MARK, "\n".join(lines)).split("\n"):
        if _NOTE_MARK in line:
            line = line.replace(_NOTE_MARK, "")
            if not line.strip():
                continue
        kept.append(line)
    return kept


def _as_dialog(dialogue: Dialogue) -> Dialog:
    return _PlainParagraph(dialogue[3])._create_dialog(dialogue[4])


def read_paragraphs(groups, has_notes: bool) -> tuple[list, list[tuple[int, int]]]:
    """(paragraphs, the (first, last) lines of each) from paragraph_groups' groups. A paragraph
    is an action's text (str), a Dialogue tuple, or a screenplain object. ``has_notes``: the source
    holds "[[", so notes must be cut out first."""
    paragraphs: list = []
    spans: list[tuple[int, int]] = []
    append, add_span = paragraphs.append, spans.append
    for first, last, lines in groups:
        if has_notes and any("[[" in line for line in lines):
            lines = without_notes(lines)
            if not lines:
                continue
        head = lines[0]
        if len(lines) == 1:
            if _only_action(head):  # most one-line paragraphs
                append(_action(lines))
                add_span((first, last))
                continue
        elif head[:1] not in ("!", "#") and ">" not in head:
            # Not forced action, a section or centred text: screenplain's append_dialog, else action.
            character = head
            if character.endswith("  "):
                spoken = False
            elif character.startswith("@") and len(character) >= 2:
                character, spoken = character[1:], True
            else:
                spoken = character.split("(", 1)[0].isupper()
            if not spoken:
                append(_action(lines))
                add_span((first, last))
                continue
            # A dual dialogue ("BOB ^" after a line of dialogue) is screenplain's: dual_dialog_re,
            # "^(.+?)(\s*\^)$", matches a line of two or more characters that ends in "^".
            if not (character.endswith("^") and len(character) > 1 and paragraphs and
                    (type(paragraphs[-1]) is tuple or isinstance(paragraphs[-1], Dialog))):
                append(_dialogue(lines, character))
                add_span((first, last))
                continue
        # The rest, screenplain's way. Its tests look at the paragraph before (a dual dialogue
        # takes a Dialog, a synopsis a heading or section): give it what screenplain would have.
        if paragraphs and type(paragraphs[-1]) is tuple:
            paragraphs[-1] = _as_dialog(paragraphs[-1])
        before = len(paragraphs)
        _PlainParagraph(lines).update_list(paragraphs)
        if len(paragraphs) > before:
            spans.extend([(first, last)] * (len(paragraphs) - before))
        elif spans:
            spans[-1] = (spans[-1][0], last)
    return paragraphs, spans


def _slug_parts(line: str) -> tuple[str | None, str | None]:
    """screenplain's ``slug_re.match(line).groups()``, or (None, None) where it does not match:
    r"(?:(\.)(?=[^.])\s*)?(\S.*?)\s*$" is a "." not followed by another (then spaces), and the
    text from there, which must start with a non-space, less trailing spaces. (The lazy pattern
    backtracks at every character; re's \s and str.strip() agree on what a space is.)"""
    if line.startswith(".") and line[1:2] not in ("", "."):
        rest = line[1:].lstrip()
        if rest:
            return ".", rest.rstrip()
        # only spaces after the "." : the pattern backtracks and takes the "." as the text
    if not line or line[0].isspace():
        return None, None
    return None, line.rstrip()


class _PlainParagraph(fountain.InputParagraph):
    """screenplain's classification of a paragraph, without the rich text it would build (an
    action comes back as its text, as read_paragraphs gives it; centred text stays an Action).

    Beats never show emphasis, and building RichStrings for every line costs more than the rest
    of the classification. The constructors that run for most paragraphs (dialogue, action,
    headings without markup) are replaced, and tests that cannot say yes are skipped; deciding
    what a paragraph is stays screenplain's.
    """

    def update_list(self, previous_paragraphs):
        if len(self.lines) == 1:
            if _only_action(self.lines[0]):
                return self.append_action(previous_paragraphs)
            return super().update_list(previous_paragraphs)
        # screenplain's chain in its order, less the four tests that only take one-line
        # paragraphs (page break, synopsis, slug, transition): each would say no here.
        first = self.lines[0]
        if first[:1] not in ("!", "#") and ">" not in first:  # not forced action, a section or centred text
            return self.append_dialog(previous_paragraphs) or self.append_action(previous_paragraphs)
        (
            self.append_forced_action(previous_paragraphs) or
            self.append_sections_and_synopsises(previous_paragraphs) or
            self.append_centered_action(previous_paragraphs) or
            self.append_dialog(previous_paragraphs) or
            self.append_action(previous_paragraphs)
        )

    # Cheap exact pre-checks: each says no where screenplay's own test could not say yes, so
    # the regexes run only on paragraphs that might be what they test for.
    def append_sections_and_synopsises(self, paragraphs):
        return self.lines[0].startswith("#") and super().append_sections_and_synopsises(paragraphs)

    def append_centered_action(self, paragraphs):
        return ">" in self.lines[0] and super().append_centered_action(paragraphs)

    def append_slug(self, paragraphs):
        if len(self.lines) != 1:
            return False
        line = self.lines[0]
        if not _may_be_slug(line):
            return False
        if _MARKUP.search(line):
            return super().append_slug(paragraphs)
        # screenplain's append_slug, less parse_emphasis: a heading without emphasis markup is
        # its plain text, and building its RichString cost more than the rest of the test.
        period, text = _slug_parts(line)
        if text is None:
            return False
        text = text.upper()
        if not period and not any(regex.match(text) for regex in fountain.slug_regexes):
            return False
        match = fountain.scene_number_re.match(text) if "#" in text else None  # it needs "#...#"
        if match:
            text, scene_number = match.groups()
            paragraphs.append(Slug(text, plain(scene_number)))
        else:
            paragraphs.append(Slug(text))
        return True

    def append_page_break(self, paragraphs):
        return self.lines[0].startswith("===") and super().append_page_break(paragraphs)

    def append_transition(self, paragraphs):
        if len(self.lines) != 1 or not (self.lines[0].startswith(">") or self.lines[0].endswith("TO:")):
            return False
        return super().append_transition(paragraphs)

    def _create_dialog(self, character):
        return Dialog(strip_emphasis(character.strip()), [strip_emphasis(line.strip()) for line in self.lines[1:]])

    def append_action(self, paragraphs):
        paragraphs.append(_action(self.lines))  # as read_paragraphs gives it: the text
        return True
