"""`beatboard demo` as a user gets it: from a built wheel (not this checkout), in any folder."""

import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from PIL import Image

from beatboard.paths import REPO

pytestmark = [pytest.mark.blender, pytest.mark.slow]

SKIP = shutil.ignore_patterns(".git", ".venv*", "build", "out", "*.egg-info", "__pycache__", ".pytest_cache")


def _installed_from_a_wheel(tmp_path) -> str:
    """Build the wheel from a copy of the checkout (builds write into their source folder) and
    unpack it as pip installs a pure-Python wheel; returns the folder to put on PYTHONPATH."""
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=SKIP, symlinks=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "--disable-pip-version-check", "-w", str(tmp_path / "dist"), str(source)], check=True)
    site = tmp_path / "site"
    (wheel,) = (tmp_path / "dist").glob("beatboard-*.whl")
    zipfile.ZipFile(wheel).extractall(site)
    return str(site)


def test_demo_runs_from_a_wheel_in_any_folder_and_uses_the_data_dir_it_is_given(tmp_path):
    site = _installed_from_a_wheel(tmp_path)
    elsewhere, data = tmp_path / "elsewhere", tmp_path / "my-data"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": site, "BEATBOARD_DATA_DIR": str(data)}
    where = subprocess.run([sys.executable, "-c", "import beatboard; print(beatboard.__file__)"], env=env,
                           cwd=elsewhere, capture_output=True, text=True, check=True).stdout
    assert where.startswith(site), "the test must run the installed copy, not this checkout"

    demo = subprocess.run([sys.executable, "-m", "beatboard.cli", "demo"], env=env, cwd=elsewhere,
                          capture_output=True, text=True, timeout=600)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert (elsewhere / "out" / "demo.blend").is_file()
    assert Image.open(elsewhere / "out" / "contact_sheet.png").size[0] > 1000
    assert f"data in {data}" in demo.stdout
    assert (data / "jobs.sqlite3").is_file() and not (elsewhere / "out" / "server-data").exists()
    assert not (tmp_path / "site" / "build").exists(), "the extension zip is built outside the installed package"
