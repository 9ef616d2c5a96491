"""JSON round-trip for the wire dataclasses, stdlib only (Blender has no pydantic).

``to_dict`` turns a dataclass into plain JSON types; ``from_dict`` builds and checks
one from parsed JSON, naming the exact field that is wrong. ``check_limits`` holds a
decoded body to the bounds declared on its fields (``shared_schema.limits``).

Compatibility (the minor-version rule): a decoder ignores fields it does not know, so an
older client reads what a newer server of the same major version sends. Limits are checked
where a body is accepted (the server, on requests), never when reading a response, so a
later release may widen a cap without breaking older clients.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from enum import Enum
from functools import lru_cache
from typing import Any, TypeVar

T = TypeVar("T")


class SchemaError(ValueError):
    """Parsed JSON does not fit the wire type; ``path`` names the field."""

    def __init__(self, path: str, problem: str, bounds: dict | None = None):
        super().__init__(f"{path or 'body'}: {problem}")
        self.path = path
        self.problem = problem
        self.bounds = bounds or {}  # the field's declared bounds, when those were broken


def to_dict(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, (list, tuple)):
        return [to_dict(item) for item in obj]
    if isinstance(obj, dict):
        return {str(k): to_dict(v) for k, v in obj.items()}
    return obj


def dumps(obj: Any) -> str:
    return json.dumps(to_dict(obj), separators=(",", ":"))


def loads(cls: type[T], text: str | bytes) -> T:
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SchemaError("", f"not valid JSON ({exc})") from None
    return from_dict(cls, data)


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_dict(cls: type[T], data: Any, path: str = "") -> T:
    return _convert(cls, data, path)


def _convert(tp: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value, path)
    if dataclasses.is_dataclass(tp):
        return _convert_dataclass(tp, value, path)
    if isinstance(tp, type) and issubclass(tp, Enum):
        try:
            return tp(value)
        except ValueError:
            allowed = ", ".join(repr(m.value) for m in tp)
            raise SchemaError(path, f"{value!r} is not one of {allowed}") from None
    if origin is list:
        if not isinstance(value, list):
            raise SchemaError(path, f"expected a list, got {type(value).__name__}")
        return [_convert(args[0], v, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise SchemaError(path, f"expected a list, got {type(value).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, f"{path}[{i}]") for i, v in enumerate(value))
        if len(value) != len(args):
            raise SchemaError(path, f"expected {len(args)} items, got {len(value)}")
        return tuple(_convert(a, v, f"{path}[{i}]") for i, (a, v) in enumerate(zip(args, value)))
    if origin is dict:
        if not isinstance(value, dict):
            raise SchemaError(path, f"expected an object, got {type(value).__name__}")
        return {k: _convert(args[1], v, f"{path}.{k}") for k, v in value.items()}
    return _convert_scalar(tp, value, path)


def _convert_scalar(tp: Any, value: Any, path: str) -> Any:
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SchemaError(path, f"expected a number, got {value!r}")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise SchemaError(path, f"expected an integer, got {value!r}")
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise SchemaError(path, f"expected true or false, got {value!r}")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise SchemaError(path, f"expected a string, got {value!r}")
        return value
    raise SchemaError(path, f"unsupported type {tp!r}")


def _convert_dataclass(cls: type, value: Any, path: str) -> Any:
    if isinstance(value, cls):
        return value
    if not isinstance(value, dict):
        raise SchemaError(path, f"expected an object for {cls.__name__}, got {type(value).__name__}")
    hints = _hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}  # fields this version does not know are ignored: they come from a newer minor version
    for name, f in known.items():
        sub = f"{path}.{name}" if path else name
        if name in value:
            kwargs[name] = _convert(hints[name], value[name], sub)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise SchemaError(sub, "is required")
    return cls(**kwargs)


def check_limits(obj: Any, path: str = "") -> None:
    """Hold a decoded body to its fields' bounds; raise SchemaError naming the first field out of them.

    Beyond the declared bounds, every number must be finite (JSON's NaN and 1e999 are not
    data) and every string encodable as UTF-8 (a lone surrogate such as "\\ud800" is not text).
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            sub = f"{path}.{f.name}" if path else f.name
            value = getattr(obj, f.name)
            if value is None:
                continue
            _check_bounds(value, f.metadata, sub)
            items = f.metadata.get("items")
            if items and isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    _check_bounds(item, items, f"{sub}[{i}]")
            check_limits(value, sub)
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            check_limits(item, f"{path}[{i}]")
    elif isinstance(obj, dict):
        for key, item in obj.items():
            check_limits(key, f"{path}.{key!s}")
            check_limits(item, f"{path}.{key!s}")
    elif isinstance(obj, float) and not math.isfinite(obj):
        raise SchemaError(path, f"{obj!r} is not a finite number")
    elif isinstance(obj, str) and not isinstance(obj, Enum):
        try:
            obj.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise SchemaError(path, f"is not valid Unicode text (a lone surrogate at character {exc.start})") from None


def _check_bounds(value: Any, bounds: Any, path: str) -> None:
    if not bounds:
        return
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        for key, ok, words in (("ge", lambda v, b: v >= b, "at least"), ("le", lambda v, b: v <= b, "at most"),
                               ("gt", lambda v, b: v > b, "more than"), ("lt", lambda v, b: v < b, "less than")):
            if key in bounds and isinstance(value, (int, float)) and not (math.isnan(value) or ok(value, bounds[key])):
                raise SchemaError(path, f"{value!r} is out of range: it must be {words} {bounds[key]}", bounds)
    if isinstance(value, (str, list, tuple)) and not isinstance(value, Enum):
        unit = "characters" if isinstance(value, str) else "items"
        if "max_length" in bounds and len(value) > bounds["max_length"]:
            raise SchemaError(path, f"is too long: {len(value)} {unit}, at most {bounds['max_length']} allowed",
                              bounds)
        if "min_length" in bounds and len(value) < bounds["min_length"]:
            raise SchemaError(path, f"is too short: {len(value)} {unit}, at least {bounds['min_length']} needed",
                              bounds)
