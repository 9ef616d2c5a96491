"""The server's stdlib sqlite3 databases (jobs, boards): how one is opened, and one write transaction."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def connect(path: Path, schema: str) -> sqlite3.Connection:
    """A WAL database shared by the server's threads (callers hold their own lock), rows by name,
    transactions explicit (``immediate``); ``schema`` is run once (CREATE ... IF NOT EXISTS)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(schema)
    return db


@contextmanager
def immediate(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE (the write lock up front, so two writers never deadlock on an upgrade),
    COMMIT when the block ends, ROLLBACK when it raises."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def write_all(db: sqlite3.Connection, statements: list[tuple[str, tuple]]) -> None:
    """Run the statements as one transaction."""
    with immediate(db):
        for sql, params in statements:
            db.execute(sql, params)
