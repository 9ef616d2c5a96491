"""Which Python runs Blender (the bpy module) for the headless board and the tests.

``BEATBOARD_BLENDER_PYTHON`` names an interpreter with another bpy (say Blender 4.2 LTS in
its own virtual environment, ``make compat-envs``); unset, it is this interpreter.
"""

from __future__ import annotations

import os
import shutil
import sys

ENV_VAR = "BEATBOARD_BLENDER_PYTHON"


class BlenderPythonError(RuntimeError):
    pass


def blender_python() -> str:
    named = os.environ.get(ENV_VAR, "").strip()
    if not named:
        return sys.executable
    found = shutil.which(named)
    if found is None:
        raise BlenderPythonError(f"{ENV_VAR}={named} is not an executable Python; point it at the python of a "
                                 f"virtual environment with bpy installed (e.g. .venv-bpy42/bin/python), or unset it")
    return os.path.abspath(found)  # not resolve(): a venv python is a symlink that must stay in its venv
