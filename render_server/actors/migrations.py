"""Versioned schema of the actor store. Append a migration; never edit a shipped one."""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str]] = [
    (1, """
    CREATE TABLE actors (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        description TEXT NOT NULL DEFAULT '',
        height_m REAL NOT NULL DEFAULT 1.75,
        color TEXT NOT NULL DEFAULT '[0.8, 0.8, 0.8]',
        prompt_hints TEXT NOT NULL DEFAULT '[]',
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE reference_images (
        id INTEGER PRIMARY KEY,
        actor_id TEXT NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        added_at REAL NOT NULL
    );
    -- Every embedding, whatever its model: the vector itself lives in vec_<dim>.
    CREATE TABLE embeddings (
        id INTEGER PRIMARY KEY,
        actor_id TEXT REFERENCES actors(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('image', 'text')),
        source TEXT NOT NULL,           -- reference, description, approved, rejected, frame
        ref TEXT NOT NULL DEFAULT '',   -- what it came from: an image path, a job/frame id
        model TEXT NOT NULL,
        dim INTEGER NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX embeddings_actor ON embeddings(actor_id, kind, source);
    -- The actor's profile vector, one row per update, newest last: the trajectory.
    CREATE TABLE profile_history (
        id INTEGER PRIMARY KEY,
        actor_id TEXT NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,
        cause TEXT NOT NULL,            -- init, approved, rejected
        ref TEXT NOT NULL DEFAULT '',
        rate REAL NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    CREATE INDEX profile_history_actor ON profile_history(actor_id, model, id);
    CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        actor_id TEXT NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        shot TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL
    );
    CREATE TABLE ratings (
        id INTEGER PRIMARY KEY,
        actor_id TEXT REFERENCES actors(id) ON DELETE CASCADE,
        frame_ref TEXT NOT NULL,
        rating INTEGER NOT NULL,
        verdict TEXT NOT NULL DEFAULT 'NONE',
        created_at REAL NOT NULL
    );
    CREATE TABLE lora_versions (
        id INTEGER PRIMARY KEY,
        actor_id TEXT NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        path TEXT NOT NULL,
        base_model TEXT NOT NULL,
        steps INTEGER NOT NULL,
        source_frames TEXT NOT NULL DEFAULT '[]',
        metrics TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL DEFAULT 'candidate',  -- candidate, active, kept_aside
        created_at REAL NOT NULL,
        UNIQUE (actor_id, version)
    );
    """),
    (2, """
    CREATE INDEX embeddings_ref ON embeddings(ref, source);
    -- Director feedback on whole frames: what the reward model learns from.
    CREATE TABLE frame_feedback (
        id INTEGER PRIMARY KEY,
        frame_ref TEXT NOT NULL,        -- job_id/frame_index
        job_id TEXT NOT NULL,           -- variations of one job compete with each other
        embedding_id INTEGER NOT NULL,
        rating INTEGER NOT NULL DEFAULT 0,
        verdict TEXT NOT NULL DEFAULT 'NONE',
        picked INTEGER NOT NULL DEFAULT 0,
        updated_at REAL NOT NULL,
        UNIQUE (frame_ref)
    );
    -- Which stored actor plays a script character; shared by every project.
    CREATE TABLE castings (
        character TEXT PRIMARY KEY COLLATE NOCASE,
        actor_id TEXT NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
        updated_at REAL NOT NULL
    );
    -- A note that became a standing prompt hint is not counted again.
    ALTER TABLE notes ADD COLUMN promoted INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE notes ADD COLUMN scope TEXT NOT NULL DEFAULT 'ACTOR';
    CREATE TABLE reward_models (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL,
        model TEXT NOT NULL,            -- the embedding model it scores
        pairs INTEGER NOT NULL,
        metrics TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL
    );
    """),
    (3, """
    -- Feedback retried by a client changes nothing: one rating row per actor and frame,
    -- and a note given on a frame is kept once.
    DELETE FROM ratings WHERE id NOT IN (SELECT MAX(id) FROM ratings GROUP BY actor_id, frame_ref);
    CREATE UNIQUE INDEX ratings_once_per_frame ON ratings(actor_id, frame_ref);
    ALTER TABLE notes ADD COLUMN frame_ref TEXT NOT NULL DEFAULT '';
    CREATE UNIQUE INDEX notes_once_per_frame ON notes(actor_id, frame_ref, text) WHERE frame_ref != '';
    """),
    (4, """
    -- 1.3, projects. Actors stay in the studio-wide library (project '') unless made private to one
    -- project. Castings, frame judgements, ratings and reward models belong to a project; what a
    -- single-user folder holds moves into the default project.
    ALTER TABLE actors ADD COLUMN project TEXT NOT NULL DEFAULT '';
    CREATE TABLE castings_by_project (
        project TEXT NOT NULL,
        character TEXT NOT NULL COLLATE NOCASE,
        actor_id TEXT NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
        updated_at REAL NOT NULL,
        PRIMARY KEY (project, character)
    );
    INSERT INTO castings_by_project(project, character, actor_id, updated_at)
        SELECT 'default', character, actor_id, updated_at FROM castings;
    DROP TABLE castings;
    ALTER TABLE castings_by_project RENAME TO castings;
    ALTER TABLE frame_feedback ADD COLUMN project TEXT NOT NULL DEFAULT 'default';
    ALTER TABLE ratings ADD COLUMN project TEXT NOT NULL DEFAULT 'default';
    ALTER TABLE reward_models ADD COLUMN project TEXT NOT NULL DEFAULT 'default';
    """),    (5, """
    -- 1.3, no existence leaks: an actor's name is unique among the actors one project can see (the
    -- studio library and its own private ones), not across the server, so a name taken by another
    -- production's private actor is free here; the services refuse a clash with a visible one.
    -- Notes and standing prompt hints belong to a project: a studio-wide actor noted in one
    -- production keeps its look elsewhere. Existing notes and hints move into the default project
    -- (a private actor's into its own project).
    CREATE TABLE actors_new (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL COLLATE NOCASE,
        description TEXT NOT NULL DEFAULT '',
        height_m REAL NOT NULL DEFAULT 1.75,
        color TEXT NOT NULL DEFAULT '[0.8, 0.8, 0.8]',
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        project TEXT NOT NULL DEFAULT '',
        UNIQUE (project, name)
    );
    CREATE TABLE prompt_hints (
        actor_id TEXT NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
        project TEXT NOT NULL,
        hints TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (actor_id, project)
    );
    INSERT INTO prompt_hints(actor_id, project, hints)
        SELECT id, CASE project WHEN '' THEN 'default' ELSE project END, prompt_hints FROM actors
        WHERE prompt_hints != '[]';
    INSERT INTO actors_new(id, name, description, height_m, color, created_at, updated_at, project)
        SELECT id, name, description, height_m, color, created_at, updated_at, project FROM actors;
    DROP TABLE actors;
    ALTER TABLE actors_new RENAME TO actors;
    ALTER TABLE notes ADD COLUMN project TEXT NOT NULL DEFAULT 'default';
    UPDATE notes SET project = (SELECT a.project FROM actors a WHERE a.id = notes.actor_id)
        WHERE actor_id IN (SELECT id FROM actors WHERE project != '');
    CREATE INDEX notes_actor_project ON notes(actor_id, project);
"""),
]
