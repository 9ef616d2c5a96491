"""The actor store's one error: a code the API maps to a status, a message, and a hint."""

from __future__ import annotations


class ActorStoreError(ValueError):
    def __init__(self, code: str, message: str, hint: str = ""):
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint
