"""Final Draft (.fdx) to Fountain text, so one parser (and one set of line numbers) serves both.

No maintained Python library reads FDX (screenplain only writes it), so this small
reader is written by hand over the stdlib's XML parser. Only ``FinalDraft/Content``
paragraphs are script; the rest of an FDX is settings, outlines and revision data.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET


class FdxError(ValueError):
    pass


_SCENE_START = re.compile(r"^(INT|EXT|EST|INT\.?/EXT|I/E)[ .]", re.IGNORECASE)


def looks_like_fdx(text: str) -> bool:
    head = text.lstrip()[:400]
    return head.startswith("<?xml") and "<FinalDraft" in head or head.startswith("<FinalDraft")


def _text_of(paragraph: ET.Element) -> str:
    return "".join("".join(t.itertext()) for t in paragraph.findall("Text")).strip()


def _paragraph_lines(paragraph: ET.Element, dual_second: bool = False) -> tuple[str, str]:
    """(kind, fountain text) for one FDX paragraph."""
    kind = paragraph.get("Type", "Action")
    text = _text_of(paragraph)
    if kind == "Scene Heading":
        number = paragraph.get("Number")
        heading = text.upper() if _SCENE_START.match(text) else f".{text}"
        return "scene", f"{heading} #{number}#" if number else heading
    if kind == "Character":
        name = text if text.isupper() else f"@{text}"
        return "cue", f"{name} ^" if dual_second else name
    if kind == "Parenthetical":
        return "dialogue", text if text.startswith("(") else f"({text})"
    if kind == "Dialogue":
        return "dialogue", text
    if kind == "Transition":
        return "transition", f"> {text}"
    if kind in ("New Act", "End of Act", "Outline 1", "Outline 2", "Outline 3", "Outline 4"):
        return "section", f"# {text}"
    # Action, General, Shot, Cast List: action. A line that would read as a cue is forced.
    lines = text.splitlines() or [""]
    if len(lines) == 1 and lines[0].isupper() and lines[0].strip():
        return "action", f"!{text}"
    return "action", text


def fdx_to_fountain(text: str) -> str:
    try:
        root = ET.fromstring(text.encode("utf-8") if isinstance(text, str) else text)
    except ET.ParseError as exc:
        raise FdxError(f"this .fdx file is not well-formed XML ({exc})") from None
    content = root.find("Content")
    if root.tag != "FinalDraft" or content is None:
        raise FdxError("this XML is not a Final Draft script (no FinalDraft/Content)")
    title = ""
    title_page = root.find("TitlePage/Content")
    if title_page is not None:
        texts = [_text_of(p) for p in title_page.findall("Paragraph")]
        title = next((t for t in texts if t), "")
    out: list[str] = [f"Title: {title}", ""] if title else []
    previous = ""
    for paragraph in content.findall("Paragraph"):
        dual = paragraph.find("DualDialogue")
        if dual is not None:
            cues = 0
            for inner in dual.findall("Paragraph"):
                kind, line = _paragraph_lines(inner, dual_second=cues >= 1 and inner.get("Type") == "Character")
                if kind == "cue":
                    cues += 1
                    if out and out[-1] != "":
                        out.append("")
                out.append(line)
            out.append("")
            previous = "dialogue"
            continue
        kind, line = _paragraph_lines(paragraph)
        if not line.strip(" !.#>"):
            continue
        # Cue, parenthetical and dialogue stay together; everything else is its own paragraph.
        if not (kind == "dialogue" and previous in ("cue", "dialogue")) and out and out[-1] != "":
            out.append("")
        out.append(line)
        previous = kind
    return "\n".join(out).strip() + "\n"
