"""Real server processes: SIGKILLed between frame writes, and two servers on one data folder."""

import os
import subprocess
import sys
import time

import pytest
from PIL import Image

import shared_schema as wire
from beatboard.server_process import ServerProcess, free_port
from blender_addon.core.client import ServerClient
from tests.server_helpers import render_request

pytestmark = pytest.mark.slow

# Loaded by the server's interpreter at start-up (sitecustomize): each frame write is followed by
# a pause, so the test can SIGKILL the real server while a job holds some of its frames, not all.
SLOW_FRAME_WRITES = """
from render_server.storage.job_store import JobStore
import time

_add_frame = JobStore.add_frame


def add_frame_then_pause(self, job_id, frame):
    _add_frame(self, job_id, frame)
    time.sleep(1.0)


JobStore.add_frame = add_frame_then_pause
"""


def _slow_frames_env(tmp_path) -> dict:
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SLOW_FRAME_WRITES)
    return {"PYTHONPATH": os.pathsep.join([str(hook), *sys.path])}


def _wait(client: ServerClient, job_id: str, done, timeout: float = 30.0) -> wire.Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.job(job_id)
        if done(job):
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} never reached the expected state: {job}")


def test_a_job_killed_between_frame_writes_comes_back_with_exactly_its_frames(tmp_path):
    data = tmp_path / "data"
    server = ServerProcess(data, env=_slow_frames_env(tmp_path)).start()
    client = ServerClient(server.url)
    job_id = client.submit(render_request(variations=4)).id
    partial = _wait(client, job_id, lambda j: 1 <= len(j.frames) < 4)
    server.kill()
    assert partial.state is wire.JobState.RUNNING

    # The killed server's folder lock died with it: a new server starts on the same folder.
    with ServerProcess(data, port=free_port()) as restarted:
        client = ServerClient(restarted.url)
        job = _wait(client, job_id, lambda j: j.state.finished)
    assert job.state is wire.JobState.DONE and job.attempts == 2
    assert [f.index for f in job.frames] == [0, 1, 2, 3]
    assert [f.seed for f in job.frames] == [3, 4, 5, 6]


def test_a_second_server_on_the_same_data_folder_refuses_to_start(server):
    completed = subprocess.run(
        [sys.executable, "-m", "render_server", "--host", "127.0.0.1", "--port", str(free_port())],
        env={**os.environ, "BEATBOARD_DATA_DIR": str(server.data_dir)}, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2
    assert f"PID {server.process.pid}" in completed.stderr and f"port {server.port}" in completed.stderr
    assert "BEATBOARD_DATA_DIR" in completed.stderr
    assert ServerClient(server.url).health().schema_version == wire.SCHEMA_VERSION  # the first one still answers



ACTOR_WRITER = """
import io, sys
from PIL import Image
from render_server.actors.embedder import ClipEmbedder
from render_server.actors.repository import ActorRepository
from render_server.actors.service import ActorService
from render_server.storage.artifacts import ArtifactStore
from shared_schema import ActorProfile

data = sys.argv[1]
service = ActorService(ActorRepository(data + "/actors.sqlite3"), ClipEmbedder(), ArtifactStore(data))
start = len(service.store.list())
for i in range(start, start + 1000):
    actor = service.create(ActorProfile(name=f"A{i}", description=f"actor number {i}, tall, grey coat"))
    buffer = io.BytesIO()
    Image.new("RGB", (96, 96), (i % 255, 40, 90)).save(buffer, format="PNG")
    service.add_reference(actor.id, buffer.getvalue())
    print(i, flush=True)
"""


def test_actors_killed_mid_write_are_whole_or_absent(tmp_path):
    """SIGKILL while actors are created and given references (the next one is being embedded):
    every stored actor has its description embedding, every reference row its whole file."""
    from render_server.actors.repository import ActorRepository

    data = tmp_path / "data"
    data.mkdir()
    writer = subprocess.Popen([sys.executable, "-c", ACTOR_WRITER, str(data)], stdout=subprocess.PIPE, text=True)
    for _ in range(3):
        assert writer.stdout.readline(), "the writer died on its own"
    writer.kill()  # SIGKILL: the fourth actor is being created
    writer.wait()
    repository = ActorRepository(data / "actors.sqlite3")
    try:
        actors = repository.list()
        assert len(actors) >= 3
        for actor in actors:
            assert len(repository.embedding_ids(actor.id, "description")) == 1, f"{actor.name}'s description"
            for index in range(len(actor.references)):
                path = repository.reference_path(actor.id, index)
                assert path and Image.open(path).size == (96, 96), f"{actor.name}'s reference file is missing"
    finally:
        repository.close()

