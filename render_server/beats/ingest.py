"""From what a user sends to parseable Fountain: format detection, limits, clear refusals."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared_schema.limits import SCRIPT_CHARS

from .fdx import FdxError, fdx_to_fountain, looks_like_fdx

# A 120-page feature is about 150-300 kB of Fountain; 2 million characters is far beyond any real script.
MAX_SCRIPT_CHARS = SCRIPT_CHARS  # the wire's cap (shared_schema.limits): one number for both


class ScriptRejected(ValueError):
    """The input cannot be read as a script; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, code: str, message: str, hint: str):
        super().__init__(message)
        self.status, self.code, self.message, self.hint = status, code, message, hint


@dataclass
class ScriptSource:
    fountain: str
    format: str  # "fountain" or "fdx"; prose is told apart later by the parser
    converted: bool


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    return len(_CONTROL.findall(sample)) / max(len(sample), 1)


_EXPORT_HINT = ("export the script from your writing program as Fountain (.fountain) or Final Draft (.fdx): "
                "Final Draft: File > Save As > Final Draft Document or Fountain; Highland, WriterDuet, Fade In, "
                "Arc Studio: File > Export > Fountain; a script typed in Word or Google Docs: save it as Plain "
                "Text (.txt) with INT./EXT. headings and character names in capitals")

# Signatures of documents people rename to .fountain or .txt, checked on the first characters
# (the bytes as Latin-1 or UTF-8 text). A .docx is a zip whose parts are named word/...
_FOREIGN_DOCUMENTS = (
    ("a PDF", re.compile(r"^%PDF-")),
    ("an RTF document", re.compile(r"^\{\\rtf", re.I)),
    ("an HTML page", re.compile(r"^(<!--.*?-->\s*)?(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])", re.I | re.S)),
    ("a Word document (.docx)", re.compile(r"^PK\x03\x04.{0,4000}?(word/|\[Content_Types\]\.xml)", re.S)),
    ("an OpenDocument text (.odt)", re.compile(r"^PK\x03\x04.{0,200}?application/vnd\.oasis\.opendocument", re.S)),
    ("a Word 97-2003 document (.doc)", re.compile("^(\xd0\xcf\x11\xe0|\ufffd\ufffd\x11\ufffd)")),
)


def foreign_document(head: str) -> str:
    """What kind of non-script document ``head`` (the start of the file, as text) begins, or ""."""
    head = head.lstrip("\ufeff \t\r\n")[:8000]
    return next((kind for kind, signature in _FOREIGN_DOCUMENTS if signature.match(head)), "")


def refuse_foreign_document(head: str, filename: str = "") -> None:
    kind = foreign_document(head)
    if kind:
        name = f"{filename} is" if filename else "this file is"
        raise ScriptRejected(422, "not_a_script", f"{name} {kind}, not a screenplay in Fountain, FDX or plain text",
                             _EXPORT_HINT)


def ingest(text: str, filename: str = "") -> ScriptSource:
    if len(text) > MAX_SCRIPT_CHARS:
        raise ScriptRejected(413, "payload_too_large",
                             f"the script is {len(text) / 1e6:.1f} million characters; the limit is "
                             f"{MAX_SCRIPT_CHARS / 1e6:g} million",
                             "a feature screenplay is well under 1 million; check that this is the right file")
    if not text.strip():
        raise ScriptRejected(422, "validation_error", "the script is empty",
                             "send the text of a Fountain screenplay, a Final Draft .fdx, or plain notes")
    refuse_foreign_document(text[:8000], filename)
    if "\x00" in text[:20000] or _control_ratio(text) > 0.05:
        raise ScriptRejected(422, "validation_error", "this looks like a binary file, not a script",
                             _EXPORT_HINT)
    if filename.lower().endswith(".fdx") or looks_like_fdx(text):
        try:
            return ScriptSource(fdx_to_fountain(text), "fdx", True)
        except FdxError as exc:
            raise ScriptRejected(422, "validation_error", str(exc),
                                 "re-export it from Final Draft, or save it as Fountain") from None
    return ScriptSource(text, "fountain", False)
