"""Beatboard's local render server."""

from shared_schema.version import PACKAGE_VERSION as __version__

__all__ = ["__version__"]
