"""Beats: a script broken into the moments a storyboard shows (see service.py)."""

from .compiled import usable_build

# The compiled hot modules (compiled.py), while they match the sources: found before the .py files.
_build = usable_build()
if _build is not None:
    __path__.insert(0, str(_build))
