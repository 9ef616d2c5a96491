"""A real uvicorn process: killed mid-job it loses nothing; the add-on's client speaks to it."""

import time

import pytest

import shared_schema as wire
from beatboard.server_process import ServerProcess, free_port
from blender_addon.core.client import ServerClient, ServerError
from tests.server_helpers import render_request

pytestmark = pytest.mark.slow


def _wait(client: ServerClient, job_id: str, states: set, timeout: float = 30.0) -> wire.Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.job(job_id)
        if job.state in states:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} stayed {job.state}")


def test_a_job_survives_sigkill_and_finishes_after_restart(tmp_path):
    env = {"BEATBOARD_PREVIS_STEP_DELAY_S": "0.3"}
    server = ServerProcess(tmp_path, env=env).start()
    client = ServerClient(server.url)
    ids = [client.submit(render_request(variations=2)).id for _ in range(3)]
    _wait(client, ids[0], {wire.JobState.RUNNING})
    server.kill()

    restarted = ServerProcess(tmp_path, port=free_port(), env=env).start()
    try:
        client = ServerClient(restarted.url)
        jobs = [_wait(client, job_id, {wire.JobState.DONE, wire.JobState.FAILED}) for job_id in ids]
        assert [j.state for j in jobs] == [wire.JobState.DONE] * 3
        assert jobs[0].attempts == 2, "the interrupted job ran again"
        kinds = [e.kind for e in client.events(ids[0], wait=0).events]
        assert wire.EventKind.REQUEUED in kinds
        assert all(len(j.frames) == 2 for j in jobs)
    finally:
        restarted.stop()


def test_a_job_killed_on_its_last_attempt_is_failed_with_a_reason(tmp_path):
    env = {"BEATBOARD_PREVIS_STEP_DELAY_S": "0.3", "BEATBOARD_MAX_ATTEMPTS": "1"}
    server = ServerProcess(tmp_path, env=env).start()
    client = ServerClient(server.url)
    job_id = client.submit(render_request()).id
    _wait(client, job_id, {wire.JobState.RUNNING})
    server.kill()
    with ServerProcess(tmp_path, port=free_port(), env=env) as restarted:
        job = ServerClient(restarted.url).job(job_id)
    assert job.state is wire.JobState.FAILED
    assert job.error.code == "worker_lost" and "stopped" in job.error.message and job.error.hint


def test_client_reports_a_server_that_is_down_quickly_and_clearly():
    client = ServerClient(f"http://127.0.0.1:{free_port()}")
    started = time.monotonic()
    with pytest.raises(ServerError) as caught:
        client.health()
    assert time.monotonic() - started < 2.0
    assert caught.value.body.code == "server_unreachable"
    assert "beatboard server" in caught.value.body.hint


def test_client_turns_server_errors_into_the_error_body(server):
    client = ServerClient(server.url)
    with pytest.raises(ServerError) as caught:
        client.job("missing")
    assert caught.value.status == 404 and caught.value.body.code == "not_found"
    health = client.health()
    assert health.schema_version == wire.SCHEMA_VERSION
