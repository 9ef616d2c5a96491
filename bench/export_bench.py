"""Time each hand-off export (beatboard export --all) on the example board (6 shots) and a
24-shot board of a real screenplay from ../shared/scripts (the example has only 18 distinct
moments), 768x432 at 24 fps, previs frames. Runs each export twice; prints medians.

    .venv/bin/python bench/export_bench.py [--runs 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from beatboard.board import run_board  # noqa: E402
from beatboard.export.run import ExportOptions, export_board  # noqa: E402
from beatboard.paths import EXAMPLE_SCRIPT, REPO  # noqa: E402

LONG_SCRIPT = REPO.parent / "shared" / "scripts" / "Brick-and-Steel.fountain"

ROWS = ["gather", "cameras", "animatic", "blender (wall)", "pdf", "shotlist", "otio", "edl", "fcp7"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--keep", help="make the boards here (and keep them) instead of a temporary folder")
    args = parser.parse_args()
    root = Path(args.keep or tempfile.mkdtemp(prefix="beatboard-export-bench-"))
    medians: dict[int, dict[str, float]] = {}
    frames: dict[int, int] = {}
    counts: dict[int, int] = {}
    for shots in (6, 24):
        script = EXAMPLE_SCRIPT if shots == 6 or not LONG_SCRIPT.is_file() else LONG_SCRIPT
        folder = root / f"board{shots}-{script.stem}"
        if not (folder / "board.blend").is_file():
            print(f"making a {shots}-shot board of {script.name} in {folder}", flush=True)
            run_board(script, folder, n=shots)
        runs = []
        for run in range(args.runs):
            result = export_board(folder, folder / f"export{run}", ExportOptions(watermark="CONFIDENTIAL"))
            runs.append(result.timings)
        medians[shots] = {k: statistics.median(r.get(k, 0.0) for r in runs) for k in ROWS}
        board = json.loads((folder / "export0" / "board_export.json").read_text())
        frames[shots] = board["shots"][-1]["frame_end"] - board["frame_start"] + 1
        counts[shots] = len(board["shots"])
    print(f"\nbeatboard export --all, median of {args.runs} runs (seconds)")
    print(f"{'export':<16}{'board A':>10}{'board B':>10}")
    print(f"{'shots':<16}{counts[6]:>10}{counts[24]:>10}")
    for row in ROWS:
        print(f"{row:<16}{medians[6][row]:>10.2f}{medians[24][row]:>10.2f}")
    print(f"{'animatic frames':<16}{frames[6]:>10}{frames[24]:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
