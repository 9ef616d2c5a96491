"""The people service's one error: the status it maps to, a code, a message and a hint."""

from __future__ import annotations


class AccessError(Exception):
    def __init__(self, status: int, code: str, message: str, hint: str = ""):
        super().__init__(message)
        self.status, self.code, self.message, self.hint = status, code, message, hint


def forbidden(need: str, what: str, project: str, name: str = "") -> AccessError:
    """A role too low in a project the caller is in: the project by the name people know it by, its id
    in the hint (for the request that fixes it)."""
    return AccessError(403, "forbidden", f"{what} needs the {need} role in project {(name or project)!r}",
                       f"ask an admin to make you {need} in {(name or project)!r} (project id {project}: "
                       f"POST /v1/projects/{project}/members {{\"user\": ..., \"role\": \"{need}\"}})")
