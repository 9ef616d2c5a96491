"""Bounds on the wire: every number a range, every string and list a length cap.

A bound lives in the dataclass field's ``metadata`` so that one declaration serves both
sides. Pydantic (FastAPI) reads the keys it knows (``ge``, ``le``, ``min_length``,
``max_length``, ``json_schema_extra``) from ``dataclasses.field(metadata=...)``, so the
server refuses out-of-range bodies and the OpenAPI document shows the bounds to clients
and fuzzers. ``items`` (bounds on each element of a list or tuple) is ours alone:
``check_limits`` in the codec enforces it, and ``json_schema_extra`` documents it.

Stdlib only: Blender imports this too.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Optional

# Caps shared by many fields. A name is a character or shot label; a text is a sentence or
# a paragraph (notes, descriptions); a prompt is what a diffusion model reads (SD's CLIP
# reads 77 tokens: a few hundred characters; 4,000 leaves room for hints and notes).
NAME_CHARS = 200
TEXT_CHARS = 4_000
PROMPT_CHARS = 4_000
SCRIPT_CHARS = 5_000_000  # a 120-page screenplay is about 250 KB; the beats service's own cap
# A cap this large is a size, not a length: a body over it is refused as too large (413).
PAYLOAD_CHARS = 1_000_000
LIST_ITEMS = 200
MAX_SEED = 2**32 - 1  # torch.Generator.manual_seed takes any 64-bit value; 32 bits are what UIs show
MAX_SIDE = 4096
MAX_VARIATIONS = 16
MAX_STEPS = 150
MAX_ACTORS = 64  # actors in one shot; label masks are uint8, so 255 is the hard ceiling
# Base64 of the largest depth map (4096 x 4096 float32, 64 MB) is beyond the body cap anyway;
# this keeps one field from being the whole body.
MAX_B64_CHARS = 48_000_000
REQUIRED: Any = dataclasses.MISSING  # as a field's default: the field has none
MAX_COORD = 1e5  # metres, or pixels for keypoints: far beyond any stage or frame


def _document_items(items: dict) -> Callable[[dict], None]:
    """Add the per-element bounds to the JSON Schema pydantic generated for the field."""

    def add(schema: dict) -> None:
        for target in _array_schemas(schema):
            prefix = target.get("prefixItems")
            if prefix and all(item == prefix[0] for item in prefix):
                # A tuple of one type (a colour, a location) reads as plain items with minItems =
                # maxItems; some OpenAPI tools mishandle bounds inside prefixItems.
                target["items"] = dict(prefix[0])
                del target["prefixItems"]
            if isinstance(target.get("items"), dict):
                target["items"].update(_json_bounds(items))
            for item in target.get("prefixItems", []):
                item.update(_json_bounds(items))

    return add


def _array_schemas(schema: dict):
    if schema.get("type") == "array":
        yield schema
    for option in schema.get("anyOf", []):
        if option.get("type") == "array":
            yield option


_JSON_NAMES = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum",
               "min_length": "minLength", "max_length": "maxLength"}


def _json_bounds(bounds: dict) -> dict:
    return {_JSON_NAMES[k]: v for k, v in bounds.items() if k in _JSON_NAMES}


def bounded(default: Any = dataclasses.MISSING, *, default_factory: Any = dataclasses.MISSING,
            ge: Optional[float] = None, le: Optional[float] = None, gt: Optional[float] = None,
            lt: Optional[float] = None, min_length: Optional[int] = None, max_length: Optional[int] = None,
            items: Optional[dict] = None, strict: Optional[bool] = None, hint: str = "") -> Any:
    """A dataclass field with bounds. ``max_length`` caps a string's characters or a list's
    items; ``items`` bounds each element (``{"ge": 0, "le": 1}`` or ``{"max_length": 200}``).

    ``hint`` is what a refusal tells the user to do (default: the range in words).
    A number with a range is also strict: pydantic then takes JSON numbers only, as the codec
    does, not ``"12"`` or ``true`` (its lax mode would read those as 12 and 1).
    """
    metadata: dict[str, Any] = {}
    if strict is None:
        strict = any(bound is not None for bound in (ge, le, gt, lt))
    if strict:
        metadata["strict"] = True
    if hint:
        metadata["hint"] = hint
    for key, value in (("ge", ge), ("le", le), ("gt", gt), ("lt", lt), ("min_length", min_length),
                       ("max_length", max_length)):
        if value is not None:
            metadata[key] = value
    if items:
        metadata["items"] = dict(items)
        metadata["json_schema_extra"] = _document_items(items)
    return dataclasses.field(default=default, default_factory=default_factory, metadata=metadata)


def short_text(default: Any = "", **kwargs) -> Any:
    return bounded(default, max_length=NAME_CHARS, **kwargs)


def long_text(default: Any = "", max_length: int = TEXT_CHARS) -> Any:
    return bounded(default, max_length=max_length)


def short_texts(max_items: int = LIST_ITEMS) -> Any:
    return bounded(default_factory=list, max_length=max_items, items={"max_length": NAME_CHARS})


def long_texts(max_items: int = LIST_ITEMS) -> Any:
    return bounded(default_factory=list, max_length=max_items, items={"max_length": TEXT_CHARS})
