"""Versioned schema of the people database (people.sqlite3). Append a migration; never edit a shipped one."""

from __future__ import annotations

DEFAULT_PROJECT = "default"

MIGRATIONS: list[tuple[int, str]] = [
    (1, f"""
    CREATE TABLE users (
        name TEXT PRIMARY KEY COLLATE NOCASE,
        role TEXT NOT NULL,              -- admin, director, artist, viewer, worker
        created_at REAL NOT NULL,
        revoked_at REAL                  -- set: the user's tokens no longer open anything
    );
    -- Only SHA-256 digests of tokens: the database never holds a token itself.
    CREATE TABLE tokens (
        digest TEXT PRIMARY KEY,
        user TEXT NOT NULL REFERENCES users(name),
        created_at REAL NOT NULL,
        revoked_at REAL
    );
    CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_by TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL
    );
    CREATE TABLE members (
        project TEXT NOT NULL REFERENCES projects(id),
        user TEXT NOT NULL REFERENCES users(name),
        role TEXT NOT NULL,
        added_at REAL NOT NULL,
        PRIMARY KEY (project, user)
    );
    -- Every write, with who made it.
    CREATE TABLE activity (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project TEXT NOT NULL,
        user TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        at REAL NOT NULL
    );
    CREATE INDEX activity_project ON activity(project, id);
    INSERT INTO projects(id, name, created_by, created_at) VALUES ('{DEFAULT_PROJECT}', '{DEFAULT_PROJECT}', '', 0);
    """),
]
