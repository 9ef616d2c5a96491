"""The extension zip, installed into real Blender (the bpy module) the way a user installs it."""

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from beatboard.blender_python import blender_python
from beatboard.extension_build import manifest_version
from beatboard.paths import ADDON_DIR
from shared_schema.version import PACKAGE_VERSION
from tests.conftest import INSTALL_SNIPPET, run_blender

OPERATORS = ["load_script", "break_into_beats", "block_out_shots", "render_storyboard", "refresh_models", "cancel",
             "beat_add", "beat_remove", "beat_move"]
PANELS = ["BEATBOARD_PT_view3d", "BEATBOARD_PT_sequencer"]
# What Blender itself provides to add-ons, beyond the standard library.
BLENDER_MODULES = {"bpy", "bmesh", "mathutils", "bpy_extras", "numpy", "requests", "gpu", "blf", "aud"}


def test_manifest_version_equals_the_package_version():
    assert manifest_version() == PACKAGE_VERSION


def _blender_extension_tool(python: str) -> tuple[Path, Path]:
    """Blender's own extension tool (``blender --command extension``) and its list of valid tags,
    as shipped inside the bpy module of ``python``; found without importing bpy."""
    found = subprocess.run([python, "-c", "import importlib.util; "
                            "print(importlib.util.find_spec('bpy').submodule_search_locations[0])"],
                           capture_output=True, text=True, check=True).stdout.strip()
    tools = sorted(Path(found).glob("*/scripts/addons_core/bl_pkg/cli/blender_ext.py"))
    tags = sorted(Path(found).glob("*/scripts/modules/_bpy_internal/extensions/tags.py"))
    assert tools and tags, f"no extension validator in the bpy at {found}"
    return tools[-1], tags[-1]


@pytest.mark.compat
def test_blenders_own_validator_accepts_the_zip(extension_zip):
    """What the extensions platform runs on upload (manifest fields, lengths, tags, files)."""
    python = blender_python()
    tool, tags = _blender_extension_tool(python)
    completed = subprocess.run([python, str(tool), "validate", str(extension_zip), "--valid-tags", str(tags)],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "FATAL_ERROR" not in completed.stdout and "Success" in completed.stdout


def test_zip_carries_the_addon_and_shared_schema_and_no_bytecode(extension_zip):
    names = zipfile.ZipFile(extension_zip).namelist()
    assert "blender_manifest.toml" in names and "__init__.py" in names
    assert "shared_schema/models.py" in names and "core/client.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_addon_imports_nothing_blender_does_not_ship():
    allowed = set(sys.stdlib_module_names) | BLENDER_MODULES
    offenders = []
    for path in ADDON_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] not in allowed | {"shared_schema"}]
    assert not offenders, "the add-on may use only the stdlib and what Blender bundles"


@pytest.mark.blender
@pytest.mark.compat
def test_zip_installs_registers_and_survives_enable_disable_enable(extension_zip, tmp_path):
    result = run_blender(INSTALL_SNIPPET.format(zip=str(extension_zip)) + f"""
import io, contextlib
def registered():
    return {{
        "operators": [name for name in {OPERATORS!r} if hasattr(bpy.types, "BEATBOARD_OT_" + name)],
        "panels": [name for name in {PANELS!r} if hasattr(bpy.types, name)],
        "scene_props": hasattr(bpy.types.Scene, "beatboard"),
        "prefs": ADDON in bpy.context.preferences.addons,
    }}
first = registered()
op_ids = [getattr(bpy.ops.beatboard, name).idname_py() for name in {OPERATORS!r}]
bpy.ops.preferences.addon_disable(module=ADDON)
after_disable = registered()
leftover = [name for name in dir(bpy.types) if name.startswith("BEATBOARD_")]
bpy.ops.preferences.addon_enable(module=ADDON)
again = registered()
bpy.context.scene.beatboard.beat_count = 4
print(json.dumps({{"first": first, "after_disable": after_disable, "leftover": leftover, "again": again,
                  "op_ids": op_ids}}))
""", tmp_path)
    assert result["first"]["operators"] == OPERATORS
    assert result["first"]["panels"] == PANELS
    assert result["first"]["scene_props"] and result["first"]["prefs"]
    assert result["op_ids"][0] == "beatboard.load_script"
    assert result["after_disable"] == {"operators": [], "panels": [], "scene_props": False, "prefs": False}
    assert result["leftover"] == []
    assert result["again"] == result["first"]
    assert "Traceback" not in result["_stderr"] and "Error" not in result["_stderr"]
