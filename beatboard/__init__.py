"""Beatboard tooling: the CLI, the extension build, and the headless Blender driver."""

from shared_schema.version import PACKAGE_VERSION as __version__

__all__ = ["__version__"]
