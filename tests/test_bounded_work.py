"""Cheap requests stay cheap: deleting jobs, gc, the prompt stored once, waits that wake on events."""

import asyncio
import os
import sqlite3
import threading
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

import shared_schema as wire
from beatboard.cli import main as cli
from render_server.app import create_app
from render_server.backends.base import RenderContext
from render_server.backends.previs import PrevisBackend
from render_server.services.job_cleanup import parse_age
from render_server.settings import Settings
from render_server.storage.job_store import JobStore
from tests.server_helpers import label_mask, render_request


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def client(data_dir):
    with TestClient(create_app(Settings(data_dir=data_dir, previs_step_delay_s=0.05))) as c:
        yield c


def _wait_state(client, job_id: str, states, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["state"] in states:
            return job
        time.sleep(0.03)
    raise AssertionError(f"job {job_id} never reached {states}")


def test_a_finished_job_is_deleted_with_its_frames(client, data_dir):
    job_id = client.post("/v1/jobs", json=wire.to_dict(render_request(variations=2))).json()["id"]
    assert _wait_state(client, job_id, {"DONE"})["frames"]
    assert (data_dir / "frames" / job_id / "1.png").exists()
    assert client.delete(f"/v1/jobs/{job_id}").status_code == 204
    assert not (data_dir / "frames" / job_id).exists()
    assert client.get(f"/v1/jobs/{job_id}").status_code == 404
    assert client.get(f"/v1/jobs/{job_id}/events").status_code == 404
    assert client.delete(f"/v1/jobs/{job_id}").status_code == 404


def test_a_running_job_is_deleted_only_after_cancel(client):
    job_id = client.post("/v1/jobs", json=wire.to_dict(render_request(variations=16))).json()["id"]
    _wait_state(client, job_id, {"RUNNING"})
    refused = client.delete(f"/v1/jobs/{job_id}")
    assert refused.status_code == 409 and "cancel" in refused.json()["hint"]
    client.post(f"/v1/jobs/{job_id}/cancel")
    _wait_state(client, job_id, {"CANCELLED"})
    assert client.delete(f"/v1/jobs/{job_id}").status_code == 204


def test_the_prompt_is_stored_once_per_job_not_per_frame_or_event(client, data_dir):
    prompt = " ".join(f"storm{i}" for i in range(430))  # about 3,700 characters: near the cap
    job_id = client.post("/v1/jobs", json=wire.to_dict(render_request(variations=4, prompt=prompt))).json()["id"]
    job = _wait_state(client, job_id, {"DONE"})
    events = client.get(f"/v1/jobs/{job_id}/events").json()["events"]
    # Clients still see the prompt (as the server's prompt builder composed it) on every frame ...
    composed = job["frames"][0]["prompt"]
    assert prompt in composed
    assert [f["prompt"] for f in job["frames"]] == [composed] * 4
    assert [e["frame"]["prompt"] for e in events if e["kind"] == "FRAME"] == [composed] * 4
    # ... but the database holds it once.
    db = sqlite3.connect(data_dir / "jobs.sqlite3")
    stored = db.execute("SELECT request, frames FROM jobs WHERE id = ?", (job_id,)).fetchone()
    event_frames = db.execute("SELECT frame FROM events WHERE job_id = ? AND frame IS NOT NULL", (job_id,)).fetchall()
    db.close()
    copies = stored[0].count(prompt) + stored[1].count(prompt) + sum(f[0].count(prompt) for f in event_frames)
    assert copies == 1 and len(event_frames) == 4


def test_gc_frees_finished_jobs_older_than_the_age_and_keeps_the_rest(tmp_path, capsys):
    settings = Settings(data_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        old = client.post("/v1/jobs", json=wire.to_dict(render_request())).json()["id"]
        _wait_state(client, old, {"DONE"})
        fresh = client.post("/v1/jobs", json=wire.to_dict(render_request())).json()["id"]
        _wait_state(client, fresh, {"DONE"})
    db = sqlite3.connect(settings.db_path)
    month_ago = time.time() - 31 * 86400
    db.execute("UPDATE jobs SET updated_at = ? WHERE id = ?", (month_ago, old))
    db.commit()
    db.close()
    orphan = settings.frames_dir / "deadbeef00000000"
    orphan.mkdir()
    (orphan / "0.png").write_bytes(b"x" * 1000)
    os.utime(orphan, (month_ago, month_ago))

    assert cli(["gc", "--older-than", "30d", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "deleted 1 job(s) and 1 orphaned frame folder(s)" in out
    store = JobStore(settings.db_path)
    assert store.get(old) is None and store.get(fresh) is not None
    store.close()
    assert not (settings.frames_dir / old).exists() and (settings.frames_dir / fresh / "0.png").exists()
    assert not orphan.exists()
    assert cli(["gc", "--older-than", "soon", "--data-dir", str(tmp_path)]) == 2
    assert "30d" in capsys.readouterr().err


def test_ages_read_as_people_write_them():
    assert parse_age("30d") == 30 * 86400 and parse_age("12h") == 43200 and parse_age("90m") == 5400
    assert parse_age("45") == 45 and parse_age("2w") == 14 * 86400
    with pytest.raises(ValueError):
        parse_age("-1d")


def test_watchers_are_told_of_each_committed_event_and_can_stop(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite3")
    job = store.create(render_request(), "previs")
    calls = []
    unwatch = store.watch(job.id, lambda: calls.append(threading.current_thread().name))
    other = store.create(render_request(), "previs")
    store.progress(other.id, 0.5, "elsewhere")  # another job's events wake nobody here
    assert calls == []
    store.progress(job.id, 0.5, "half")
    store.finish(job.id, wire.JobState.DONE, "done")
    assert len(calls) == 2
    unwatch()
    store.progress(job.id, 0.9, "after")
    assert len(calls) == 2
    store.close()


def test_a_long_poll_sleeps_until_the_worker_commits_an_event(tmp_path):
    """The waiting coroutine does no SQL while nothing happens: it wakes on the store's notification."""
    from render_server.api import routes_jobs
    from render_server.api.deps import ServerState

    store = JobStore(tmp_path / "jobs.sqlite3")
    job = store.create(render_request(), "previs")
    reads = []
    original_events = store.events

    def counting_events(job_id, after=0):
        reads.append(after)
        return original_events(job_id, after)

    store.events = counting_events
    state = ServerState(settings=None, store=store, backends=None, worker=None, actors=None, learning=None,
                        boards=None)

    async def scenario():
        waiter = asyncio.create_task(routes_jobs._wait_for_events(state, job.id, after=1, wait=20.0))
        await asyncio.sleep(0.3)  # long enough for a 50 ms poll to have read six times
        reads_while_idle = len(reads)
        await asyncio.get_running_loop().run_in_executor(None, store.progress, job.id, 0.5, "half")
        _, events = await waiter
        return reads_while_idle, events

    reads_while_idle, events = asyncio.run(scenario())
    assert reads_while_idle == 1
    assert [e.message for e in events] == ["half"]
    store.close()


def test_tinting_many_labels_is_one_pass_and_matches_each_actors_colour():
    names = [f"A{i}" for i in range(64)]
    boxes = [(i, 0, i + 1, 8) for i in range(64)]
    request = render_request(width=64, height=16, actors=[wire.ActorPlacement(name=n, color=(1.0, 0.0, 0.0))
                                                          for n in names])
    request.conditioning.depth = None
    request.conditioning.poses = []
    request.conditioning.masks = label_mask(64, 16, names, boxes)
    request.caption, request.shot_number = "", ""
    frame = np.asarray(PrevisBackend().render(request, RenderContext(lambda f, m: None, lambda: False))[0])
    tinted, background = frame[2, :, :].astype(int), frame[12, :, :].astype(int)
    assert (tinted[:, 0] - tinted[:, 2] > background[:, 0] - background[:, 2] + 40).all()
