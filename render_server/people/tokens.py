"""Personal tokens: made with ``secrets``, shown once, kept only as a SHA-256 digest.

A token is 32 random bytes (``secrets.token_urlsafe(32)``, 256 bits). A slow password KDF
(bcrypt, scrypt, argon2) protects low-entropy secrets against guessing; nothing can guess
256 random bits, so a plain SHA-256 is enough and lets every request find its user by one
indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "bb_"  # tells a Beatboard token from BEATBOARD_TOKEN or a pasted password in logs and scanners


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()
