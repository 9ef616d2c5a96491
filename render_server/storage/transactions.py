"""One write transaction on a stdlib sqlite3 connection opened with isolation_level=None."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Iterator


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
