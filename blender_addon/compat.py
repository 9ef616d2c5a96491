"""Blender APIs that moved between the releases the add-on supports (4.2 LTS, 4.5 LTS, 5.0).

Every use of such an API goes through here, so a new Blender release means changing
this file only. Features are detected, not version numbers compared: a point release
that back-ports an API then just works.

- ``SequenceEditor.strips`` / ``strips_all`` exist from 4.4 on; ``sequences`` /
  ``sequences_all`` before, kept as aliases up to 4.5 and removed in 5.0.

Unchanged across 4.2-5.0, and exercised on each by the compatibility tests: ``new_image``'s
keywords, ``frame_final_*``, ``channel``, ``active_strip``, custom properties on strips, and
``bpy.ops.extensions.package_install_files``.
"""

from __future__ import annotations


def strips(sequence_editor):
    """The editor's top-level strips (a collection with ``new_image``, ``remove``, ``[name]``)."""
    collection = getattr(sequence_editor, "strips", None)
    return collection if collection is not None else sequence_editor.sequences


def all_strips(sequence_editor):
    """Every strip, inside meta strips too."""
    collection = getattr(sequence_editor, "strips_all", None)
    return collection if collection is not None else sequence_editor.sequences_all


def new_image_strip(sequence_editor, *, name: str, filepath: str, channel: int, frame_start: int,
                    fit_method: str = "FIT"):
    """An image strip with one image, placed at ``frame_start`` on ``channel``."""
    return strips(sequence_editor).new_image(name=name, filepath=filepath, channel=channel,
                                             frame_start=frame_start, fit_method=fit_method)
