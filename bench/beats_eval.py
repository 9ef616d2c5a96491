"""Evaluate the offline beat extractor over the real screenplays in ../shared/scripts.

For each script: scenes, characters, beats, the span the beats cover (first to last beat
as a fraction of the script), the share of beats at an entrance or a scene change, and
the time. Scene count and speaking-character set are checked against Jouvence, a second,
independent Fountain parser (wildwinter/fountain-tools). Exits non-zero on disagreement.

Usage: .venv/bin/python bench/beats_eval.py [--scripts DIR] [--n 6] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from render_server.beats.reference import reference_summary  # noqa: E402
from render_server.beats.service import break_into_beats  # noqa: E402
from render_server.beats.screenplay import parse_script  # noqa: E402
from render_server.beats.ingest import ingest  # noqa: E402
from render_server.settings import Settings  # noqa: E402
from shared_schema import BeatsRequest  # noqa: E402

DEFAULT_SCRIPTS = Path(__file__).resolve().parent.parent.parent / "shared" / "scripts"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scripts", type=Path, default=DEFAULT_SCRIPTS)
    parser.add_argument("--n", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    files = sorted(p for p in args.scripts.glob("*") if p.suffix in (".fountain", ".fdx"))
    if not files:
        print(f"no scripts in {args.scripts}; nothing to evaluate")
        return 0
    settings = Settings(data_dir=Path("/tmp/beatboard-eval"))
    header = f"{'script':<38}{'scenes':>7}{'ref':>5}{'chars':>6}{'ref':>5}{'beats':>6}{'span':>7}{'entr/scene':>11}{'ms':>8}"
    print(header)
    print("-" * len(header))
    disagreements = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        request = BeatsRequest(script=text, n=args.n, filename=path.name, extractor="offline")
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = break_into_beats(request, settings)
            times.append((time.perf_counter() - started) * 1000)
        parsed = parse_script(ingest(text, path.name).fountain)
        lines = max(parsed.line_count, 1)
        span = (response.beats[-1].line_end - response.beats[0].line_start + 1) / lines if response.beats else 0
        starts = {s.line_start for s in parsed.scenes}
        scene_change = [b for b in response.beats if b.entering or
                        any(abs(b.line_start - s) <= 3 for s in starts)]
        share = len(scene_change) / max(len(response.beats), 1)
        ref_scenes, ref_chars = ("-", "-")
        if path.suffix == ".fountain":
            ref = reference_summary(text)
            ref_scenes, ref_chars = ref.scenes, len(ref.speakers)
            if ref.scenes != len(parsed.scenes) or set(ref.speakers) != set(parsed.speakers):
                disagreements.append((path.name, len(parsed.scenes), ref.scenes,
                                      sorted(set(parsed.speakers) ^ set(ref.speakers))))
        print(f"{path.name[:37]:<38}{len(parsed.scenes):>7}{ref_scenes:>5}{len(parsed.speakers):>6}{ref_chars:>5}"
              f"{len(response.beats):>6}{span:>7.2f}{share:>11.2f}{statistics.median(times):>8.1f}")
    for name, ours, theirs, differ in disagreements:
        print(f"DISAGREE {name}: scenes {ours} vs {theirs}; speakers differ: {differ}")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
