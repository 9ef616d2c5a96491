"""Beatboard's wire format: stdlib dataclasses and enums shared by add-on and server."""

from .codec import SchemaError, check_limits, dumps, from_dict, loads, to_dict
from .enums import *  # noqa: F401,F403 - the enums are the public vocabulary
from .models import *  # noqa: F401,F403 - the dataclasses are the public wire
from .version import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "SchemaError", "check_limits", "dumps", "from_dict", "loads", "to_dict"]
