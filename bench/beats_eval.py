"""Evaluate beat extraction over the real screenplays in ../shared/scripts.

Two tables:
1. Per script: scenes, characters, beats, the span the beats cover, and the time of a whole
   extraction (ingest + parse + beats), median and best of --repeat runs; for Big Fish also the
   median of each phase (parse, presence, moments, pick), timed one by one, and, when the
   compiled modules are in use (render_server/beats/compiled.py), the same extraction in plain
   Python in a fresh process. Scene count and
   speaking-character set are checked against fountain-tools, a second, independent
   Fountain parser; exits non-zero on disagreement.
2. The shared scorer (../shared/eval/score_beats.py) against the reader's gold key moments,
   printed as the scorer prints it (its table and SUMMARY line).

--extractor llm scores a configured LLM endpoint (BEATBOARD_LLM_BASE_URL / _MODEL / _API_KEY)
on the same table, so a model can be compared with the offline extractor.

Usage: .venv/bin/python bench/beats_eval.py [--scripts DIR] [--n 6] [--repeat 7] [--extractor offline|llm|auto]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from render_server.beats import compiled  # noqa: E402
from render_server.beats.collector import collector_paused  # noqa: E402
from render_server.beats.focus import parse_focus  # noqa: E402
from render_server.beats.ingest import ScriptRejected, ingest  # noqa: E402
from render_server.beats.presence import track  # noqa: E402
from render_server.beats.salience import importance  # noqa: E402
from render_server.beats.selection import moments_of, pick  # noqa: E402
from render_server.beats.reference import reference_summary  # noqa: E402
from render_server.beats.screenplay import parse_script  # noqa: E402
from render_server.beats.service import break_into_beats, check_llm_settings  # noqa: E402
from render_server.settings import Settings  # noqa: E402
from shared_schema import BeatsRequest, to_dict  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
BIG_FISH_BUDGET_MS = 50.0


def _timed(request: BeatsRequest, settings: Settings, repeat: int):
    """(response, wall-clock ms per run, CPU ms per run): the CPU time shows the cost when
    other processes share the machine."""
    times, cpu, response = [], [], None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = break_into_beats(request, settings)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return response, times, cpu


def _phase_times(text: str, filename: str, n: int, repeat: int) -> dict[str, float]:
    """Median ms of each phase of an offline extraction, timed one by one (the steps of
    break_into_beats and beats_from_parsed, less building the beats from the chosen moments)."""
    samples: dict[str, list[float]] = {"parse": [], "presence": [], "moments": [], "pick": []}
    for _ in range(repeat):
        with collector_paused():
            started = time.perf_counter()
            parsed = parse_script(ingest(text, filename).fountain)
            parsed_at = time.perf_counter()
            plan = parse_focus("", parsed.characters, parsed.lines)
            presences, weight = track(parsed), importance(parsed)
            tracked_at = time.perf_counter()
            moments = moments_of(parsed, presences, plan, weight)
            scored_at = time.perf_counter()
            pick(moments, parsed, n, plan)
            picked_at = time.perf_counter()
            del parsed, presences, moments
        for phase, (a, b) in {"parse": (started, parsed_at), "presence": (parsed_at, tracked_at),
                              "moments": (tracked_at, scored_at), "pick": (scored_at, picked_at)}.items():
            samples[phase].append((b - a) * 1000)
    return {phase: statistics.median(values) for phase, values in samples.items()}


def _speed_table(files: list[Path], args, settings: Settings) -> tuple[int, dict[str, dict]]:
    header = (f"{'script':<38}{'scenes':>7}{'ref':>5}{'chars':>6}{'ref':>5}{'beats':>6}{'span':>7}"
              f"{'ms med':>8}{'ms best':>8}{'cpu med':>8}")
    print(header)
    print("-" * len(header))
    disagreements, outputs = [], {}
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        request = BeatsRequest(script=text, n=args.n, filename=path.name, extractor=args.extractor)
        response, times, cpu = _timed(request, settings, args.repeat)
        outputs[path.name] = to_dict(response)
        parsed = parse_script(ingest(text, path.name).fountain)
        lines = max(parsed.line_count, 1)
        span = (response.beats[-1].line_end - response.beats[0].line_start + 1) / lines if response.beats else 0
        ref_scenes, ref_chars = ("-", "-")
        if path.suffix == ".fountain":
            ref = reference_summary(text)
            ref_scenes, ref_chars = ref.scenes, len(ref.speakers)
            if ref.scenes != len(parsed.scenes) or set(ref.speakers) != set(parsed.speakers):
                disagreements.append((path.name, len(parsed.scenes), ref.scenes,
                                      sorted(set(parsed.speakers) ^ set(ref.speakers))))
        print(f"{path.name[:37]:<38}{len(parsed.scenes):>7}{ref_scenes:>5}{len(parsed.speakers):>6}{ref_chars:>5}"
              f"{len(response.beats):>6}{span:>7.2f}{statistics.median(times):>8.1f}{min(times):>8.1f}"
              f"{statistics.median(cpu):>8.1f}")
        if path.name == "Big-Fish.fountain" and args.extractor == "offline":
            verdict = "within" if statistics.median(times) < BIG_FISH_BUDGET_MS else "OVER"
            modules = "compiled modules" if compiled.in_use() else "plain Python"
            print(f"  Big Fish whole extraction (ingest + parse + beats, {modules}): median "
                  f"{statistics.median(times):.1f} ms, best {min(times):.1f} ms, CPU median "
                  f"{statistics.median(cpu):.1f} ms over {args.repeat} runs; {verdict} the "
                  f"{BIG_FISH_BUDGET_MS:.0f} ms budget")
            phases = _phase_times(text, path.name, args.n, args.repeat)
            print("  Big Fish phases, median ms: " + ", ".join(f"{k} {v:.1f}" for k, v in phases.items()))
            if compiled.in_use() and not args.only:
                print(_plain_python_line(path, args))
    for name, ours, theirs, differ in disagreements:
        print(f"DISAGREE {name}: scenes {ours} vs {theirs}; speakers differ: {differ}")
    return (1 if disagreements else 0), outputs


def _plain_python_line(path: Path, args) -> str:
    """The same Big Fish timing with the compiled modules turned off, run in a fresh process."""
    done = subprocess.run([sys.executable, __file__, "--scripts", str(path.parent), "--only", path.name,
                           "--n", str(args.n), "--repeat", str(args.repeat)],
                          env={**os.environ, compiled.PURE_PYTHON_ENV: "1"}, capture_output=True, text=True)
    line = next((l for l in done.stdout.splitlines() if "whole extraction" in l), done.stderr.strip()[-300:])
    return line.replace("Big Fish whole extraction", "the same in")


def _score(outputs: dict[str, dict], args) -> None:
    scorer, gold = SHARED / "eval" / "score_beats.py", SHARED / "eval" / "gold_beats.json"
    if not (scorer.is_file() and gold.is_file()):
        print(f"\nno scorer or gold in {SHARED / 'eval'}; skipping the gold comparison")
        return
    print(f"\nGold key moments ({args.extractor} extractor, n={args.n}), scored by {scorer}:")
    with tempfile.TemporaryDirectory() as folder:
        for name, result in outputs.items():
            (Path(folder) / f"{name}.json").write_text(json.dumps(result))
        done = subprocess.run([sys.executable, str(scorer), "--gold", str(gold), "--scripts", str(args.scripts),
                               "--outputs", folder], capture_output=True, text=True)
    print(done.stdout.rstrip())
    if done.returncode or done.stderr.strip():
        print(done.stderr.rstrip(), file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scripts", type=Path, default=SHARED / "scripts")
    parser.add_argument("--n", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--extractor", choices=["offline", "llm", "auto"], default="offline")
    parser.add_argument("--only", default="", help="one script of --scripts, by file name (no scoring)")
    args = parser.parse_args()
    files = sorted(p for p in args.scripts.glob("*") if p.suffix in (".fountain", ".fdx") and
                   (not args.only or p.name == args.only))
    if not files:
        print(f"no scripts in {args.scripts}; nothing to evaluate")
        return 0
    settings = Settings(data_dir=Path(tempfile.gettempdir()) / "beatboard-eval")
    if args.extractor == "llm":
        args.repeat = 1  # a model call per chunk: time it once
    try:
        if args.extractor == "llm":
            check_llm_settings(settings)
        status, outputs = _speed_table(files, args, settings)
    except ScriptRejected as exc:
        print(f"beats_eval: {exc.message}\n  how to fix: {exc.hint}", file=sys.stderr)
        return 2
    if not args.only:
        _score(outputs, args)
    return status


if __name__ == "__main__":
    sys.exit(main())
