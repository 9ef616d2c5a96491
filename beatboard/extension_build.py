"""Build the Blender extension zip: the add-on with shared_schema copied inside it."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from shared_schema.version import PACKAGE_VERSION

from .paths import ADDON_DIR, BUILD_DIR, SCHEMA_DIR

EXTENSION_ID = "beatboard"


class BuildError(RuntimeError):
    pass


def manifest_version(manifest: Path = ADDON_DIR / "blender_manifest.toml") -> str:
    match = re.search(r'^version\s*=\s*"([^"]+)"', manifest.read_text(), re.MULTILINE)
    if not match:
        raise BuildError(f"{manifest} has no version line")
    return match.group(1)


def _sources(root: Path):
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            yield path


def build_extension(out_dir: Path = BUILD_DIR) -> Path:
    version = manifest_version()
    if version != PACKAGE_VERSION:
        raise BuildError(f"blender_manifest.toml says {version} but the package is {PACKAGE_VERSION}; "
                         "make them equal before building")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{EXTENSION_ID}-{version}.zip"
    tmp = target.with_suffix(".zip.part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in _sources(ADDON_DIR):
            archive.write(path, path.relative_to(ADDON_DIR).as_posix())
        for path in _sources(SCHEMA_DIR):
            archive.write(path, ("shared_schema" / path.relative_to(SCHEMA_DIR)).as_posix())
    tmp.replace(target)
    return target


if __name__ == "__main__":
    print(build_extension())
