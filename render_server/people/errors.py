"""The people service's one error: the status it maps to, a code, a message and a hint."""

from __future__ import annotations


class AccessError(Exception):
    def __init__(self, status: int, code: str, message: str, hint: str = ""):
        super().__init__(message)
        self.status, self.code, self.message, self.hint = status, code, message, hint


def forbidden(need: str, what: str, project: str) -> AccessError:
    return AccessError(403, "forbidden", f"{what} needs the {need} role in project {project!r}",
                       f"ask an admin to make you {need} there (POST /v1/projects/{project}/members "
                       f"{{\"user\": ..., \"role\": \"{need}\"}})")
