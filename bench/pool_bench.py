"""Team mode against the embedded server: throughput, per-job overhead, latency, redelivery.

Real processes: redis-server, the API (uvicorn) and `beatboard worker` with 1, 2 and 4 pool
processes (previs backend, small frames, no step delay), then the embedded server (one
in-process worker). For each: jobs per second over a batch; per-job overhead = a job's share
of the wall time with one worker minus the previs render itself (timed in this process), so
it is what queueing, claiming, progress reports, frame upload and finishing cost; latency
from submit to the first progress event (one job at a time, idle workers); and the time to
run a job again after its worker is SIGKILLed (lease BEATBOARD_WORKER_LEASE_S).

  .venv/bin/python bench/pool_bench.py [--jobs 60] [--lease 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import shared_schema as wire  # noqa: E402
from beatboard.server_process import ServerProcess  # noqa: E402
from beatboard.team_processes import RedisProcess, WorkerProcess  # noqa: E402
from blender_addon.core.client import ServerClient  # noqa: E402
from tests.server_helpers import render_request  # noqa: E402

WIDTH, HEIGHT = 64, 36


def render_seconds(samples: int = 30) -> float:
    """The previs render alone (median), as a worker runs it."""
    from render_server.backends.base import RenderContext
    from render_server.backends.previs import PrevisBackend
    from render_server.prompts import compose_into

    backend, times = PrevisBackend(), []
    for seed in range(samples):
        request = compose_into(render_request(WIDTH, HEIGHT, seed=seed), "previs")
        start = time.perf_counter()
        images = backend.render(request, RenderContext(report=lambda f, m: None, is_cancelled=lambda: False))
        for image in images:  # a worker encodes each frame as PNG
            image.save(Path(tempfile.gettempdir()) / "pool_bench.png")
        times.append(time.perf_counter() - start)
    return statistics.median(times[3:])


def wait_all(client: ServerClient, ids: list[str], timeout: float = 600) -> list[wire.Job]:
    """Long-polls one job at a time (a waiting long-poll costs the server nothing, where polling
    every job would load the very API being measured)."""
    deadline = time.monotonic() + timeout
    for job_id in ids:
        after = 0
        while True:
            events = client.events(job_id, after=after, wait=5.0)
            if events.state.finished:
                break
            after = events.events[-1].seq if events.events else after
            if time.monotonic() > deadline:
                raise RuntimeError("jobs did not finish")
    return [client.job(i) for i in ids]


def batch(url: str, jobs: int, seed0: int) -> tuple[float, list[float]]:
    """Jobs/s over ``jobs`` submitted by two clients at once, and the DONE times in order."""
    ids: list[list[str]] = [[], []]
    start = time.perf_counter()

    def submit(slot: int) -> None:
        client = ServerClient(url)
        ids[slot] = [client.submit(render_request(WIDTH, HEIGHT, seed=seed0 + slot * jobs + i)).id
                     for i in range(jobs // 2)]

    threads = [threading.Thread(target=submit, args=(s,)) for s in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    client = ServerClient(url)
    done = wait_all(client, ids[0] + ids[1])
    wall = time.perf_counter() - start
    assert all(j.state is wire.JobState.DONE for j in done), [j.error for j in done if j.error]
    finished = sorted(next(e.at for e in client.events(j.id, wait=0).events if e.kind is wire.EventKind.DONE)
                      for j in done)
    return len(done) / wall, finished


def first_progress_latency(url: str, seed0: int, samples: int = 10) -> float:
    """Submit to the first event after QUEUED (STARTED: a worker has it, or a progress step),
    as a client long-polling the job's events sees it."""
    client, latencies = ServerClient(url), []
    for i in range(samples):
        start = time.perf_counter()
        job_id = client.submit(render_request(WIDTH, HEIGHT, seed=seed0 + i)).id
        after = 0
        while True:
            events = client.events(job_id, after=after, wait=5.0)
            if any(e.kind is not wire.EventKind.QUEUED for e in events.events):
                latencies.append(time.perf_counter() - start)
                break
            after = events.events[-1].seq if events.events else after
        wait_all(client, [job_id])
    return statistics.median(latencies)


def per_job_cycle(finished: list[float]) -> float:
    """The median gap between consecutive jobs finishing, skipping the first few (warm-up)."""
    gaps = [b - a for a, b in zip(finished[5:], finished[6:])]
    return statistics.median(gaps)


def wait_workers(url: str, count: int) -> None:
    deadline = time.monotonic() + 120
    while len(ServerClient(url).request_json("GET", "/v1/workers")) < count:
        if time.monotonic() > deadline:
            raise RuntimeError("workers did not come up")
        time.sleep(0.2)


def redeliver_seconds(team_url: str, root: Path) -> float:
    """SIGKILL the worker running a long job while another one idles; seconds until the other
    has started the job again."""
    victim = WorkerProcess(team_url, root / "victim.log", env={"BEATBOARD_PREVIS_STEP_DELAY_S": "0.5"}).start()
    wait_workers(team_url, 1)
    client = ServerClient(team_url)
    job_id = client.submit(render_request(WIDTH, HEIGHT, variations=16, seed=99999)).id
    while client.job(job_id).progress <= 0:
        time.sleep(0.02)
    rescuer = WorkerProcess(team_url, root / "rescuer.log").start()
    wait_workers(team_url, 2)
    victim.kill()
    killed = time.time()
    try:
        while True:
            started = [e for e in client.events(job_id, wait=1.0).events if e.kind is wire.EventKind.STARTED]
            if len(started) >= 2:
                return started[1].at - killed
    finally:
        wait_all(client, [job_id])
        rescuer.stop()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=60)
    parser.add_argument("--lease", type=float, default=2.0)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="pool-bench-"))
    render_s = render_seconds()
    rows = []

    redis = RedisProcess(root / "redis").start()
    env = {"BEATBOARD_BROKER_URL": redis.url, "BEATBOARD_WORKER_LEASE_S": str(args.lease)}
    api = ServerProcess(root / "api", env=env).start()
    redeliver = None
    try:
        for processes in args.processes:
            worker = WorkerProcess(api.url, root / f"worker{processes}.log", concurrency=processes).start()
            try:
                wait_workers(api.url, processes)
                batch(api.url, 10, seed0=processes * 100000 + 50000)  # warm-up
                rate, finished = batch(api.url, args.jobs, seed0=processes * 100000)
                latency = first_progress_latency(api.url, seed0=processes * 100000 + 90000)
                cycle = per_job_cycle(finished) if processes == 1 else None
                rows.append((f"team, {processes} worker process(es)", rate, cycle, latency))
            finally:
                worker.stop()
            time.sleep(1.0)  # the stopped worker leaves /v1/workers after three leases; count anew
            time.sleep(3 * args.lease)
        redeliver = redeliver_seconds(api.url, root)
    finally:
        api.stop()
        redis.stop()

    with ServerProcess(root / "embedded") as embedded:
        batch(embedded.url, 10, seed0=7000000)
        rate, finished = batch(embedded.url, args.jobs, seed0=8000000)
        latency = first_progress_latency(embedded.url, seed0=9000000)
        rows.append(("embedded (in-process worker)", rate, per_job_cycle(finished), latency))

    print(f"\npool_bench: {args.jobs} previs jobs of {WIDTH}x{HEIGHT} from two clients; previs render alone "
          f"{render_s * 1000:.1f} ms (median)\n")
    embedded_cycle = rows[-1][2]
    print(f"{'mode':<32}{'jobs/s':>8}{'per-job p50 ms':>16}{'- render ms':>13}{'- embedded ms':>15}"
          f"{'submit->started ms':>21}")
    for mode, rate, cycle, latency in rows:
        if cycle is None:
            numbers = f"{'-':>16}{'-':>13}{'-':>15}"
        else:
            numbers = f"{cycle * 1000:16.1f}{(cycle - render_s) * 1000:13.1f}{(cycle - embedded_cycle) * 1000:15.1f}"
        print(f"{mode:<32}{rate:8.1f}{numbers}{latency * 1000:21.1f}")
    print("\nper-job p50: median gap between consecutive jobs finishing with one worker process (one job at a\n"
          "time); '- render': less the previs render alone; '- embedded': the team mode's cost over the embedded\n"
          "server's for the same job (the per-job overhead team mode adds). submit->started: from the POST to\n"
          "the first event after QUEUED that a client long-polling the job sees (idle workers, median of 10).")
    print(f"\nredelivery after SIGKILL of the worker running a job (lease {args.lease:g} s): {redeliver:.2f} s "
          "from the kill to the job's second start")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
