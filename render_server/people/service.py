"""People and projects as the server uses them: who a token is, which projects they see, what
their role there lets them do, and the record of every write.

Other services call ``require`` with the principal the request resolved: a project the
principal is not in answers exactly as a missing thing would (404, no existence leaks); a
role too low answers 403 naming the role needed.
"""

from __future__ import annotations

import re
from typing import Callable, Optional

from .errors import AccessError, forbidden
from .migrations import DEFAULT_PROJECT
from .principal import ROLES, Principal, Role
from .repository import PeopleRepository
from .tokens import digest, new_token

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
# What a file name of a .blend looks like: add-ons before 1.3 sent it as the board's project label.
LEGACY_LABEL = re.compile(r"(?i)^.*\.blend$")

__all__ = ["DEFAULT_PROJECT", "PeopleService"]


def _role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise AccessError(422, "validation_error", f"role {value!r} is not known",
                          f"use one of: {', '.join(ROLES)}") from None


class PeopleService:
    def __init__(self, repo: PeopleRepository):
        self.repo = repo

    # -- users ---------------------------------------------------------------------------------
    def add_user(self, name: str, role: str, project_ref: str = "") -> tuple[str, str]:
        """(the user's name, their new token). The token is shown once; only its digest is kept. They get
        ``role`` in the project named (empty: the default project), which is checked before anything is
        written."""
        name = name.strip()
        if not NAME.match(name):
            raise AccessError(422, "validation_error", f"user name {name!r} is not usable",
                              "1 to 64 letters, digits, '_', '.', '@' or '-', starting with a letter or digit")
        role_ = _role(role)
        if role_ is Role.WORKER and (project_ref or "").strip():
            raise AccessError(422, "validation_error", "a worker is no member of a project",
                              "leave the project out: workers fetch requests and upload frames for every project")
        project = self.project_id(project_ref)
        if self.repo.project(project) is None:
            raise self._no_project(project_ref)
        token = new_token()
        # A worker belongs to no project; everyone else starts as a member of the one named.
        if not self.repo.add_user(name, role_.value, digest(token), "" if role_ is Role.WORKER else project):
            raise AccessError(409, "conflict", f"a user named {name!r} already exists",
                              f"revoke them first (beatboard users revoke {name}) to issue a new token, "
                              "or choose another name")
        return name, token

    def users(self) -> list[dict]:
        return [{"name": r["name"], "role": r["role"], "created_at": r["created_at"],
                 "revoked": r["revoked_at"] is not None, "projects": self.repo.memberships(r["name"])}
                for r in self.repo.users()]

    def revoke(self, name: str) -> None:
        if not self.repo.revoke(name.strip()):
            raise AccessError(404, "not_found", f"no active user {name!r}", "beatboard users list shows them")

    def has_users(self) -> bool:
        return self.repo.active_user_count() > 0

    def authenticate(self, token: str) -> Optional[Principal]:
        """The principal a personal token stands for; None for an unknown or revoked token. Read from
        the database on every request, so a revocation holds from the next request on."""
        row = self.repo.user_by_token(digest(token))
        if row is None:
            return None
        return Principal(row["name"], Role(row["role"]),
                         {p: Role(r) for p, r in self.repo.memberships(row["name"]).items()})

    # -- projects ------------------------------------------------------------------------------
    def project_id(self, ref: str) -> str:
        """The id of the project a request names (its id or name); '' names the default project.
        Boards from add-ons before 1.3 name their .blend file instead: that is the default project."""
        ref = (ref or "").strip()
        if not ref or LEGACY_LABEL.match(ref):
            return DEFAULT_PROJECT
        row = self.repo.project(ref)
        if row is None:
            raise self._no_project(ref)
        return row["id"]

    @staticmethod
    def _no_project(ref: str) -> AccessError:
        return AccessError(404, "not_found", f"no project {ref!r}",
                           "GET /v1/projects lists your projects; leave project out for the default project")

    def create_project(self, principal: Principal, name: str) -> dict:
        self._require_admin(principal, "creating a project")
        name = name.strip()
        if not name or len(name) > 200:
            raise AccessError(422, "validation_error", "a project needs a name of 1 to 200 characters",
                              "e.g. {\"name\": \"The Last Ferry\"}")
        project_id = self.repo.create_project(name, principal.name)
        if project_id is None:
            raise AccessError(409, "conflict", f"a project named {name!r} already exists", "choose another name")
        self.record(principal, project_id, "project.create", name)
        return self.project(principal, project_id)

    def project(self, principal: Principal, ref: str) -> dict:
        row = self.repo.project(ref)
        if row is None or principal.role_in(row["id"]) is None:
            raise self._no_project(ref)
        return {"id": row["id"], "name": row["name"], "role": principal.role_in(row["id"]).value,
                "members": [{"user": m["user"], "role": m["role"]} for m in self.repo.members(row["id"])]}

    def projects(self, principal: Principal) -> list[dict]:
        """The projects the principal belongs to (an admin: all)."""
        return [{"id": r["id"], "name": r["name"], "role": principal.role_in(r["id"]).value}
                for r in self.repo.projects() if principal.role_in(r["id"]) is not None]

    def add_member(self, principal: Principal, project_ref: str, user: str, role: str) -> dict:
        project = self.project(principal, project_ref)["id"]
        self._require_admin(principal, "adding a member")
        role_ = _role(role)
        if role_ is Role.WORKER:
            raise AccessError(422, "validation_error", "a worker is no member of a project",
                              "workers fetch requests and upload frames for every project; give a person a role")
        found = self.repo.user(user.strip())
        if found is None or found["revoked_at"] is not None:
            raise AccessError(404, "not_found", f"no active user {user!r}",
                              f"add them first: beatboard users add {user.strip() or 'NAME'} --role {role_.value}")
        self.repo.set_member(project, found["name"], role_.value)
        self.record(principal, project, "member.set", f"{found['name']}={role_.value}")
        return self.project(principal, project)

    def remove_member(self, principal: Principal, project_ref: str, user: str) -> dict:
        """Take someone out of a project (the default one too): from their next request on, its
        boards, jobs and private actors answer them 404."""
        project = self.project(principal, project_ref)["id"]
        self._require_admin(principal, "removing a member")
        if not self.repo.remove_member(project, user.strip()):
            raise AccessError(404, "not_found", f"{user!r} is no member of project {project_ref!r}",
                              f"GET /v1/projects/{project} lists its members")
        self.record(principal, project, "member.remove", user.strip())
        return self.project(principal, project)

    # -- access --------------------------------------------------------------------------------
    @staticmethod
    def _require_admin(principal: Principal, what: str) -> None:
        if not principal.is_admin:
            raise AccessError(403, "forbidden", f"{what} needs the admin role",
                              "ask an admin (someone with an admin token, or BEATBOARD_TOKEN) to do it")

    def require_admin(self, principal: Principal, what: str) -> None:
        self._require_admin(principal, what)

    def require(self, principal: Principal, project: str, need: Role, what: str,
                missing: Callable[[], Exception]) -> Role:
        """The principal's role in ``project`` if it is ``need`` or higher. Not a member: ``missing()``
        (the error a thing that does not exist gets); a lower role: 403 naming the role needed."""
        role = principal.role_in(project)
        if role is None:
            raise missing()
        if role.rank < need.rank:
            row = self.repo.project(project)
            raise forbidden(need.value, what, project, row["name"] if row else "")
        return role

    def require_project(self, principal: Principal, project_ref: str, need: Role, what: str) -> str:
        """The id of a project named in a request that creates something there, checked."""
        project = self.project_id(project_ref)
        if self.repo.project(project) is None:
            raise self._no_project(project_ref)
        self.require(principal, project, need, what, lambda: self._no_project(project_ref))
        return project

    @staticmethod
    def require_worker(principal: Principal) -> None:
        """For the team-mode worker routes (/v1/worker/*): a worker token, or an admin's."""
        if principal.role not in (Role.WORKER, Role.ADMIN):
            raise AccessError(403, "forbidden", "the worker routes need the worker role",
                              "beatboard worker processes use a token made with: beatboard users add NAME --role worker")

    def require_some_project(self, principal: Principal, need: Role, what: str) -> None:
        """For work that belongs to no project (breaking a script into beats, reading a note): the
        principal needs ``need`` in at least one project."""
        if principal.is_admin or any(r.rank >= need.rank for r in principal.projects.values()):
            return
        raise AccessError(403, "forbidden", f"{what} needs the {need.value} role in some project",
                          f"ask an admin to make you {need.value} in your project (POST /v1/projects/ID/members)")

    def visible_projects(self, principal: Principal, need: Role = Role.VIEWER) -> Optional[set[str]]:
        """The projects where the principal has ``need`` or more; None means every project (admins)."""
        if principal.is_admin:
            return None
        return {p for p, r in principal.projects.items() if r.rank >= need.rank}

    # -- activity ------------------------------------------------------------------------------
    def record(self, principal: Principal, project: str, action: str, target: str = "") -> None:
        self.repo.record(project or DEFAULT_PROJECT, principal.name, action, target)

    def activity(self, principal: Principal, project_ref: str, limit: int = 200) -> list[dict]:
        project = self.project(principal, project_ref)["id"]
        self.require(principal, project, Role.DIRECTOR, "reading a project's activity", lambda: self._no_project(project_ref))
        return [{"id": r["id"], "user": r["user"], "action": r["action"], "target": r["target"], "at": r["at"]}
                for r in self.repo.activity(project, limit)]
