"""Script to storyboard, headless: beats -> blocking -> render -> .blend and contact sheet."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .blender_python import BlenderPythonError, blender_python
from .contact_sheet import Panel, make_contact_sheet
from .extension_build import build_extension
from .paths import REPO
from .server_process import ServerProcess, wait_healthy


class BoardError(RuntimeError):
    pass


@dataclass
class BoardResult:
    blend: Path
    contact_sheet: Path
    summary: dict
    seconds: float


def run_board(script: Path, out_dir: Path, *, server_url: Optional[str] = None, backend: str = "",
              n: int = 6, focus: str = "", token: str = "", blend_name: str = "board.blend",
              width: int = 768, height: int = 432, server_env: Optional[dict] = None,
              block_only: bool = False, steps: int = 20) -> BoardResult:
    started = time.perf_counter()
    script, out_dir = Path(script), Path(out_dir)
    if not script.is_file():
        raise BoardError(f"no script at {script}")
    try:
        python = blender_python()
    except BlenderPythonError as exc:
        raise BoardError(str(exc)) from None
    out_dir.mkdir(parents=True, exist_ok=True)
    print("beatboard: building the Blender extension", flush=True)
    extension = build_extension()
    if server_url:
        try:
            wait_healthy(server_url.rstrip("/"), timeout=3.0)
        except RuntimeError as exc:
            raise BoardError(f"{exc}. Start one with 'beatboard server' or leave out --server") from None
        server = nullcontext(None)
    else:
        print("beatboard: starting the render server", flush=True)
        server = ServerProcess(out_dir / "server-data", env=server_env)
    with server as running:
        url = server_url or running.url
        print(f"beatboard: render server at {url}", flush=True)
        with tempfile.TemporaryDirectory(prefix="beatboard-blender-") as user_resources:
            env = {**os.environ, "BLENDER_USER_RESOURCES": user_resources, "PYTHONUNBUFFERED": "1",
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
            command = [python, "-m", "beatboard.headless_board", "--zip", str(extension),
                       "--script", str(script.resolve()), "--server", url, "--out", str(out_dir.resolve()),
                       "--n", str(n), "--focus", focus, "--backend", backend, "--token", token,
                       "--width", str(width), "--height", str(height), "--steps", str(steps)] + (["--block-only"] if block_only else [])
            completed = subprocess.run(command, env=env)
        if completed.returncode != 0:
            raise BoardError("Blender could not finish the board (see the messages above)")
    summary = json.loads((out_dir / "board.json").read_text())
    blend = out_dir / blend_name
    if blend_name != "board.blend":
        (out_dir / "board.blend").replace(blend)
        summary["blend"] = str(blend)
    panels = [Panel(s["frame"], s["number"], s["heading"], s["action"], f"{s['size'].replace('_', ' ')} "
                    f"{s['lens_mm']}mm", s["dialogue"]) for s in summary["shots"] if s["frame"]]
    if len(panels) != len(summary["shots"]):
        raise BoardError(f"only {len(panels)} of {len(summary['shots'])} shots came back with a frame")
    sheet = make_contact_sheet(panels, out_dir / "contact_sheet.png", title=summary.get("title", ""))
    return BoardResult(blend, sheet, summary, time.perf_counter() - started)


def print_timings(result: BoardResult) -> None:
    shots = max(1, len(result.summary["shots"]))
    print(f"\n{'stage':<20}{'seconds':>10}{'per shot':>12}")
    for stage, seconds in result.summary["timings"].items():
        print(f"{stage:<20}{seconds:>10.2f}{seconds / shots:>12.3f}")
    print(f"{'total (wall)':<20}{result.seconds:>10.2f}")
