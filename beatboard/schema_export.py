"""Generate shared_schema/schema.json from the wire dataclasses (run: python -m beatboard.schema_export)."""

from __future__ import annotations

import json
import sys

from pydantic import TypeAdapter

from shared_schema import SCHEMA_VERSION
from shared_schema.models import WIRE_TYPES

from .paths import SCHEMA_DIR

SCHEMA_FILE = SCHEMA_DIR / "schema.json"


def generate() -> str:
    definitions: dict = {}
    roots = {}
    for cls in WIRE_TYPES:
        schema = TypeAdapter(cls).json_schema(ref_template="#/$defs/{model}")
        definitions.update(schema.pop("$defs", {}))
        definitions[cls.__name__] = schema
        roots[cls.__name__] = {"$ref": f"#/$defs/{cls.__name__}"}
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Beatboard wire format",
        "version": SCHEMA_VERSION,
        "properties": roots,
        "$defs": dict(sorted(definitions.items())),
    }
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def main() -> int:
    SCHEMA_FILE.write_text(generate())
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
