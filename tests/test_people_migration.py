"""A data folder written by Beatboard 1.2 (before projects; tests/data/legacy_1_2, made by
tests/data/make_legacy_data.py with that release's code) opened by today's server: everything
moves into the default project, once."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import httpx

from beatboard.server_process import ServerProcess
from render_server.actors.migrations import MIGRATIONS as ACTOR_MIGRATIONS
from render_server.actors.store import ActorStore
from render_server.boards import BoardRepository
from render_server.people import PeopleRepository
from render_server.storage.job_store import JobStore

LEGACY = Path(__file__).parent / "data" / "legacy_1_2"


def test_a_1_2_data_folder_moves_into_the_default_project(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(LEGACY, data)
    with sqlite3.connect(data / "boards.sqlite3") as db:
        (board_id, label), = db.execute("SELECT id, project FROM boards").fetchall()
    assert label == "ferry.blend"  # 1.2 kept the .blend's name there
    with ServerProcess(data) as server:
        api = httpx.Client(base_url=server.url, timeout=30)
        assert [p["id"] for p in api.get("/v1/projects").json()] == ["default"]
        board = api.get(f"/v1/boards/{board_id}").json()
        assert board["project"] == "default"
        shot = board["shots"][0]
        assert [n["text"] for n in shot["notes"]] == ["wider"] and shot["pick_job"]
        jobs = api.get("/v1/jobs").json()
        assert len(jobs) == 1 and jobs[0]["project"] == "default" and jobs[0]["state"] == "DONE"
        assert shot["takes"][0]["job_id"] == jobs[0]["id"]
        assert api.get(jobs[0]["frames"][0]["url"]).headers["content-type"] == "image/png"
        castings = api.get("/v1/castings").json()
        assert [(c["character"], c["project"]) for c in castings] == [("MARA", "default")]
        actor = api.get(f"/v1/actors/{castings[0]['actor_id']}").json()
        assert actor["project"] == "" and actor["cast_as"] == ["MARA"]  # studio-wide, as every 1.2 actor
        # A new project sees the studio-wide actor, but none of the default project's castings.
        other = api.post("/v1/projects", json={"name": "Second"}).json()["id"]
        assert api.get(f"/v1/castings?project={other}").json() == []
        assert actor["id"] in {a["id"] for a in api.get(f"/v1/actors?project={other}").json()}
    # Opened again, nothing is migrated twice.
    versions = {}
    for name, opener in (("boards", BoardRepository), ("actors", ActorStore), ("people", PeopleRepository)):
        store = opener(data / f"{name}.sqlite3")
        versions[name] = store.schema_version if hasattr(store, "schema_version") else None
        store.close()
    assert versions["actors"] == ACTOR_MIGRATIONS[-1][0] and versions["people"] == 1
    jobs = JobStore(data / "jobs.sqlite3")
    assert [j.project for j in jobs.list()] == ["default"]
    jobs.close()
    with sqlite3.connect(data / "boards.sqlite3") as db:
        assert db.execute("SELECT project, label FROM boards").fetchall() == [("default", "ferry.blend")]
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    with sqlite3.connect(data / "jobs.sqlite3") as db:
        assert db.execute("SELECT DISTINCT project FROM jobs").fetchall() == [("default",)]
