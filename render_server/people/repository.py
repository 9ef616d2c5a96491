"""The people database: ALL SQL of users, tokens, projects, members and activity lives here.

One SQLite file (``people.sqlite3`` in the data folder, WAL) opened through
storage/transactions.py; the schema is versioned by ``PRAGMA user_version`` (migrations.py).
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Optional

from ..storage.transactions import connect, immediate
from .migrations import MIGRATIONS


class PeopleRepository:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = connect(self.path, "")
        self._migrate()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        with self._lock:
            for version, sql in MIGRATIONS:
                if version > self.schema_version:
                    # executescript commits what is open; each migration is one script ending in its version
                    self._db.executescript(f"BEGIN IMMEDIATE; {sql}; PRAGMA user_version = {int(version)}; COMMIT;")

    def _rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _one(self, sql: str, params: tuple = ()) -> Optional[sqlite3.Row]:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    # -- users and tokens ----------------------------------------------------------------------
    def add_user(self, name: str, role: str, token_digest: str, default_project: str) -> bool:
        """A new user (or a revoked one made anew) with one token; False when an active user has the name."""
        now = time.time()
        with self._lock, immediate(self._db):
            row = self._db.execute("SELECT revoked_at FROM users WHERE name = ?", (name,)).fetchone()
            if row is not None and row["revoked_at"] is None:
                return False
            self._db.execute("INSERT INTO users(name, role, created_at) VALUES (?, ?, ?) ON CONFLICT(name) DO "
                             "UPDATE SET role = excluded.role, revoked_at = NULL", (name, role, now))
            self._db.execute("INSERT INTO tokens(digest, user, created_at) VALUES (?, ?, ?)", (token_digest, name, now))
            if default_project:
                self._db.execute("INSERT INTO members(project, user, role, added_at) VALUES (?, ?, ?, ?) "
                                 "ON CONFLICT(project, user) DO UPDATE SET role = excluded.role",
                                 (default_project, name, role, now))
        return True

    def users(self) -> list[sqlite3.Row]:
        return self._rows("SELECT name, role, created_at, revoked_at FROM users ORDER BY name COLLATE NOCASE")

    def user(self, name: str) -> Optional[sqlite3.Row]:
        return self._one("SELECT name, role, created_at, revoked_at FROM users WHERE name = ?", (name,))

    def active_user_count(self) -> int:
        return self._one("SELECT COUNT(*) AS n FROM users WHERE revoked_at IS NULL")["n"]

    def revoke(self, name: str) -> bool:
        now = time.time()
        with self._lock, immediate(self._db):
            changed = self._db.execute("UPDATE users SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                                       (now, name)).rowcount
            self._db.execute("UPDATE tokens SET revoked_at = ? WHERE user = ? AND revoked_at IS NULL", (now, name))
        return bool(changed)

    def user_by_token(self, token_digest: str) -> Optional[sqlite3.Row]:
        """The active user whose live token has this digest."""
        return self._one("SELECT u.name, u.role FROM tokens t JOIN users u ON u.name = t.user WHERE t.digest = ? "
                         "AND t.revoked_at IS NULL AND u.revoked_at IS NULL", (token_digest,))

    def memberships(self, user: str) -> dict[str, str]:
        return {r["project"]: r["role"] for r in self._rows("SELECT project, role FROM members WHERE user = ?", (user,))}

    # -- projects ------------------------------------------------------------------------------
    def create_project(self, name: str, created_by: str) -> Optional[str]:
        """The new project's id; None when a project has that name."""
        project_id = uuid.uuid4().hex[:12]
        try:
            with self._lock, immediate(self._db):
                self._db.execute("INSERT INTO projects(id, name, created_by, created_at) VALUES (?, ?, ?, ?)",
                                 (project_id, name, created_by, time.time()))
        except sqlite3.IntegrityError:
            return None
        return project_id

    def project(self, ref: str) -> Optional[sqlite3.Row]:
        """A project by id, else by name (case does not count)."""
        return (self._one("SELECT * FROM projects WHERE id = ?", (ref,))
                or self._one("SELECT * FROM projects WHERE name = ?", (ref,)))

    def projects(self) -> list[sqlite3.Row]:
        return self._rows("SELECT * FROM projects ORDER BY created_at, name")

    def set_member(self, project: str, user: str, role: str) -> None:
        with self._lock, immediate(self._db):
            self._db.execute("INSERT INTO members(project, user, role, added_at) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT(project, user) DO UPDATE SET role = excluded.role",
                             (project, user, role, time.time()))

    def remove_member(self, project: str, user: str) -> bool:
        with self._lock, immediate(self._db):
            return bool(self._db.execute("DELETE FROM members WHERE project = ? AND user = ?", (project, user)).rowcount)

    def members(self, project: str) -> list[sqlite3.Row]:
        return self._rows("SELECT m.user, m.role FROM members m JOIN users u ON u.name = m.user "
                          "WHERE m.project = ? AND u.revoked_at IS NULL ORDER BY m.user", (project,))

    # -- activity ------------------------------------------------------------------------------
    def record(self, project: str, user: str, action: str, target: str) -> None:
        with self._lock, immediate(self._db):
            self._db.execute("INSERT INTO activity(project, user, action, target, at) VALUES (?, ?, ?, ?, ?)",
                             (project, user, action, target, time.time()))

    def activity(self, project: str, limit: int) -> list[sqlite3.Row]:
        return self._rows("SELECT id, user, action, target, at FROM activity WHERE project = ? "
                          "ORDER BY id DESC LIMIT ?", (project, limit))
