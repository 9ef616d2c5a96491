"""A contact sheet PNG: every frame in a grid with its shot number, size, lens and beat text."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont


@dataclass
class Panel:
    image_path: str
    shot_number: str
    heading: str
    action: str
    size_lens: str
    dialogue: str = ""


def make_contact_sheet(panels: list[Panel], out_path: Path, title: str = "", columns: int = 3,
                       panel_width: int = 480) -> Path:
    if not panels:
        raise ValueError("no frames to put on a contact sheet")
    first = Image.open(panels[0].image_path)
    panel_height = round(panel_width * first.height / first.width)
    text_height = 110
    margin = 16
    title_height = 44 if title else 0
    rows = (len(panels) + columns - 1) // columns
    sheet = Image.new("RGB", (margin + columns * (panel_width + margin),
                              title_height + margin + rows * (panel_height + text_height + margin)), "white")
    draw = ImageDraw.Draw(sheet)
    bold = ImageFont.load_default(size=22)
    body = ImageFont.load_default(size=14)
    if title:
        draw.text((margin, margin), title, font=ImageFont.load_default(size=28), fill="black")
    for n, panel in enumerate(panels):
        x = margin + (n % columns) * (panel_width + margin)
        y = title_height + margin + (n // columns) * (panel_height + text_height + margin)
        frame = Image.open(panel.image_path).convert("RGB").resize((panel_width, panel_height))
        sheet.paste(frame, (x, y))
        draw.rectangle((x - 1, y - 1, x + panel_width, y + panel_height), outline="black")
        draw.text((x, y + panel_height + 6), f"{panel.shot_number}", font=bold, fill="black")
        draw.text((x + 44, y + panel_height + 10), f"{panel.size_lens}   {panel.heading}"[:70], font=body,
                  fill=(60, 60, 60))
        lines = textwrap.wrap(panel.action, 62)[:3]
        if panel.dialogue:
            lines += textwrap.wrap(f'"{panel.dialogue}"', 62)[:1]
        for i, line in enumerate(lines):
            draw.text((x, y + panel_height + 36 + i * 17), line, font=body, fill="black")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out_path)
    return out_path
