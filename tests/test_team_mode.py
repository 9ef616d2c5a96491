"""Team mode with real processes: redis-server, the API (uvicorn) and two `beatboard worker`s.

One set per module; the tests run in file order and leave the set as they found it (a killed
worker is started again). Leases and Redis's visibility timeout are seconds long here, so a
lost worker's job comes back quickly; a worker's heartbeats keep a long job its own.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

import shared_schema as wire
from beatboard.server_process import ServerProcess
from blender_addon.core.client import ServerClient
from tests.redis_helpers import RedisProcess, WorkerProcess, needs_redis
from tests.server_helpers import render_request

pytestmark = [pytest.mark.slow, pytest.mark.team, needs_redis]

POISON = "poison pill"
# Loaded by each worker's interpreter at start-up (sitecustomize): a job whose prompt is the
# poison pill kills its pool process every time; while the flag file exists, each frame upload
# is followed by a pause, so a test can SIGKILL a worker that has sent some frames, not all.
WORKER_HOOK = """
import os, signal, time
from render_server.backends import previs
from render_server.team import worker_api

_render = previs.PrevisBackend.render
_put_frame = worker_api.WorkerApi.put_frame


def render(self, request, ctx):
    if %r in request.prompt:
        os.kill(os.getpid(), signal.SIGKILL)
    return _render(self, request, ctx)


def put_frame(self, *args, **kwargs):
    _put_frame(self, *args, **kwargs)
    if os.path.exists(os.environ["SLOW_FRAMES_FLAG"]):
        time.sleep(1.0)


previs.PrevisBackend.render = render
worker_api.WorkerApi.put_frame = put_frame
""" % POISON


class Team:
    def __init__(self, root: Path, models_env: dict):
        self.root = root
        self.redis = RedisProcess(root / "redis").start()
        self.models_env = models_env
        self.api_env = {"BEATBOARD_BROKER_URL": self.redis.url, "BEATBOARD_WORKER_LEASE_S": "2",
                        "BEATBOARD_BROKER_VISIBILITY_TIMEOUT_S": "4", "BEATBOARD_BROKER_RESTORE_INTERVAL_S": "1",
                        "BEATBOARD_MAX_ATTEMPTS": "2", **models_env}
        self.api = ServerProcess(root / "api", env=self.api_env).start()
        hook = root / "hook"
        hook.mkdir()
        (hook / "sitecustomize.py").write_text(WORKER_HOOK)
        self.slow_frames = root / "slow-frames"
        self.worker_env = {"BEATBOARD_PREVIS_STEP_DELAY_S": "0.03", "SLOW_FRAMES_FLAG": str(self.slow_frames),
                           "PYTHONPATH": os.pathsep.join([str(hook), *sys.path])}
        self.workers: list[WorkerProcess] = []

    def start_worker(self, name: str, queues: str = "render.previs", env: dict | None = None) -> WorkerProcess:
        worker = WorkerProcess(self.api.url, self.root / f"{name}.log", queues=queues,
                               env={**self.worker_env, **(env or {})}).start()
        self.workers.append(worker)
        return worker

    def live_workers(self) -> list[dict]:
        return self.client().request_json("GET", "/v1/workers")

    def wait_for_workers(self, count: int, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.live_workers()) < count:
            assert time.monotonic() < deadline, f"fewer than {count} workers came up: {self.live_workers()}"
            time.sleep(0.2)

    def client(self) -> ServerClient:
        return ServerClient(self.api.url)

    def restart_api(self, redis_loses_its_data: bool = False) -> None:
        self.api.stop()
        if redis_loses_its_data:
            self.redis.restart(lose_data=True)
        self.api = ServerProcess(self.root / "api", port=self.api.port, env=self.api_env).start()

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.api.stop()
        self.redis.stop()


@pytest.fixture(scope="module")
def team(tmp_path_factory, tiny_models):
    models_env = {"BEATBOARD_DIFFUSERS_MODEL": str(tiny_models["base"]),
                  "BEATBOARD_CONTROLNET_DEPTH": str(tiny_models["depth"]),
                  "BEATBOARD_CONTROLNET_OPENPOSE": str(tiny_models["openpose"]), "BEATBOARD_DIFFUSERS_DEVICE": "cpu"}
    running = Team(tmp_path_factory.mktemp("team"), models_env)
    try:
        yield running
    finally:
        running.stop()


def wait_finished(client: ServerClient, job_ids: list[str], timeout: float = 120.0) -> list[wire.Job]:
    deadline = time.monotonic() + timeout
    while True:
        jobs = [client.job(job_id) for job_id in job_ids]
        if all(job.state.finished for job in jobs):
            return jobs
        assert time.monotonic() < deadline, f"unfinished: {[(j.id, j.state.value) for j in jobs if not j.state.finished]}"
        time.sleep(0.1)


def wait_for(client: ServerClient, job_id: str, done, timeout: float = 60.0) -> wire.Job:
    deadline = time.monotonic() + timeout
    while True:
        job = client.job(job_id)
        if done(job):
            return job
        assert time.monotonic() < deadline, f"job {job_id} never got there: {job}"
        time.sleep(0.02)


def started_events(client: ServerClient, job_id: str) -> list[wire.JobEvent]:
    return [e for e in client.events(job_id, wait=0).events if e.kind is wire.EventKind.STARTED]


def test_a_refine_queued_behind_a_batch_runs_first_and_queue_positions_count_down(team):
    client = team.client()
    batch = [client.submit(render_request(seed=100 + i)).id for i in range(6)]
    refine = client.submit(render_request(seed=200, parent_job_id=batch[0])).id
    assert [client.job(job_id).queue_position for job_id in batch] == [1, 2, 3, 4, 5, 6]
    team.start_worker("worker-a")
    team.start_worker("worker-b")
    jobs = wait_finished(client, batch + [refine])
    assert all(job.state is wire.JobState.DONE for job in jobs)
    first_claims = sorted(started_events(client, job.id)[0].at for job in jobs)
    assert started_events(client, refine)[0].at <= first_claims[1], "the refine waited behind batch renders"
    assert client.job(refine).queue_position == 0


def test_sixty_jobs_from_two_clients_run_once_each_spread_over_both_workers(team):
    team.wait_for_workers(2)
    ids: list[list[str]] = [[], []]

    def submit(slot: int) -> None:
        client = team.client()
        ids[slot] = [client.submit(render_request(seed=1000 * slot + i, shot_number=f"{slot}-{i}")).id
                     for i in range(30)]

    threads = [threading.Thread(target=submit, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client = team.client()
    jobs = wait_finished(client, ids[0] + ids[1])
    assert [job.state for job in jobs] == [wire.JobState.DONE] * 60
    assert all(job.attempts == 1 and len(started_events(client, job.id)) == 1 for job in jobs), "a job ran twice"
    assert all(len(job.frames) == 1 and job.worker is not None for job in jobs)
    per_worker: dict[str, int] = {}
    for job in jobs:
        per_worker[job.worker.name] = per_worker.get(job.worker.name, 0) + 1
    assert len(per_worker) == 2 and min(per_worker.values()) >= 5, per_worker
    listed = {w["worker"]["name"] for w in team.live_workers()}
    assert set(per_worker) <= listed


def test_cancelling_a_job_running_on_a_worker_stops_it_within_a_step(team):
    client = team.client()
    job_id = client.submit(render_request(variations=16, seed=7)).id
    running = wait_for(client, job_id, lambda j: j.state is wire.JobState.RUNNING and j.progress > 0)
    before = client.events(job_id, wait=0).events[-1].seq
    client.cancel(job_id)
    job = wait_for(client, job_id, lambda j: j.state.finished)
    assert job.state is wire.JobState.CANCELLED and running.worker is not None
    assert job.frames == [] and job.progress < 0.5  # stopped at its next step, not at the end of 64
    late_steps = [e for e in client.events(job_id, after=before, wait=0).events if e.kind is wire.EventKind.PROGRESS]
    assert len(late_steps) <= 2, f"{len(late_steps)} steps ran after the cancel"  # one may have been in flight


def _worker_holding(team: Team, job: wire.Job) -> WorkerProcess:
    pool_pid = int(job.worker.name.rsplit(":", 1)[1])
    parent = int(next(line.split()[1] for line in Path(f"/proc/{pool_pid}/status").read_text().splitlines()
                      if line.startswith("PPid:")))
    return next(w for w in team.workers if w.process.pid in (pool_pid, parent))


def test_a_worker_killed_mid_job_its_job_is_redone_once_elsewhere_with_frames_not_doubled(team):
    client = team.client()
    team.slow_frames.touch()
    try:
        job_id = client.submit(render_request(variations=4, seed=31)).id
        partial = wait_for(client, job_id, lambda j: 1 <= len(j.frames) < 4)
        victim = _worker_holding(team, partial)
        victim.kill()
        team.workers.remove(victim)
        team.start_worker("worker-c")
        job = wait_for(client, job_id, lambda j: j.state.finished, timeout=90)
    finally:
        team.slow_frames.unlink()
    assert job.state is wire.JobState.DONE and job.attempts == 2
    assert job.worker.name != partial.worker.name
    assert [f.index for f in job.frames] == [0, 1, 2, 3] and [f.seed for f in job.frames] == [31, 32, 33, 34]
    kinds = [e.kind for e in client.events(job_id, wait=0).events]
    assert kinds.count(wire.EventKind.DONE) == 1 and kinds.count(wire.EventKind.STARTED) == 2


def test_restarting_the_api_mid_run_loses_nothing_even_when_redis_lost_the_queue_meanwhile(team):
    """The API down while workers run jobs (they retry until it is back), and Redis restarted
    empty meanwhile: the API publishes its QUEUED jobs again at start."""
    client = team.client()
    ids = [client.submit(render_request(variations=3, seed=500 + i)).id for i in range(8)]
    wait_for(client, ids[0], lambda j: j.state is not wire.JobState.QUEUED)
    team.restart_api(redis_loses_its_data=True)
    jobs = wait_finished(team.client(), ids)
    assert [job.state for job in jobs] == [wire.JobState.DONE] * 8
    assert all([f.index for f in job.frames] == [0, 1, 2] for job in jobs)


def test_restarting_redis_mid_run_loses_nothing(team):
    client = team.client()
    ids = [client.submit(render_request(variations=2, seed=700 + i)).id for i in range(10)]
    wait_for(client, ids[0], lambda j: j.state is not wire.JobState.QUEUED)
    team.redis.restart()
    ids += [client.submit(render_request(variations=2, seed=800 + i)).id for i in range(3)]
    jobs = wait_finished(client, ids)
    assert [job.state for job in jobs] == [wire.JobState.DONE] * 13
    assert all(len(job.frames) == 2 for job in jobs)


def test_a_poison_job_ends_failed_after_max_attempts_and_the_workers_go_on(team):
    client = team.client()
    poison = client.submit(render_request(prompt=POISON, seed=900)).id
    job = wait_for(client, poison, lambda j: j.state.finished, timeout=90)
    assert job.state is wire.JobState.FAILED and job.error.code == "worker_lost" and job.attempts == 2
    after = client.submit(render_request(seed=901)).id
    assert wait_for(client, after, lambda j: j.state.finished).state is wire.JobState.DONE


def test_a_diffusers_job_goes_to_the_worker_on_its_model_familys_queue(team):
    """Tiny random-weight SD 1.5 models: the job is routed to render.sd15, which only the third
    worker (started with the model) listens on; the previs workers never see it."""
    worker = team.start_worker("worker-sd15", queues="render.sd15", env=team.models_env)
    try:
        client = team.client()
        job_id = client.submit(render_request(64, 64, backend="diffusers", steps=2, seed=4242)).id
        job = wait_for(client, job_id, lambda j: j.state.finished, timeout=180)
        assert job.state is wire.JobState.DONE, job.error
        assert len(job.frames) == 1 and job.frames[0].backend == "diffusers"
        assert _worker_holding(team, job) is worker
        listed = {w["worker"]["name"]: w for w in team.live_workers()}
        assert listed[job.worker.name]["queues"] == ["render.sd15"]
        assert listed[job.worker.name]["loaded_model"] == team.models_env["BEATBOARD_DIFFUSERS_MODEL"]
    finally:
        worker.stop()
        team.workers.remove(worker)


def test_a_lora_training_job_runs_on_the_training_worker_and_its_version_lands_on_the_api(team):
    """Tiny models: two approved crops of MARA (rendered by a previs worker), then a training job:
    only the worker listening on `training` takes it, trains with the API's CLIP (its own
    BEATBOARD_CLIP_MODEL points nowhere), and the API registers and keeps the new version.
    A diffusers render of MARA then uses that version, which only the API has: the render worker
    (here the same process, also on render.sd15) fetches it from the API into its LoRA cache."""
    from safetensors.torch import load_file

    from tests.server_helpers import label_mask

    if not any(w.queues == "render.previs" and w.process.poll() is None for w in team.workers):
        team.start_worker("worker-previs")
    trainer_env = {**team.models_env, "BEATBOARD_LORA_TRAIN_RESOLUTION": "64", "BEATBOARD_LORA_EVAL_STEPS": "2",
                   "BEATBOARD_LORA_TRAIN_RANK": "4", "BEATBOARD_CLIP_MODEL": "/nowhere/clip.json"}
    trainer = team.start_worker("worker-training", queues="training,render.sd15", env=trainer_env)
    try:
        client = team.client()
        mara = client.request_json("POST", "/v1/actors", {"name": "MARA", "description": "forties, raincoat"})
        masks = label_mask(80, 45, ["MARA"], [(25, 3, 45, 44)])
        renders = [client.submit(render_request(seed=60 + i, actors=[wire.ActorPlacement(name="MARA")],
                                                conditioning=wire.Conditioning(masks=masks))).id for i in range(2)]
        for job in wait_finished(client, renders):
            assert job.state is wire.JobState.DONE
            approval = client.request_json("POST", f"/v1/jobs/{job.id}/frames/0/feedback",
                                           {"shot_number": "1", "verdict": "APPROVE"})
            assert approval["profiles_moved"] == ["MARA"], approval
        accepted = client.request_json("POST", f"/v1/actors/{mara['id']}/loras", {"steps": 4})
        job = wait_for(client, accepted["id"], lambda j: j.state.finished, timeout=240)
        assert job.state is wire.JobState.DONE, job.error
        assert _worker_holding(team, job) is trainer and "MARA@v1" in job.message
        (version,) = client.request_json("GET", f"/v1/actors/{mara['id']}/loras")
        assert version["name"] == "MARA@v1" and version["steps"] == 4 and len(version["source_frames"]) == 2
        assert version["metrics"]["train_crops"] == 1 and version["metrics"]["held_out_crops"] == 1
        path = Path(version["path"])
        assert path.parent == team.api.data_dir / "loras" and path.is_file()  # the API's artifact store
        ups = [v for k, v in load_file(path).items() if "lora_B" in k or "lora.up" in k]
        assert ups and all(float(v.abs().max()) > 0 for v in ups)  # trained: peft starts them at zero
        worker_data = trainer.log_path.with_suffix(".data")
        assert not list((worker_data / "training").glob("*"))  # its scratch is gone
        # Its own scratch copy gone, the worker has MARA@v1 only through the API: the render fetches it.
        assert not list(worker_data.rglob("MARA@v1.safetensors"))
        # Named outright: with random weights the new version may be kept aside rather than put in
        # use (its held-out score is chance), and casting fills in only the version in use.
        render = client.submit(render_request(64, 64, backend="diffusers", steps=2, seed=4343,
                                              actors=[wire.ActorPlacement(name="MARA", lora="MARA@v1")],
                                              conditioning=wire.Conditioning(masks=label_mask(
                                                  32, 32, ["MARA"], [(8, 4, 24, 30)]))))
        assert render.id
        done = wait_for(client, render.id, lambda j: j.state.finished, timeout=180)
        assert done.state is wire.JobState.DONE, done.error  # without the API's file: model_missing
        assert _worker_holding(team, done) is trainer
        (copy,) = (worker_data / "lora-cache" / "MARA@v1").glob("*.safetensors")
        assert copy.read_bytes() == path.read_bytes()
    finally:
        trainer.stop()
        team.workers.remove(trainer)
