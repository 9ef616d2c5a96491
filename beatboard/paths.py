"""Where things live: in a source checkout, and (the example) in an installed package too."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPO = PACKAGE.parent
ADDON_DIR = REPO / "blender_addon"
SCHEMA_DIR = REPO / "shared_schema"
BUILD_DIR = REPO / "build"
# Package data, so `beatboard demo` works from a wheel; examples/ in the checkout links to it.
EXAMPLE_SCRIPT = PACKAGE / "examples" / "the_last_ferry.fountain"
