"""Read a script file as text whatever its encoding (UTF-8, UTF-16 with BOM, Latin-1)."""

from __future__ import annotations

import codecs
import os

MAX_SCRIPT_BYTES = 10 * 1024 * 1024  # the server refuses more than 5 million characters


class ScriptFileError(ValueError):
    pass


def decode_script(raw: bytes) -> str:
    if b"\x00" in raw[:4096] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ScriptFileError("this file looks binary, not a script; save it as Fountain (.fountain) or plain text")
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(encoding)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def read_script(path: str) -> str:
    size = os.path.getsize(path)
    if size > MAX_SCRIPT_BYTES:
        raise ScriptFileError(f"{os.path.basename(path)} is {size / 1e6:.0f} MB; scripts over "
                              f"{MAX_SCRIPT_BYTES // (1024 * 1024)} MB are refused (is it the right file?)")
    with open(path, "rb") as handle:
        text = decode_script(handle.read())
    if not text.strip():
        raise ScriptFileError(f"{os.path.basename(path)} is empty")
    return text
