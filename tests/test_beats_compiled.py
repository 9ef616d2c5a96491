"""The compiled beat modules (render_server/beats/compiled.py) answer as the Python they are
built from, and are used only while they match it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from render_server.beats import compiled, screenplay

ROOT = Path(__file__).resolve().parent.parent

# Every beat answer worth comparing, as JSON: the example, the test scripts and the shared real
# scripts (when ../shared is there), at three sizes, with and without a director's focus.
ANSWERS = r"""
import json, sys
from pathlib import Path
from render_server.beats import compiled
from render_server.beats.service import break_into_beats
from render_server.settings import Settings
from shared_schema import BeatsRequest, to_dict
root = Path(sys.argv[1])
scripts = [root / "examples" / "the_last_ferry.fountain", *sorted((root / "tests" / "data").glob("*.fountain")),
           *sorted((root.parent / "shared" / "scripts").glob("*.f*"))]
settings = Settings(data_dir=Path(sys.argv[2]))
answers = {}
for path in scripts:
    text = path.read_text(encoding="utf-8", errors="replace")
    for n, focus in ((3, ""), (6, ""), (12, ""), (6, "focus on Mara's reaction in one frame"), (6, "open wide")):
        request = BeatsRequest(script=text, n=n, filename=path.name, focus=focus, extractor="offline")
        answers[f"{path.name} n={n} focus={focus!r}"] = to_dict(break_into_beats(request, settings))
print(json.dumps({"compiled": compiled.in_use(), "answers": answers}))
"""


def _answers(tmp_path: Path, pure: bool) -> dict:
    env = {**os.environ, compiled.PURE_PYTHON_ENV: "1" if pure else ""}
    done = subprocess.run([sys.executable, "-c", ANSWERS, str(ROOT), str(tmp_path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_make_built_the_compiled_modules_and_they_are_in_use():
    if os.environ.get("BEATBOARD_EXPECT_COMPILED") != "1":
        pytest.skip("make test expects them (BEATBOARD_EXPECT_COMPILED=1); a bare pytest does not")
    assert compiled.usable_build() is not None, "render_server/beats/_compiled is missing or stale: run make"
    assert compiled.in_use() and Path(screenplay.__file__).parent == compiled.COMPILED_DIR


def test_compiled_and_plain_python_give_the_same_beats(tmp_path):
    if compiled.usable_build() is None:
        pytest.skip("the compiled modules are not built (make builds them)")
    built, plain = _answers(tmp_path, pure=False), _answers(tmp_path, pure=True)
    assert built["compiled"] and not plain["compiled"]
    assert len(built["answers"]) >= 15
    for key, answer in plain["answers"].items():
        assert built["answers"][key] == answer, key


def _package_copy(tmp_path: Path) -> Path:
    package = tmp_path / "beats"
    package.mkdir()
    for name in compiled.MODULES:
        shutil.copyfile(ROOT / "render_server" / "beats" / f"{name}.py", package / f"{name}.py")
    return package


def test_a_build_is_used_only_while_it_matches_its_sources(tmp_path, monkeypatch):
    monkeypatch.delenv(compiled.PURE_PYTHON_ENV, raising=False)
    package, build = _package_copy(tmp_path), tmp_path / "_compiled"
    assert compiled.usable_build(package, build) is None  # nothing built
    build.mkdir()
    (build / compiled.STAMP).write_text(compiled.source_digest(package) + "\n")
    assert compiled.usable_build(package, build) == build
    monkeypatch.setenv(compiled.PURE_PYTHON_ENV, "1")
    assert compiled.usable_build(package, build) is None  # turned off
    monkeypatch.delenv(compiled.PURE_PYTHON_ENV)
    source = package / "salience.py"
    source.write_text(source.read_text() + "\n# edited after the build\n")
    assert compiled.usable_build(package, build) is None  # an edited source is never shadowed
