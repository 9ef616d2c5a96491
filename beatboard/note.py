"""beatboard note DIR ...: a director's note on a saved board, applied headless."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path
from typing import Optional

from .extension_build import build_extension
from .paths import REPO
from .server_process import ServerProcess, wait_healthy


class NoteError(RuntimeError):
    pass


def apply_note(folder: Path, text: str, *, shot: str = "", actor: str = "", board: bool = False,
               server_url: Optional[str] = None, token: str = "", project: str = "") -> dict:
    """Open FOLDER/board.blend, apply the note through the add-on, save; the operator's summary."""
    blend = Path(folder) / "board.blend"
    if not blend.is_file():
        raise NoteError(f"no board at {blend}: make one with 'beatboard board SCRIPT --out {folder}'")
    scope = "BOARD" if board else "ACTOR" if actor else "SHOT"
    if scope == "SHOT" and not shot:
        raise NoteError("say what the note is for: --shot N, --actor NAME (with --shot for one shot) or --board")
    extension = build_extension()
    if server_url:
        try:
            wait_healthy(server_url.rstrip("/"), timeout=3.0)
        except RuntimeError as exc:
            raise NoteError(f"{exc}. Start one with 'beatboard server' or leave out --server") from None
        server = nullcontext(None)
    else:  # the server the board was rendered with keeps its data beside the .blend
        server = ServerProcess(Path(folder) / "server-data")
    try:
        return _run(server, server_url, extension, blend, scope, shot, actor, token, text, project)
    except RuntimeError as exc:  # the render server did not start
        raise NoteError(f"{exc}; see {Path(folder) / 'server-data' / 'server.log'}") from None


def _run(server, server_url, extension, blend, scope, shot, actor, token, text, project) -> dict:
    with server as running, tempfile.TemporaryDirectory(prefix="beatboard-blender-") as user_resources:
        url = server_url or running.url
        env = {**os.environ, "BLENDER_USER_RESOURCES": user_resources, "PYTHONUNBUFFERED": "1",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        command = [sys.executable, "-m", "beatboard.headless_note", "--zip", str(extension), "--blend", str(blend),
                   "--server", url, "--token", token, "--scope", scope, "--shot", shot, "--actor", actor, "--project", project, text]
        completed = subprocess.run(command, env=env, capture_output=True, text=True)
    sys.stderr.write(completed.stderr[-4000:] if completed.returncode else "")
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not lines:
        raise NoteError("Blender could not apply the note (see the messages above)")
    return json.loads(lines[-1])
