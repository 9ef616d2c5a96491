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
from .server_process import ServerProcess, check_healthy


class BoardError(RuntimeError):
    pass


DATA_DIR_VAR = "BEATBOARD_DATA_DIR"
# Blender runs the driver as a file, not ``-m beatboard...``: the interpreter may be another
# venv's (BEATBOARD_BLENDER_PYTHON) that has bpy but not this package, and putting this
# package's site-packages on its path would mix two environments.
_DRIVER = Path(__file__).with_name("headless_board.py")
_RUN_DRIVER = "import runpy, sys; runpy.run_path(sys.argv.pop(1), run_name='__main__')"


def _prepare_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise BoardError(f"--out {out_dir} is a file; name a folder (it is made if missing)")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BoardError(f"cannot make the output folder {out_dir}: {exc.strerror or exc}") from None


def server_data_dir(out_dir: Path) -> tuple[Path, str]:
    """Where the server this command starts keeps its data, and why there."""
    named = os.environ.get(DATA_DIR_VAR, "").strip()
    if named:
        return Path(named).expanduser(), f"{DATA_DIR_VAR}: its actors and castings are used"
    return out_dir / "server-data", f"inside --out; set {DATA_DIR_VAR} to use your actor store"


@dataclass
class BoardResult:
    blend: Path
    contact_sheet: Path
    summary: dict
    seconds: float


def run_board(script: Path, out_dir: Path, *, server_url: Optional[str] = None, backend: str = "",
              n: int = 6, focus: str = "", token: str = "", blend_name: str = "board.blend",
              width: int = 768, height: int = 432, server_env: Optional[dict] = None,
              block_only: bool = False, steps: int = 20, project: str = "") -> BoardResult:
    started = time.perf_counter()
    script, out_dir = Path(script), Path(out_dir)
    if not script.is_file():
        raise BoardError(f"no script at {script}")
    try:
        python = blender_python()
    except BlenderPythonError as exc:
        raise BoardError(str(exc)) from None
    _prepare_out_dir(out_dir)
    if server_url:
        if os.environ.get(DATA_DIR_VAR):
            print(f"beatboard: {DATA_DIR_VAR} is not used with --server: that server keeps its own data folder",
                  flush=True)
        try:
            check_healthy(server_url.rstrip("/"))
        except RuntimeError as exc:
            raise BoardError(f"{exc}. Start one with 'beatboard server' or leave out --server") from None
    with tempfile.TemporaryDirectory(prefix="beatboard-build-") as build_dir:
        print("beatboard: building the Blender extension", flush=True)
        extension = build_extension(Path(build_dir))  # never into the installed package's folder
        return _run_with_server(script, out_dir, extension, python, started, server_url=server_url,
                                backend=backend, n=n, focus=focus, token=token, blend_name=blend_name,
                                width=width, height=height, server_env=server_env, block_only=block_only,
                                steps=steps, project=project)


def _run_with_server(script: Path, out_dir: Path, extension: Path, python: str, started: float, *,
                     server_url: Optional[str], backend: str, n: int, focus: str, token: str, blend_name: str,
                     width: int, height: int, server_env: Optional[dict], block_only: bool,
                     steps: int, project: str = "") -> BoardResult:
    if server_url:
        server = nullcontext(None)
    else:
        data_dir, why = server_data_dir(out_dir)
        print(f"beatboard: starting the render server (data in {data_dir}, {why})", flush=True)
        server = ServerProcess(data_dir, env=server_env)
    with server as running:
        url = server_url or running.url
        print(f"beatboard: render server at {url}", flush=True)
        with tempfile.TemporaryDirectory(prefix="beatboard-blender-") as user_resources:
            env = {**os.environ, "BLENDER_USER_RESOURCES": user_resources, "PYTHONUNBUFFERED": "1"}
            command = [python, "-c", _RUN_DRIVER, str(_DRIVER), "--zip", str(extension),
                       "--script", str(script.resolve()), "--server", url, "--out", str(out_dir.resolve()),
                       "--n", str(n), "--focus", focus, "--backend", backend, "--token", token,
                       "--width", str(width), "--height", str(height), "--steps", str(steps),
                       "--project", project] + (["--block-only"] if block_only else [])
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
