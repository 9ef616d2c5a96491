"""Block out every shared script (N=6 and 12) and the example (N=6, 12, 24), audit each board,
and print one summary line per board.

Usage:
  .venv/bin/python bench/audit_sweep.py --out OUT            # block (uses one render server), then audit
  .venv/bin/python bench/audit_sweep.py --out OUT --audit-only  # audit boards already in OUT
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from blender_addon.core.audit import audit, load_board  # noqa: E402
from blender_addon.core.audit.rules import RULE_NAMES  # noqa: E402

SCRIPTS = REPO.parent / "shared" / "scripts"
EXAMPLE = REPO / "examples" / "the_last_ferry.fountain"


def boards() -> list[tuple[str, Path, int]]:
    runs = [(f"{p.stem}-{n}", p, n) for p in sorted(SCRIPTS.glob("*.fountain")) for n in (6, 12)]
    return runs + [(f"example-{n}", EXAMPLE, n) for n in (6, 12, 24)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--audit-only", action="store_true")
    args = parser.parse_args()
    out = Path(args.out)
    if not args.audit_only:
        from beatboard.server_process import ServerProcess

        with ServerProcess(out / "server-data") as server:
            for name, script, n in boards():
                subprocess.run([sys.executable, "-m", "beatboard.cli", "block", str(script), "--out", str(out / name),
                                "--n", str(n), "--server", server.url], stdout=subprocess.DEVNULL, check=False)
    total = Counter()
    print(f"{'board':<36}{'shots':>6}{'violations':>11}{'failing':>9}  by rule")
    shots_all = 0
    for name, _, _ in boards():
        try:
            shots = load_board(out / name)
        except ValueError as exc:
            print(f"{name:<36} missing: {exc}")
            continue
        found = audit(shots)
        counts = Counter(v.rule for v in found)
        total.update(counts)
        shots_all += len(shots)
        by_rule = ", ".join(f"{r} {counts[r]}" for r in RULE_NAMES if counts[r])
        print(f"{name:<36}{len(shots):>6}{len(found):>11}{len({v.shot for v in found}):>9}  {by_rule}")
    print(f"{'all':<36}{shots_all:>6}{sum(total.values()):>11}{'':>9}  "
          + ", ".join(f"{r} {total[r]}" for r in RULE_NAMES if total[r]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
