"""Time the demo path: whole runs, each stage per shot, and the server's time per job.

Usage: .venv/bin/python bench/demo_bench.py [--runs 2]
Prints a table; numbers are medians over the runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from beatboard.board import run_board  # noqa: E402
from beatboard.paths import EXAMPLE_SCRIPT  # noqa: E402
from beatboard.server_process import ServerProcess  # noqa: E402
from blender_addon.core.client import ServerClient  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--width", type=int, default=768)
    parser.add_argument("--height", type=int, default=432)
    args = parser.parse_args()
    rows: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        with ServerProcess(Path(tmp) / "server") as server:
            rows.setdefault("server start (s)", []).append(time.perf_counter() - started)
            client = ServerClient(server.url)
            for run in range(args.runs):
                result = run_board(EXAMPLE_SCRIPT, Path(tmp) / f"run{run}", server_url=server.url,
                                   width=args.width, height=args.height)
                shots = len(result.summary["shots"])
                rows.setdefault("board wall (s)", []).append(result.seconds)
                for stage, seconds in result.summary["timings"].items():
                    rows.setdefault(f"{stage} per shot (s)", []).append(seconds / shots)
                conditioning = result.summary["render"]["conditioning_s"]
                rows.setdefault("conditioning per shot (s)", []).append(statistics.median(conditioning))
                for job_id in result.summary["render"]["jobs"]:
                    events = client.events(job_id, wait=0).events
                    begun = next(e.at for e in events if e.kind.value == "STARTED")
                    ended = next(e.at for e in events if e.kind.value == "DONE")
                    rows.setdefault("previs render per job (s)", []).append(ended - begun)
    print(f"\nBeatboard demo path, {args.width}x{args.height}, {args.runs} runs of 6 shots (medians)\n")
    print(f"{'measure':<34}{'median':>10}{'min':>10}{'max':>10}")
    for name, values in rows.items():
        print(f"{name:<34}{statistics.median(values):>10.3f}{min(values):>10.3f}{max(values):>10.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
