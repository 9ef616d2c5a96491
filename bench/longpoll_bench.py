"""Health latency while many clients long-poll job events, on a real uvicorn server.

200 clients long-poll (``GET /v1/jobs/{id}/events?wait=25``) a job queued behind a slow one,
so nothing happens to it for the whole run: the case where polling SQLite every 50 ms on the
event loop hurt most. Meanwhile ``GET /v1/health`` is timed one request after another.
``--baseline REV`` also runs the server of an earlier commit (exported with ``git archive``)
the same way, for a before/after table.

Usage: .venv/bin/python bench/longpoll_bench.py [--waiters 200] [--seconds 8] [--baseline 51a88fc]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from beatboard.server_process import ServerProcess  # noqa: E402
from tests.server_helpers import render_request  # noqa: E402

import shared_schema as wire  # noqa: E402


def _export(rev: str, into: Path) -> Path:
    """The tree of an earlier commit, to run its server for comparison."""
    archive = into / "tree.tar"
    subprocess.run(["git", "-C", str(REPO), "archive", "-o", str(archive), rev], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    return into / "tree"


async def _measure(url: str, waiters: int, seconds: float) -> dict:
    limits = httpx.Limits(max_connections=waiters + 10, max_keepalive_connections=waiters + 10)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        slow = wire.to_dict(render_request(variations=16))
        busy = (await client.post("/v1/jobs", json=slow)).json()["id"]
        waiting = (await client.post("/v1/jobs", json=wire.to_dict(render_request()))).json()["id"]
        after = len((await client.get(f"/v1/jobs/{waiting}/events")).json()["events"])

        async def long_poll() -> None:
            while True:
                await client.get(f"/v1/jobs/{waiting}/events", params={"after": after, "wait": 25})

        polls = [asyncio.create_task(long_poll()) for _ in range(waiters)]
        await asyncio.sleep(1.0)  # let every waiter settle into its wait
        latencies = []
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            (await client.get("/v1/health")).raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.02)
        for task in polls:
            task.cancel()
        await asyncio.gather(*polls, return_exceptions=True)
        for job in (waiting, busy):
            await client.post(f"/v1/jobs/{job}/cancel")
    latencies.sort()
    return {"n": len(latencies), "p50": statistics.median(latencies),
            "p95": latencies[int(len(latencies) * 0.95) - 1], "max": latencies[-1]}


def _run(label: str, tree: Path, waiters: int, seconds: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="beatboard-longpoll-") as data:
        # The slow job keeps the worker busy, so the polled job stays queued all run.
        env = {"BEATBOARD_PREVIS_STEP_DELAY_S": "0.5", "PYTHONPATH": str(tree)}
        server = ServerProcess(Path(data), env=env)
        cwd = os.getcwd()
        os.chdir(tree)  # python -m render_server imports the tree's own code
        try:
            server.start()
        finally:
            os.chdir(cwd)
        try:
            result = asyncio.run(_measure(server.url, waiters, seconds))
        finally:
            server.stop()
    return {"server": label, "waiters": waiters, **result}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--waiters", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--baseline", help="also run the server of this earlier commit")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        trees = [("this tree", REPO)]
        if args.baseline:
            trees.insert(0, (f"baseline {args.baseline}", _export(args.baseline, Path(scratch))))
        for label, tree in trees:
            rows.append(_run(label, tree, 0, args.seconds / 2))
            rows.append(_run(label, tree, args.waiters, args.seconds))
    print(f"\n{'server':<22} {'waiters':>7} {'health n':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for row in rows:
        print(f"{row['server']:<22} {row['waiters']:>7} {row['n']:>8} {row['p50']:>8.1f} {row['p95']:>8.1f} "
              f"{row['max']:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
