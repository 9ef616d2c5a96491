"""The shot list, for the AD: a CSV (spreadsheets) and the same rows as a PDF table."""

from __future__ import annotations

import csv
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from blender_addon.core.board_model import Board, ShotInfo

from .fonts import register_fonts
from .pdf_sheets import PAGE_SIZES, SheetError

COLUMNS = ["shot", "scene", "int_ext", "location", "time_of_day", "size", "angle", "lens_mm", "sensor_mm",
           "camera_position_m", "camera_rotation_deg", "move", "characters", "action", "dialogue",
           "duration_s", "duration_frames", "frame_start", "frame_end", "take", "take_image", "notes"]
# The PDF table leaves out what only a spreadsheet needs; relative widths sum to 1.
PDF_COLUMNS = [("shot", "Shot", .035), ("scene", "Sc", .03), ("int_ext", "I/E", .03), ("location", "Location", .07),
               ("time_of_day", "Time", .045), ("size", "Size", .035), ("angle", "Angle", .04),
               ("lens_mm", "Lens", .035), ("sensor_mm", "Sensor", .04), ("camera_position_m", "Position (m)", .075),
               ("camera_rotation_deg", "Rotation (°)", .07), ("move", "Move", .04), ("characters", "Characters", .065),
               ("action", "Action", .15), ("dialogue", "Dialogue", .11), ("duration_s", "Dur.", .04),
               ("take", "Take", .03), ("notes", "Notes", .06)]


def _triple(values) -> str:
    return ", ".join(f"{round(v, 2) + 0.0:.2f}" for v in values)  # + 0.0: no "-0.00"


def row_for(board: Board, shot: ShotInfo) -> dict[str, str]:
    camera = shot.camera
    take = shot.chosen_take
    return {
        "shot": shot.number, "scene": shot.scene_number, "int_ext": shot.int_ext, "location": shot.location,
        "time_of_day": shot.time_of_day, "size": shot.size_label, "angle": shot.angle.title(),
        "lens_mm": f"{shot.lens_mm:g}", "sensor_mm": f"{camera.sensor_width_mm:g}" if camera else "",
        "camera_position_m": _triple(camera.location) if camera else "",
        "camera_rotation_deg": _triple(camera.rotation_deg) if camera else "", "move": shot.move,
        "characters": ", ".join(shot.characters), "action": shot.action,
        "dialogue": f"{shot.speaker}: {shot.dialogue}" if shot.speaker and shot.dialogue else shot.dialogue,
        "duration_s": f"{board.seconds(shot.duration_frames):.2f}", "duration_frames": str(shot.duration_frames),
        "frame_start": str(shot.frame_start), "frame_end": str(shot.frame_end),
        "take": str(take.take) if take else "", "take_image": take.image if take else "",
        "notes": "; ".join(shot.notes),
    }


def write_csv(board: Board, path: Path) -> Path:
    # utf-8-sig: spreadsheet programs then read accents and curly quotes right.
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for shot in board.shots:
            writer.writerow(row_for(board, shot))
    return Path(path)


def write_pdf(board: Board, path: Path, page_size: str = "A4", version: str = "") -> Path:
    if page_size.upper() not in PAGE_SIZES:
        raise SheetError(f"page size {page_size!r}: use one of {', '.join(PAGE_SIZES)}")
    fonts = register_fonts()
    page = landscape(PAGE_SIZES[page_size.upper()])
    margin = 8 * mm
    width = page[0] - 2 * margin
    cell = ParagraphStyle("cell", fontName=fonts["regular"], fontSize=6.5, leading=7.8)
    head = ParagraphStyle("head", parent=cell, fontName=fonts["bold"])
    title = ParagraphStyle("title", fontName=fonts["bold"], fontSize=13, leading=16)
    sub = ParagraphStyle("sub", fontName=fonts["regular"], fontSize=8, leading=10)
    rows = [[Paragraph(escape(label), head) for _, label, _ in PDF_COLUMNS]]
    for shot in board.shots:
        values = row_for(board, shot)
        values["duration_s"] = f"{values['duration_s']} s {values['duration_frames']} fr"
        rows.append([Paragraph(escape(values[key]), cell) for key, _, _ in PDF_COLUMNS])
    table = LongTable(rows, colWidths=[share * width for _, _, share in PDF_COLUMNS], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#9a9a9a")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4e4e4")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f5f5f5")]),
    ]))
    meta = " · ".join(p for p in (f"Shot list, {len(board.shots)} shots",
                                  f"{float(board.fps):g} fps", (board.exported_at or "")[:10],
                                  version or board.version) if p)

    def footer(canvas, doc):
        canvas.setFont(fonts["regular"], 7)
        canvas.drawRightString(page[0] - margin, margin / 2, f"Page {doc.page}")

    document = SimpleDocTemplate(str(path), pagesize=page, leftMargin=margin, rightMargin=margin,
                                 topMargin=margin, bottomMargin=margin, title=f"{board.title} shot list",
                                 author="Beatboard")
    document.build([Paragraph(escape(board.title or "Shot list"), title), Paragraph(escape(meta), sub),
                    Spacer(1, 3 * mm), table], onFirstPage=footer, onLaterPages=footer)
    return Path(path)
