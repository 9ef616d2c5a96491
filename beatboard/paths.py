"""Where things live in a source checkout."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ADDON_DIR = REPO / "blender_addon"
SCHEMA_DIR = REPO / "shared_schema"
BUILD_DIR = REPO / "build"
EXAMPLE_SCRIPT = REPO / "examples" / "the_last_ferry.fountain"
