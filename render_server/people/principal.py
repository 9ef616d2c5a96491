"""Who is asking: a user, their studio-wide role, and their role in each project they belong to."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Optional


class Role(str, Enum):
    VIEWER = "viewer"
    ARTIST = "artist"
    DIRECTOR = "director"
    ADMIN = "admin"
    WORKER = "worker"  # render machines in team mode: /v1/worker/* and nothing else

    @property
    def rank(self) -> int:
        return _RANK[self]


# Each role may do what the ones below it may. A worker ranks below a viewer: it reads no project.
_RANK = {Role.WORKER: -1, Role.VIEWER: 0, Role.ARTIST: 1, Role.DIRECTOR: 2, Role.ADMIN: 3}
ROLES = tuple(r.value for r in Role)
WORKER_PREFIX = "/v1/worker/"


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    projects: dict[str, Role] = field(default_factory=dict)  # project id -> role there

    def role_in(self, project: str) -> Optional[Role]:
        """The role in an existing project; None when not a member (admins belong to every project)."""
        if self.role is Role.ADMIN:
            return Role.ADMIN
        if self.role is Role.WORKER:
            return None
        return self.projects.get(project)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def may_call(self, path: str) -> bool:
        """A worker token reaches only the worker routes; every other role reaches every route (the
        services then decide per project)."""
        return self.role is not Role.WORKER or path.startswith(WORKER_PREFIX)


# A server with no token and no users (loopback only, one person) and BEATBOARD_TOKEN: admins.
LOCAL = Principal("local", Role.ADMIN)
TOKEN_ADMIN = Principal("admin", Role.ADMIN)
