"""Start and stop a real redis-server (free loopback port, its own data folder, append-only on so
a restart keeps the queued messages) and real `beatboard worker` processes: for the team-mode
tests and bench/pool_bench.py."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

from .server_process import free_port

REDIS = shutil.which("redis-server")


class RedisProcess:
    def __init__(self, data_dir: Path, port: Optional[int] = None):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> "RedisProcess":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.data_dir),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no",
             "--logfile", str(self.data_dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_timeout=1).ping():
                    return self
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not start on port {self.port} (see {self.data_dir / 'redis.log'})")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: redis writes its append-only file and exits
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def restart(self, lose_data: bool = False) -> "RedisProcess":
        """Stop and start on the same port; ``lose_data``: start empty, as a machine that lost its disk."""
        self.stop()
        if lose_data:
            for path in self.data_dir.iterdir():
                if path.name != "redis.log":
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
        return self.start()


class WorkerProcess:
    """``beatboard worker`` in its own process group (a SIGKILL takes its pool processes too)."""

    def __init__(self, server_url: str, log_path: Path, queues: str = "render.previs", env: Optional[dict] = None,
                 concurrency: int = 1):
        self.server_url, self.log_path, self.queues = server_url, Path(log_path), queues
        self.env, self.concurrency = env or {}, concurrency
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> "WorkerProcess":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        data = self.log_path.with_suffix(".data")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "beatboard.cli", "worker", "--server", self.server_url, "--queues", self.queues,
             "--concurrency", str(self.concurrency)],
            env={**os.environ, "BEATBOARD_WORKER_DATA_DIR": str(data), **self.env}, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        return self

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
