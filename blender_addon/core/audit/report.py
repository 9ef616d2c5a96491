"""Load a board's shot facts from a folder and print the audit as a table."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from .facts import ShotFacts
from .rules import RULE_NAMES, Violation

FACTS_FILE = "board_facts.json"


class AuditInputError(ValueError):
    pass


def _shot_key(number: str):
    match = re.match(r"(\d+)(.*)", number)
    return (int(match.group(1)), match.group(2)) if match else (10 ** 9, number)


def load_board(folder: Path) -> list[ShotFacts]:
    """Shot facts from ``beatboard block`` / ``beatboard board`` output, in shot order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise AuditInputError(f"{folder} is not a folder; give the --out folder of 'beatboard block' or "
                              "'beatboard board'")
    board = folder / FACTS_FILE
    if board.is_file():
        rows = json.loads(board.read_text())["shots"]
    else:
        rows = [json.loads(p.read_text()).get("audit") for p in (folder / "shots").glob("shot_*_keypoints.json")]
        rows = [r for r in rows if r]
    if not rows:
        raise AuditInputError(f"no shot facts in {folder}: expected {FACTS_FILE} or shots/shot_N_keypoints.json "
                              "with an 'audit' entry. Re-run 'beatboard block SCRIPT --out "
                              f"{folder}' with this version")
    shots = [ShotFacts.from_dict(r) for r in rows]
    return sorted(shots, key=lambda s: _shot_key(s.shot))


def summary_line(shots: list[ShotFacts], violations: list[Violation]) -> str:
    failing = len({v.shot for v in violations})
    counts = Counter(v.rule for v in violations)
    by_rule = ", ".join(f"{rule} {counts[rule]}" for rule in RULE_NAMES if counts[rule])
    return (f"{len(shots)} shots, {len(violations)} violations in {failing} shots"
            + (f" ({by_rule})" if by_rule else ": clean"))


def format_table(shots: list[ShotFacts], violations: list[Violation]) -> str:
    sizes = {s.shot: f"{s.size} {s.lens_mm:g}mm" for s in shots}
    lines = [f"{'shot':<6}{'size':<16}{'rule':<20}detail"]
    for v in violations:
        lines.append(f"{v.shot:<6}{sizes.get(v.shot, ''):<16}{v.rule:<20}{v.detail}")
    lines.append(summary_line(shots, violations))
    return "\n".join(lines)
