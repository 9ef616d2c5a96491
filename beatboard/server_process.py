"""Start and stop a real render server (uvicorn in its own process) on a free port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Optional

STARTUP_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, timeout: float = STARTUP_TIMEOUT_S, process: Optional[subprocess.Popen] = None) -> dict:
    deadline = time.monotonic() + timeout
    last_error = ""
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the render server exited with code {process.returncode} while starting")
        try:
            with urllib.request.urlopen(f"{url}/v1/health", timeout=1.0) as response:
                return json.loads(response.read())
        except OSError as exc:
            last_error = str(exc)
            time.sleep(0.1)
    raise RuntimeError(f"the render server at {url} did not answer within {timeout:.0f} s ({last_error})")


def check_healthy(url: str, timeout: float = 3.0) -> dict:
    """One health request to a server that should already be running: no retries, so a wrong
    address is said at once rather than after a start-up's worth of polling."""
    try:
        with urllib.request.urlopen(f"{url}/v1/health", timeout=timeout) as response:
            return json.loads(response.read())
    except OSError as exc:
        reason = getattr(exc, "reason", None) or exc
        raise RuntimeError(f"no Beatboard server answers at {url} ({reason})") from None
    except ValueError:
        raise RuntimeError(f"{url} answers, but not as a Beatboard server (its /v1/health is not JSON)") from None


class ServerProcess:
    """``with ServerProcess(data_dir) as server: server.url`` - stopped on exit, even on errors."""

    def __init__(self, data_dir: Path, port: Optional[int] = None, env: Optional[dict] = None,
                 log_path: Optional[Path] = None):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_env = env or {}
        self.log_path = log_path or self.data_dir / "server.log"
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> "ServerProcess":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "BEATBOARD_DATA_DIR": str(self.data_dir), **self.extra_env}
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "render_server", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        try:
            wait_healthy(self.url, process=self.process)
        except BaseException:  # not up in time: stop it, or it outlives the command that started it
            self.stop()
            raise
        return self

    def kill(self) -> None:
        """SIGKILL: the crash a user's machine may do to us."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
