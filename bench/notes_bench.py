"""How many of 40 realistic director's notes the offline rules turn into the right change.

    .venv/bin/python bench/notes_bench.py [--llm]

Prints each note, what the rules said, and whether it is the expected change; then the
count and the time per note (median of 5 passes). The notes live in
tests/data/director_notes.json; some are beyond the rules on purpose.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from render_server.notes.rules import interpret  # noqa: E402
from render_server.notes.scoring import matches, said  # noqa: E402


def main() -> int:
    data = json.loads((REPO / "tests" / "data" / "director_notes.json").read_text())
    characters = data["characters"]
    right = 0
    print(f"{'ok':<4}{'note':<48}{'rules said'}")
    for item in data["notes"]:
        change = interpret(item["text"], characters, item.get("actor", ""))
        ok = matches(change, item["expected"])
        right += ok
        shown = said(change) if change.understood else "not understood"
        print(f"{'yes' if ok else 'NO':<4}{item['text'][:46]:<48}{shown}")
    passes = []
    for _ in range(5):
        started = time.perf_counter()
        for item in data["notes"]:
            interpret(item["text"], characters, item.get("actor", ""))
        passes.append((time.perf_counter() - started) / len(data["notes"]))
    print(f"\n{'notes':<30}{len(data['notes']):>8}")
    print(f"{'right structured change':<30}{right:>8}")
    print(f"{'ms per note (median of 5)':<30}{statistics.median(passes) * 1000:>8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
