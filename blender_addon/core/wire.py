"""Where the add-on finds shared_schema.

The extension build copies shared_schema into the add-on package; from a source
checkout (plain pytest) the top-level package is the same code.
"""

try:
    from .. import shared_schema as wire  # inside the built extension
except ImportError:
    import shared_schema as wire  # type: ignore[no-redef]  # source checkout

__all__ = ["wire"]
