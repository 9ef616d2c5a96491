"""``beatboard export``: the board in DIR/board.blend out to every hand-off format.

Blender (a bpy subprocess, through the installed add-on) gathers the board once and makes
what only Blender can (cameras through its USD and FBX exporters, the animatic through its
sequencer); this process then writes the documents from the gathered board with the
libraries Blender does not have (reportlab, OpenTimelineIO and its adapters)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from blender_addon.core.board_model import Board

from ..paths import REPO

KINDS = ("pdf", "shotlist", "animatic", "otio", "edl", "fcp7", "cameras")
DOCUMENT_KINDS = ("pdf", "shotlist", "otio", "edl", "fcp7")


class ExportError(RuntimeError):
    pass


@dataclass
class ExportOptions:
    kinds: tuple[str, ...] = KINDS
    layout: str = "3x2"
    page_size: str = "A4"
    watermark: str = ""
    version: str = ""


@dataclass
class ExportResult:
    files: dict[str, list[Path]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def export_documents(board: Board, out: Path, options: ExportOptions,
                     progress: Callable[[float, str], None] = lambda f, s: None) -> ExportResult:
    """The exports that need no Blender: PDF sheets, shot list, OTIO / EDL / FCP7 XML."""
    from .pdf_sheets import SheetOptions, write_sheets
    from .shotlist import write_csv, write_pdf
    from .timeline import write_timeline

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stem = board.file_stem
    result = ExportResult()
    steps = [k for k in DOCUMENT_KINDS if k in options.kinds]
    for n, kind in enumerate(steps):
        progress(n / max(1, len(steps)), f"writing {kind}")
        started = time.perf_counter()
        if kind == "pdf":
            sheet = SheetOptions(layout=options.layout, page_size=options.page_size, watermark=options.watermark,
                                 version=options.version)
            files = [write_sheets(board, out / f"{stem}_storyboard.pdf", sheet)]
        elif kind == "shotlist":
            files = [write_csv(board, out / f"{stem}_shotlist.csv"),
                     write_pdf(board, out / f"{stem}_shotlist.pdf", options.page_size, options.version)]
        else:
            suffix = {"otio": ".otio", "edl": ".edl", "fcp7": ".xml"}[kind]
            files = [write_timeline(board, out / f"{stem}{suffix}")]
        result.files[kind] = files
        result.timings[kind] = time.perf_counter() - started
    progress(1.0, "documents written")
    return result


def _run_blender(blend: Path, out: Path, gathered: Path, options: ExportOptions, animatic: Optional[Path]) -> dict:
    from ..extension_build import build_extension

    extension = build_extension()
    with tempfile.TemporaryDirectory(prefix="beatboard-blender-") as user_resources:
        env = {**os.environ, "BLENDER_USER_RESOURCES": user_resources, "PYTHONUNBUFFERED": "1",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        command = [sys.executable, "-m", "beatboard.export.headless", "--zip", str(extension),
                   "--blend", str(blend), "--out", str(out), "--gathered", str(gathered),
                   "--version", options.version]
        if "cameras" in options.kinds:
            command.append("--cameras")
        if animatic is not None:
            command += ["--animatic", str(animatic)]
        timings: dict = {}
        with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as process:
            for line in process.stdout:
                if line.startswith("BEATBOARD_TIMINGS "):
                    timings = json.loads(line.split(" ", 1)[1])
                elif line.startswith("beatboard"):
                    print(line, end="", flush=True)
        if process.returncode != 0:
            raise ExportError("Blender could not export the board (see the messages above)")
    return timings


def export_board(folder: Path, out: Optional[Path] = None, options: Optional[ExportOptions] = None,
                 gathered: Optional[Path] = None,
                 progress: Callable[[float, str], None] = lambda f, s: None) -> ExportResult:
    options = options or ExportOptions()
    unknown = set(options.kinds) - set(KINDS)
    if unknown:
        raise ExportError(f"unknown export kind(s) {', '.join(sorted(unknown))}: use {', '.join(KINDS)}")
    folder = Path(folder)
    out = Path(out) if out else folder / "export"
    out.mkdir(parents=True, exist_ok=True)
    result = ExportResult()
    if gathered is not None:  # Blender already gathered the board (the add-on's Export button)
        if set(options.kinds) - set(DOCUMENT_KINDS):
            raise ExportError("with --gathered only the documents can be written: pdf, shotlist, otio, edl, fcp7")
        try:
            board = Board.read(gathered)
        except (OSError, ValueError) as exc:
            raise ExportError(f"{gathered}: {exc}") from None
    else:
        blend = folder / "board.blend"
        if not blend.is_file():
            raise ExportError(f"no board at {blend}: make one with 'beatboard board SCRIPT --out {folder}'")
        gathered_path = out / "board_export.json"
        started = time.perf_counter()
        # The movie's name needs the title, known only after the gather: it is renamed below.
        animatic = out / "animatic.mp4" if "animatic" in options.kinds else None
        blender_timings = _run_blender(blend, out, gathered_path, options, animatic)
        board = Board.read(gathered_path)
        result.timings.update(blender_timings)
        result.timings["blender (wall)"] = time.perf_counter() - started
        if animatic is not None:
            named = out / f"{board.file_stem}_animatic.mp4"
            animatic.replace(named)
            result.files["animatic"] = [named]
        if "cameras" in options.kinds:
            result.files["cameras"] = sorted((out / "cameras").iterdir())
    documents = export_documents(board, out, options, progress)
    result.files.update(documents.files)
    result.timings.update(documents.timings)
    return result
