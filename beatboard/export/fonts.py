"""A Unicode TrueType family for the PDFs (the PDF base-14 fonts have no curly quotes
outside Latin-1 and no accents beyond it): DejaVu Sans from Debian's fonts-dejavu-core
(installed by the project's set-up), else Bitstream Vera, which reportlab ships."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

DEJAVU_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/local/share/fonts/truetype/dejavu"),
               Path("/Library/Fonts"), Path.home() / ".fonts"]
DEJAVU = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "italic": "DejaVuSans-Oblique.ttf",
          "bolditalic": "DejaVuSans-BoldOblique.ttf"}
VERA = {"regular": "Vera.ttf", "bold": "VeraBd.ttf", "italic": "VeraIt.ttf", "bolditalic": "VeraBI.ttf"}
FAMILY = "BeatboardSans"


def _font_files() -> dict[str, Path]:
    for folder in DEJAVU_DIRS:
        files = {style: folder / name for style, name in DEJAVU.items()}
        if all(p.is_file() for p in files.values()):
            return files
    import reportlab

    folder = Path(reportlab.__file__).parent / "fonts"
    return {style: folder / name for style, name in VERA.items()}


@lru_cache(maxsize=1)
def register_fonts() -> dict[str, str]:
    """Register the family once; returns reportlab font names by style."""
    names = {}
    for style, path in _font_files().items():
        name = FAMILY if style == "regular" else f"{FAMILY}-{style}"
        pdfmetrics.registerFont(TTFont(name, str(path)))
        names[style] = name
    pdfmetrics.registerFontFamily(FAMILY, normal=names["regular"], bold=names["bold"], italic=names["italic"],
                                  boldItalic=names["bolditalic"])
    return names
