"""One server per data folder: an OS lock on DATA_DIR/server.lock, held for the server's life.

A second server on the same folder would requeue the first one's running job at start-up and
render it twice. flock is released by the kernel when the holder dies, even by SIGKILL, so a
crashed server never leaves a stale lock. The file also says who holds it (pid, host, port).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

try:
    import fcntl
except ImportError:  # Windows: no flock; the server runs unguarded there
    fcntl = None

LOCK_NAME = "server.lock"


class DataDirBusy(RuntimeError):
    def __init__(self, data_dir: Path, holder: dict):
        self.data_dir = data_dir
        self.holder = holder
        where = f"port {holder.get('port', '?')}" + (f" on {holder['host']}" if holder.get("host") else "")
        super().__init__(
            f"another Beatboard server (PID {holder.get('pid', '?')}, {where}) is already using the data "
            f"folder {data_dir}. Stop it first, or give this one its own folder with BEATBOARD_DATA_DIR.")


class DataDirLock:
    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / LOCK_NAME
        self._fd: Optional[int] = None

    def holder(self) -> dict:
        try:
            return json.loads(self.path.read_text() or "{}")
        except (OSError, ValueError):
            return {}

    def acquire(self, host: str = "", port: int = 0) -> "DataDirLock":
        """Take the lock or raise DataDirBusy naming the server that holds it."""
        if fcntl is None:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Opened without truncating: the holder's details stay readable until we own the lock.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DataDirBusy(self.data_dir, self.holder()) from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "host": host, "port": port}).encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def check_free(self) -> None:
        """Raise DataDirBusy if another server holds the folder; hold nothing afterwards."""
        self.acquire().release()

    def __enter__(self) -> "DataDirLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
