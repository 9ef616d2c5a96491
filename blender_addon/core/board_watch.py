"""Follow a board on the server from a worker thread: long-poll its revision, and when anyone's
note, take or pick changes it, fetch the board for the main thread to show.

bpy-free: the thread does HTTP only and hands boards over through a queue; the add-on drains
the queue on Blender's main thread (a timer) and is the only one that touches Blender data.
"""

from __future__ import annotations

import queue
import threading
from typing import Optional

from .client import ServerClient, ServerError

WAIT_S = 20.0  # one long-poll; the server holds it up to 25 s
RETRY_S = 3.0  # after an error (server restarting, network), try again this much later


class BoardWatch:
    def __init__(self, client: ServerClient, board_id: str, revision: int = 0, wait: float = WAIT_S):
        self.client = client
        self.wait = wait  # one long-poll; stop() takes effect when the one in flight returns
        self.board_id = board_id
        self.revision = revision
        self.updates: "queue.Queue" = queue.Queue()  # wire.Board, or a ServerError to report
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def start(self) -> "BoardWatch":
        self._thread = threading.Thread(target=self._run, name=f"beatboard-watch-{self.board_id}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                changes = self.client.board_changes(self.board_id, self.revision, wait=self.wait)
                if self._stop.is_set():
                    return
                if changes.changed:
                    self.revision = changes.revision
                    self.updates.put(self.client.board(self.board_id))
            except ServerError as exc:
                self.updates.put(exc)
                if exc.status in (401, 403, 404):
                    return  # revoked, no longer a member, or the board is gone: nothing more to follow
                self._stop.wait(RETRY_S)

    def drain(self) -> list:
        """Everything the thread fetched since the last call (main thread)."""
        out = []
        while True:
            try:
                out.append(self.updates.get_nowait())
            except queue.Empty:
                return out
