from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

# One math thread per process, set before anything imports torch or numpy: the tests' models are
# tiny, so extra threads only add synchronisation, and the test process, a render server and
# Blender often run at once on two cores (measured: the diffusers tests took a quarter of the time).
os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest  # noqa: E402

from beatboard.blender_python import blender_python
from beatboard.extension_build import build_extension
from beatboard.paths import REPO
from beatboard.server_process import ServerProcess

EXAMPLE = REPO / "examples" / "the_last_ferry.fountain"
# open_clip's CLIP architecture at tiny sizes, random weights: embeddings cost milliseconds, not
# the seconds of a ViT-B-32. Every server the tests start (in process or not) inherits it.
TINY_CLIP = Path(__file__).with_name("tiny_clip.json")
os.environ.setdefault("BEATBOARD_CLIP_MODEL", str(TINY_CLIP))

# Starlette's TestClient names its host "testserver"; token-less servers answer only to the
# host names they are told (tests of that check set allowed_hosts themselves).
os.environ.setdefault("BEATBOARD_ALLOWED_HOSTS", "testserver")


@pytest.fixture(scope="session")
def extension_zip(tmp_path_factory) -> Path:
    return build_extension(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def clip_embedder():
    from render_server.actors.embedder import ClipEmbedder

    return ClipEmbedder(os.environ["BEATBOARD_CLIP_MODEL"])


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict:
    """Tiny random-weight SD 1.5 models, ControlNets and LoRAs (about 10 s, made once)."""
    from render_server.diffusion.tiny_models import make_tiny_models

    return make_tiny_models(tmp_path_factory.mktemp("tiny-models"))


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    with ServerProcess(tmp_path_factory.mktemp("server-data")) as running:
        yield running


def run_blender(code: str, tmp_path: Path, timeout: float = 120.0, env: dict | None = None) -> dict:
    """Run ``code`` in a fresh Python process with bpy (``BEATBOARD_BLENDER_PYTHON``, else this
    interpreter's); it must print one JSON line last."""
    script = tmp_path / "blender_script.py"
    script.write_text(textwrap.dedent(code))
    user_resources = tmp_path / "blender-user"
    user_resources.mkdir(exist_ok=True)
    full_env = {**os.environ, "BLENDER_USER_RESOURCES": str(user_resources), "PYTHONPATH": str(REPO),
                "PYTHONUNBUFFERED": "1", **(env or {})}
    completed = subprocess.run([blender_python(), str(script)], capture_output=True, text=True, timeout=timeout,
                               env=full_env, cwd=tmp_path)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not lines:
        raise AssertionError(f"Blender script failed ({completed.returncode}):\n{completed.stdout[-4000:]}\n"
                             f"{completed.stderr[-4000:]}")
    result = json.loads(lines[-1])
    result["_stderr"] = completed.stderr
    return result


INSTALL_SNIPPET = """
import bpy, json, sys, time
bpy.ops.wm.read_factory_settings(use_empty=True)
bpy.ops.extensions.package_install_files(filepath={zip!r}, repo="user_default", enable_on_install=True)
ADDON = "bl_ext.user_default.beatboard"
from bl_ext.user_default.beatboard import compat  # strips on every supported Blender
"""


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A real redis-server on a free loopback port with its own data folder (team-mode tests)."""
    from beatboard.team_processes import REDIS, RedisProcess

    if REDIS is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server; .ci/system-packages.sh does it)")
    running = RedisProcess(tmp_path_factory.mktemp("redis")).start()
    try:
        yield running
    finally:
        running.stop()
