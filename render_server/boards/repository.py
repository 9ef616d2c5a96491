"""Boards, their shots, takes and notes in one SQLite file (WAL), beside the job database.

Takes are jobs: this file records which board and shot a job belongs to and the note that
asked for it; the job itself (state, frames, request) stays in the job store.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Optional

from shared_schema import Beat, FeedbackScope, Note, NoteChange, dumps, from_dict, loads

from ..storage.transactions import connect, write_all

_SCHEMA = """
CREATE TABLE IF NOT EXISTS boards (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL DEFAULT '',
    script_digest TEXT NOT NULL DEFAULT '',
    project TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS shots (
    board_id TEXT NOT NULL REFERENCES boards(id),
    number TEXT NOT NULL,
    position INTEGER NOT NULL,
    beat TEXT,
    pick_job TEXT NOT NULL DEFAULT '',
    pick_frame INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (board_id, number)
);
CREATE TABLE IF NOT EXISTS takes (
    job_id TEXT PRIMARY KEY,
    board_id TEXT NOT NULL REFERENCES boards(id),
    shot_number TEXT NOT NULL,
    parent_job_id TEXT NOT NULL DEFAULT '',
    note_id TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS takes_shot ON takes(board_id, shot_number, created_at);
CREATE TABLE IF NOT EXISTS notes (
    id TEXT PRIMARY KEY,
    board_id TEXT NOT NULL REFERENCES boards(id),
    scope TEXT NOT NULL,
    shot_number TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL DEFAULT '',
    all_shots INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL,
    change TEXT NOT NULL,
    shots TEXT NOT NULL DEFAULT '[]',
    active INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL,
    removed_at REAL
);
CREATE INDEX IF NOT EXISTS notes_board ON notes(board_id, active, created_at);
CREATE TABLE IF NOT EXISTS take_feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    frame_ref TEXT NOT NULL,
    job_id TEXT NOT NULL,
    note_id TEXT NOT NULL DEFAULT '',
    rating INTEGER NOT NULL DEFAULT 0,
    verdict TEXT NOT NULL DEFAULT 'NONE',
    picked INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
"""

# Changes after the first schema above, by ``PRAGMA user_version``. Append; never edit a shipped one.
_MIGRATIONS: list[tuple[int, str]] = [
    (1, """
    -- 1.3, projects: every board belongs to a project. Before, ``project`` held the .blend's file
    -- name (a label); it moves to ``label`` and every existing board into the default project.
    ALTER TABLE boards ADD COLUMN label TEXT NOT NULL DEFAULT '';
    UPDATE boards SET label = project, project = 'default';
    CREATE INDEX boards_project ON boards(project);
    -- Who gave each note and rendered each take; a revision that grows with every change, for
    -- clients that wait for a board to change.
    ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT '';
    ALTER TABLE takes ADD COLUMN author TEXT NOT NULL DEFAULT '';
    ALTER TABLE boards ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
    """),
]


class BoardRepository:
    def __init__(self, path: Path):
        self._lock = threading.Lock()
        self._db = connect(path, _SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        for version, sql in _MIGRATIONS:
            if version > self._db.execute("PRAGMA user_version").fetchone()[0]:
                self._db.executescript(f"BEGIN IMMEDIATE; {sql}; PRAGMA user_version = {int(version)}; COMMIT;")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, statements: list[tuple[str, tuple]]) -> None:
        with self._lock:
            write_all(self._db, statements)

    @staticmethod
    def _bump(board_id: str) -> tuple[str, tuple]:
        return ("UPDATE boards SET revision = revision + 1 WHERE id = ?", (board_id,))

    def revision(self, board_id: str) -> int:
        rows = self._rows("SELECT revision FROM boards WHERE id = ?", (board_id,))
        return rows[0]["revision"] if rows else 0

    def boards_in(self, project: str) -> list[sqlite3.Row]:
        return self._rows("SELECT id, title, project, created_at FROM boards WHERE project = ? ORDER BY created_at",
                          (project,))

    def _rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # -- boards and shots --------------------------------------------------------------------
    def create_board(self, title: str, script_digest: str, project: str,
                     shots: list[tuple[str, Optional[Beat]]]) -> str:
        board_id = uuid.uuid4().hex[:12]
        self._write([("INSERT INTO boards(id, title, script_digest, project, created_at) VALUES (?, ?, ?, ?, ?)",
                      (board_id, title, script_digest, project, time.time()))]
                    + [self._shot_sql(board_id, number, position, beat) for position, (number, beat) in enumerate(shots)])
        return board_id

    @staticmethod
    def _shot_sql(board_id: str, number: str, position: int, beat: Optional[Beat]) -> tuple[str, tuple]:
        return ("INSERT INTO shots(board_id, number, position, beat) VALUES (?, ?, ?, ?) ON CONFLICT(board_id, number) "
                "DO UPDATE SET position = excluded.position, beat = COALESCE(excluded.beat, beat)",
                (board_id, number, position, dumps(beat) if beat else None))

    def board(self, board_id: str) -> Optional[sqlite3.Row]:
        rows = self._rows("SELECT * FROM boards WHERE id = ?", (board_id,))
        return rows[0] if rows else None

    def shots(self, board_id: str) -> list[tuple[str, int, Optional[Beat], str, int]]:
        return [(r["number"], r["position"], loads(Beat, r["beat"]) if r["beat"] else None, r["pick_job"],
                 r["pick_frame"]) for r in self._rows("SELECT * FROM shots WHERE board_id = ? ORDER BY position",
                                                      (board_id,))]

    def ensure_shot(self, board_id: str, number: str) -> None:
        rows = self._rows("SELECT 1 FROM shots WHERE board_id = ? AND number = ?", (board_id, number))
        if not rows:
            position = len(self._rows("SELECT 1 FROM shots WHERE board_id = ?", (board_id,)))
            self._write([self._shot_sql(board_id, number, position, None)])

    def set_beat(self, board_id: str, number: str, beat: Beat) -> None:
        self._write([("UPDATE shots SET beat = ? WHERE board_id = ? AND number = ?", (dumps(beat), board_id, number))])

    def set_pick(self, board_id: str, number: str, job_id: str, frame: int) -> None:
        self._write([("UPDATE shots SET pick_job = ?, pick_frame = ? WHERE board_id = ? AND number = ?",
                      (job_id, frame, board_id, number)), self._bump(board_id)])

    # -- takes -------------------------------------------------------------------------------
    def add_take(self, board_id: str, shot_number: str, job_id: str, parent_job_id: str, note_id: str,
                 note: str, author: str = "") -> None:
        self._write([("INSERT OR IGNORE INTO takes(job_id, board_id, shot_number, parent_job_id, note_id, note, "
                      "created_at, author) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      (job_id, board_id, shot_number, parent_job_id, note_id, note, time.time(), author)),
                     self._bump(board_id)])

    def takes(self, board_id: str) -> list[sqlite3.Row]:
        return self._rows("SELECT * FROM takes WHERE board_id = ? ORDER BY created_at", (board_id,))

    def take(self, job_id: str) -> Optional[sqlite3.Row]:
        rows = self._rows("SELECT * FROM takes WHERE job_id = ?", (job_id,))
        return rows[0] if rows else None

    # -- notes -------------------------------------------------------------------------------
    def add_note(self, board_id: str, scope: FeedbackScope, shot_number: str, actor: str, all_shots: bool,
                 text: str, change: NoteChange, shots: list[str], author: str = "") -> Note:
        note = Note(id=uuid.uuid4().hex[:12], text=text, scope=scope, change=change, shot_number=shot_number,
                    actor=actor, all_shots=all_shots, active=True, created_at=time.time(), shots=shots, author=author)
        self._write([("INSERT INTO notes(id, board_id, scope, shot_number, actor, all_shots, text, change, shots, "
                      "active, created_at, author) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                      (note.id, board_id, scope.value, shot_number, actor, int(all_shots), text, dumps(change),
                       json.dumps(shots), note.created_at, author)), self._bump(board_id)])
        return note

    def notes(self, board_id: str, active_only: bool = True) -> list[Note]:
        sql = "SELECT * FROM notes WHERE board_id = ?" + (" AND active = 1" if active_only else "")
        return [_note(r) for r in self._rows(sql + " ORDER BY created_at", (board_id,))]

    def note(self, note_id: str) -> Optional[tuple[str, Note]]:
        rows = self._rows("SELECT * FROM notes WHERE id = ?", (note_id,))
        return (rows[0]["board_id"], _note(rows[0])) if rows else None

    def remove_note(self, note_id: str) -> None:
        self._write([("UPDATE notes SET active = 0, removed_at = ? WHERE id = ?", (time.time(), note_id)),
                     ("UPDATE boards SET revision = revision + 1 WHERE id = (SELECT board_id FROM notes WHERE id = ?)",
                      (note_id,))])

    # -- feedback on takes ---------------------------------------------------------------------
    def record_feedback(self, job_id: str, index: int, note_id: str, rating: int, verdict: str, picked: bool) -> None:
        self._write([("INSERT INTO take_feedback(frame_ref, job_id, note_id, rating, verdict, picked, created_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)",
                      (f"{job_id}/{index}", job_id, note_id, rating, verdict, int(picked), time.time()))])

    def feedback_by_note(self, note_id: str) -> list[sqlite3.Row]:
        return self._rows("SELECT * FROM take_feedback WHERE note_id = ? ORDER BY id", (note_id,))


def _note(row: sqlite3.Row) -> Note:
    return Note(id=row["id"], text=row["text"], scope=FeedbackScope(row["scope"]),
                change=loads(NoteChange, row["change"]), shot_number=row["shot_number"], actor=row["actor"],
                all_shots=bool(row["all_shots"]), active=bool(row["active"]), created_at=row["created_at"],
                shots=json.loads(row["shots"]), author=row["author"])


__all__ = ["BoardRepository", "from_dict"]
