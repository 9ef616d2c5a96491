"""Storyboard sheets: landscape pages of panels (3x2 by default), each the shot's chosen
take at the board's aspect ratio with its shot data under it (reportlab)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER, TABLOID, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from blender_addon.core.board_model import Board, ShotInfo

from .fonts import register_fonts

PAGE_SIZES = {"A4": A4, "LETTER": LETTER, "TABLOID": TABLOID}
LAYOUTS = {"3x2": (3, 2), "3x1": (3, 1), "2x1": (2, 1), "1x1": (1, 1)}
MARGIN = 10 * mm
HEADER = 15 * mm
GUTTER = 5 * mm
TEXT_SHARE = 0.36      # of a panel's height kept for its text, at least
MIN_SCALE = 0.72       # text shrinks to this fraction of its size before it is cut short
INK = colors.HexColor("#1b1b1b")
NOTE_INK = colors.HexColor("#8a1c1c")
RULE = colors.HexColor("#7a7a7a")


class SheetError(ValueError):
    pass


@dataclass
class SheetOptions:
    layout: str = "3x2"
    page_size: str = "A4"
    watermark: str = ""
    version: str = ""

    def validate(self) -> tuple[tuple[int, int], tuple[float, float]]:
        if self.layout not in LAYOUTS:
            raise SheetError(f"layout {self.layout!r}: use one of {', '.join(LAYOUTS)}")
        if self.page_size.upper() not in PAGE_SIZES:
            raise SheetError(f"page size {self.page_size!r}: use one of {', '.join(PAGE_SIZES)}")
        return LAYOUTS[self.layout], landscape(PAGE_SIZES[self.page_size.upper()])


def duration_text(board: Board, shot: ShotInfo) -> str:
    return f"{board.seconds(shot.duration_frames):.2f} s ({shot.duration_frames} fr)"


def _panel_paragraphs(board: Board, shot: ShotInfo, size: float, fonts: dict, action: str) -> list[Paragraph]:
    base = ParagraphStyle("panel", fontName=fonts["regular"], fontSize=size, leading=size * 1.22, textColor=INK)
    title = ParagraphStyle("title", parent=base, fontSize=size * 1.15, leading=size * 1.4, spaceAfter=size * 0.2)
    notes = ParagraphStyle("notes", parent=base, textColor=NOTE_INK)
    lens = f"{shot.lens_mm:g} mm" if shot.lens_mm else ""
    scene = f"Sc {shot.scene_number}" if shot.scene_number else ""
    # Each item may wrap to the next line as a whole, never inside itself ("4.42 s (106 | fr)").
    items = [p for p in (scene, shot.size_label, shot.angle.title(), lens, duration_text(board, shot)) if p]
    specs = " · ".join(escape(p).replace(" ", "\u00a0") for p in items)
    out = [Paragraph(f"<b>SHOT\u00a0{escape(shot.number)}</b>&nbsp;&nbsp;{specs}", title)]
    if action:
        out.append(Paragraph(escape(action), base))
    if shot.dialogue:
        speaker = f"<b>{escape(shot.speaker)}:</b> " if shot.speaker else ""
        out.append(Paragraph(f"{speaker}<i>\u201c{escape(shot.dialogue)}\u201d</i>", base))
    if shot.notes:
        out.append(Paragraph(f"<b>Notes:</b> {escape('; '.join(shot.notes))}", notes))
    return out


def _height(paragraphs: list[Paragraph], width: float) -> float:
    return sum(p.wrap(width, 10_000)[1] + p.style.spaceAfter for p in paragraphs)


def fit_text(board: Board, shot: ShotInfo, width: float, height: float, size: float,
             fonts: dict) -> list[Paragraph]:
    """Shrink the text until it fits the box; only past MIN_SCALE is the action cut short
    (with an ellipsis), so a long shot never runs into the panel below it."""
    scale = 1.0
    while scale >= MIN_SCALE - 1e-9:
        paragraphs = _panel_paragraphs(board, shot, size * scale, fonts, shot.action)
        if _height(paragraphs, width) <= height:
            return paragraphs
        scale -= 0.04
    words = shot.action.split()
    while words:
        words = words[:-max(1, len(words) // 10)]
        paragraphs = _panel_paragraphs(board, shot, size * MIN_SCALE, fonts, " ".join(words) + " \u2026")
        if _height(paragraphs, width) <= height:
            return paragraphs
    return _panel_paragraphs(board, shot, size * MIN_SCALE, fonts, "")[:1]


def _fit_line(text: str, font: str, size: float, width: float) -> tuple[str, float]:
    while size > 6 and stringWidth(text, font, size) > width:
        size -= 0.5
    while text and stringWidth(text, font, size) > width:
        text = text[:-2] + "\u2026"
    return text, size


def _draw_header(canvas: Canvas, board: Board, shots: list[ShotInfo], page: int, pages: int,
                 page_w: float, page_h: float, options: SheetOptions, fonts: dict) -> None:
    top = page_h - MARGIN
    right = page_w - MARGIN
    canvas.setFillColor(INK)
    page_label = f"Page {page} of {pages}"
    date = (board.exported_at or datetime.date.today().isoformat())[:10]
    meta = " · ".join(p for p in (date, options.version or board.version) if p)
    right_w = max(stringWidth(page_label, fonts["bold"], 11), stringWidth(meta, fonts["regular"], 8.5))
    text_w = right - MARGIN - right_w - 8 * mm
    title, size = _fit_line(board.title or "Storyboard", fonts["bold"], 14, text_w)
    canvas.setFont(fonts["bold"], size)
    canvas.drawString(MARGIN, top - 14, title)
    headings = " / ".join(dict.fromkeys(s.heading for s in shots if s.heading))
    headings, size = _fit_line(headings, fonts["regular"], 9, text_w)
    canvas.setFont(fonts["regular"], size)
    canvas.drawString(MARGIN, top - 27, headings)
    canvas.setFont(fonts["bold"], 11)
    canvas.drawRightString(right, top - 13, page_label)
    canvas.setFont(fonts["regular"], 8.5)
    canvas.drawRightString(right, top - 26, meta)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, top - HEADER + 3 * mm, right, top - HEADER + 3 * mm)


def _draw_watermark(canvas: Canvas, text: str, page_w: float, page_h: float, fonts: dict) -> None:
    canvas.saveState()
    canvas.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.14))
    size = min(110.0, 0.8 * page_w / max(1.0, stringWidth(text, fonts["bold"], 1.0)))
    canvas.translate(page_w / 2, page_h / 2)
    canvas.rotate(25)
    canvas.setFont(fonts["bold"], size)
    canvas.drawCentredString(0, -size / 3, text)
    canvas.restoreState()


def _draw_frame(canvas: Canvas, shot: ShotInfo, x: float, y: float, w: float, h: float,
                images: dict, fonts: dict) -> None:
    take = shot.chosen_take
    path = Path(take.image) if take else None
    if path is not None and path.is_file():
        reader = images.setdefault(str(path), ImageReader(str(path)))
        canvas.drawImage(reader, x, y, w, h, preserveAspectRatio=True, anchor="c")
    else:
        canvas.setFillColor(colors.HexColor("#e6e6e6"))
        canvas.rect(x, y, w, h, stroke=0, fill=1)
        canvas.setFillColor(RULE)
        canvas.setFont(fonts["italic"], 9)
        canvas.drawCentredString(x + w / 2, y + h / 2, "no frame rendered yet" if take is None else "frame missing")
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.5)
    canvas.rect(x, y, w, h, stroke=1, fill=0)


def write_sheets(board: Board, path: Path, options: Optional[SheetOptions] = None,
                 progress: Callable[[float, str], None] = lambda f, s: None) -> Path:
    options = options or SheetOptions()
    (cols, rows), (page_w, page_h) = options.validate()
    if not board.shots:
        raise SheetError("the board has no shots to print")
    fonts = register_fonts()
    per_page = cols * rows
    pages = (len(board.shots) + per_page - 1) // per_page
    cell_w = (page_w - 2 * MARGIN - (cols - 1) * GUTTER) / cols
    cell_h = (page_h - 2 * MARGIN - HEADER - (rows - 1) * GUTTER) / rows
    image_w = cell_w
    image_h = image_w / board.aspect
    if image_h > cell_h * (1 - TEXT_SHARE):
        image_h = cell_h * (1 - TEXT_SHARE)
        image_w = image_h * board.aspect
    text_h = cell_h - image_h - 2 * mm
    size = max(7.0, min(11.0, cell_w / mm / 11))
    canvas = Canvas(str(path), pagesize=(page_w, page_h), pageCompression=1)
    canvas.setTitle(f"{board.title} storyboard")
    canvas.setAuthor("Beatboard")
    images: dict = {}
    for page in range(pages):
        shots = board.shots[page * per_page:(page + 1) * per_page]
        _draw_header(canvas, board, shots, page + 1, pages, page_w, page_h, options, fonts)
        for slot, shot in enumerate(shots):
            col, row = slot % cols, slot // cols
            x = MARGIN + col * (cell_w + GUTTER)
            top = page_h - MARGIN - HEADER - row * (cell_h + GUTTER)
            _draw_frame(canvas, shot, x + (cell_w - image_w) / 2, top - image_h, image_w, image_h, images, fonts)
            y = top - image_h - 2 * mm
            for paragraph in fit_text(board, shot, cell_w, text_h, size, fonts):
                _, h = paragraph.wrap(cell_w, text_h)
                paragraph.drawOn(canvas, x, y - h)
                y -= h + paragraph.style.spaceAfter
        if options.watermark:
            _draw_watermark(canvas, options.watermark, page_w, page_h, fonts)
        canvas.showPage()
        progress((page + 1) / pages, f"storyboard page {page + 1} of {pages}")
    canvas.save()
    return Path(path)
