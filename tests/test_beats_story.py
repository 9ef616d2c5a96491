"""The beats against a reader's gold key moments for the real screenplays in ../shared.

Skipped cleanly where ../shared (scripts, gold and scorer) is not beside this checkout. The
scorer is the shared one, run in-process on what `beatboard beats --n 6` would print.
"""

import importlib.util
import json

import pytest

from beatboard.paths import REPO
from render_server.beats.screenplay import parse_script
from render_server.beats.service import break_into_beats
from render_server.settings import Settings
from shared_schema import BeatsRequest, to_dict

SHARED = REPO.parent / "shared"
GOLD = SHARED / "eval" / "gold_beats.json"
SCORER = SHARED / "eval" / "score_beats.py"

pytestmark = pytest.mark.skipif(not (GOLD.is_file() and SCORER.is_file()),
                                reason="../shared/eval (gold beats and scorer) is not beside this checkout")


def _scorer():
    spec = importlib.util.spec_from_file_location("score_beats", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """(gold script, its text, beats JSON, score row) for every script of the gold file."""
    scorer = _scorer()
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    rows = []
    for gold in json.loads(GOLD.read_text())["scripts"]:
        path = SHARED / "scripts" / gold["file"]
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        result = to_dict(break_into_beats(BeatsRequest(script=text, n=6, filename=path.name, extractor="offline"),
                                          settings))
        rows.append((gold, text, result, scorer.score_script(gold, result, 3)))
    assert rows, "the gold file names no script found in ../shared/scripts"
    return rows


def test_the_final_beat_is_in_the_final_scene_of_every_script(scored):
    for gold, text, result, _ in scored:
        parsed = parse_script(text)
        last_scene = parsed.scenes[-1]
        assert last_scene.line_start <= result["beats"][-1]["line_start"] <= last_scene.line_end, gold["file"]


def test_the_climax_is_caught_in_every_script(scored):
    missed = [gold["file"] for gold, _, _, row in scored if not row["climax"]]
    assert not missed


def test_the_scorer_summary_meets_the_targets(scored):
    rows = [row for *_, row in scored]
    hits, moments = sum(r["hits"] for r in rows), sum(r["moments"] for r in rows)
    tp, fp, fn = (sum(r[k] for r in rows) for k in ("tp", "fp", "fn"))
    summary = {
        "hit_rate": hits / moments, "climax": sum(r["climax"] for r in rows), "ending": sum(r["ending"] for r in rows),
        "precision": tp / max(tp + fp, 1), "recall": tp / max(tp + fn, 1),
        "phantoms": sum(len(r["phantoms"]) for r in rows), "ordered": sum(r["ordered"] for r in rows),
    }
    assert summary["climax"] == summary["ending"] == summary["ordered"] == len(rows), summary
    assert summary["phantoms"] == 0, [r["phantoms"] for r in rows]
    assert summary["precision"] >= 0.95 and summary["recall"] >= 0.90, summary
    assert summary["hit_rate"] >= 0.80, summary
