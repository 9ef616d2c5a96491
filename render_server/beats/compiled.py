"""The beat extractor's hot modules compiled with Cython, used only while they match the source.

A feature's extraction walks thousands of paragraphs through the parser, presence tracking and
salience; compiled, the same Python runs about a quarter faster. ``make`` builds them into
``_compiled/`` beside this file (``python -m render_server.beats.compiled build``), with a stamp
holding the digest of the sources they were built from. The package puts that folder first on
its ``__path__`` only while the digest still matches: an edited source is never shadowed by an
old build, and without Cython or a C compiler everything runs as plain Python.
BEATBOARD_PURE_PYTHON=1 turns the compiled modules off.

The modules are compiled as they are written (``annotation_typing`` off: annotations are not
turned into C types or checks), so they behave as the Python does; a test compares the answers
of both on real scripts.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
COMPILED_DIR = PACKAGE_DIR / "_compiled"
STAMP = ".source-digest"
MODULES = ("words", "phrases", "fountain_paragraphs", "cast", "screenplay", "presence", "salience", "selection",
           "story_shape", "offline")
PURE_PYTHON_ENV = "BEATBOARD_PURE_PYTHON"


def source_digest(package_dir: Path = PACKAGE_DIR) -> str:
    """What a build is built from: the sources of MODULES and the interpreter's ABI."""
    digest = hashlib.sha256(sysconfig.get_config_var("EXT_SUFFIX").encode())
    for name in MODULES:
        digest.update(name.encode() + b"\0" + (package_dir / f"{name}.py").read_bytes() + b"\0")
    return digest.hexdigest()


def usable_build(package_dir: Path = PACKAGE_DIR, compiled_dir: Path = COMPILED_DIR) -> Path | None:
    """The folder of compiled modules to import from, or None for plain Python: none built, built
    from other sources, or turned off."""
    if os.environ.get(PURE_PYTHON_ENV, "") not in ("", "0"):
        return None
    try:
        stamp = (compiled_dir / STAMP).read_text().strip()
    except OSError:
        return None
    return compiled_dir if stamp == source_digest(package_dir) else None


def in_use() -> bool:
    """Are this process's beats modules the compiled ones?"""
    module = sys.modules.get(f"{__package__}.screenplay")
    return bool(module and Path(module.__file__ or "").suffix in (".so", ".pyd"))


def build(package_dir: Path = PACKAGE_DIR, compiled_dir: Path = COMPILED_DIR) -> Path:
    """Compile MODULES into ``compiled_dir`` (replacing what is there) and stamp it."""
    from Cython.Build import cythonize  # build time only
    from setuptools import Distribution
    from setuptools.command.build_ext import build_ext

    digest = source_digest(package_dir)
    with tempfile.TemporaryDirectory(prefix="beatboard-cython-") as scratch:
        work = Path(scratch)
        sources = []
        for name in MODULES:
            # Copied under the package's own dotted path, so each module is compiled with its
            # full name (relative imports and pickling see render_server.beats.<name>).
            target = work / "render_server" / "beats" / f"{name}.py"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(package_dir / f"{name}.py", target)
            sources.append(str(target.relative_to(work)))
        for init in (work / "render_server" / "__init__.py", work / "render_server" / "beats" / "__init__.py"):
            init.touch()
        cwd = os.getcwd()
        os.chdir(work)
        try:
            extensions = cythonize(sources, language_level=3, quiet=True, nthreads=os.cpu_count() or 1,
                                   compiler_directives={"annotation_typing": False, "binding": True})
            distribution = Distribution({"ext_modules": extensions})
            command = build_ext(distribution)
            command.inplace = True
            command.parallel = os.cpu_count() or 1
            command.ensure_finalized()
            command.run()
        finally:
            os.chdir(cwd)
        staged = Path(tempfile.mkdtemp(prefix="_compiled.", dir=compiled_dir.parent))
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        for name in MODULES:
            shutil.copyfile(work / "render_server" / "beats" / f"{name}{suffix}", staged / f"{name}{suffix}")
        (staged / STAMP).write_text(digest + "\n")
    if compiled_dir.exists():
        shutil.rmtree(compiled_dir)
    staged.rename(compiled_dir)
    return compiled_dir


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["build"]:
        if usable_build() is not None:
            (COMPILED_DIR / STAMP).touch()  # for make: newer than the sources it was checked against
            print(f"beats: compiled modules up to date in {COMPILED_DIR}")
            return 0
        try:
            build()
        except Exception as exc:  # noqa: BLE001 - any failure leaves plain Python, which works
            print(f"beats: not compiled ({type(exc).__name__}: {exc}); the beat extractor runs as plain Python",
                  file=sys.stderr)
            return 1
        print(f"beats: compiled {len(MODULES)} modules into {COMPILED_DIR}")
        return 0
    if args == ["status"]:
        print("compiled" if usable_build() is not None else "plain Python")
        return 0
    print("usage: python -m render_server.beats.compiled build|status", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
