"""Projects, their members and activity, and users (admins issue and revoke tokens)."""

from __future__ import annotations

from fastapi import APIRouter, Path, Query

from shared_schema import (ActivityEntry, MemberRequest, Project, ProjectCreate, ProjectMember, UserCreate, UserInfo,
                           UserToken)

from ..people import AccessError
from .deps import Caller, State
from .errors import ERROR_RESPONSES, ApiError
from .wire_route import WireRoute

router = APIRouter(responses=ERROR_RESPONSES, route_class=WireRoute)
ProjectId = Path(max_length=200, description="the id POST /v1/projects answered (or the project's name)")
UserName = Path(max_length=64, description="the user's name")


def _people(state: State):
    if state.people is None:
        raise ApiError(409, "conflict", "this server keeps no people", "start it with create_app's lifespan")
    return state.people


def _project(data: dict) -> Project:
    return Project(id=data["id"], name=data["name"], role=data.get("role", ""),
                   members=[ProjectMember(**m) for m in data.get("members", [])])


@router.post("/v1/projects", status_code=201)
def create_project(body: ProjectCreate, state: State, caller: Caller) -> Project:
    return _project(_people(state).create_project(caller, body.name))


@router.get("/v1/projects")
def list_projects(state: State, caller: Caller) -> list[Project]:
    """The projects you are a member of (an admin: all of them)."""
    return [_project(p) for p in _people(state).projects(caller)]


@router.get("/v1/projects/{project_id}")
def get_project(state: State, caller: Caller, project_id: str = ProjectId) -> Project:
    return _project(_people(state).project(caller, project_id))


@router.post("/v1/projects/{project_id}/members", status_code=201)
def add_member(body: MemberRequest, state: State, caller: Caller, project_id: str = ProjectId) -> Project:
    return _project(_people(state).add_member(caller, project_id, body.user, body.role))


@router.delete("/v1/projects/{project_id}/members/{name}")
def remove_member(state: State, caller: Caller, project_id: str = ProjectId, name: str = UserName) -> Project:
    return _project(_people(state).remove_member(caller, project_id, name))


@router.get("/v1/projects/{project_id}/activity")
def project_activity(state: State, caller: Caller, project_id: str = ProjectId,
                     limit: int = Query(200, ge=1, le=5000)) -> list[ActivityEntry]:
    """Every write in the project, newest first, with who made it."""
    return [ActivityEntry(**entry) for entry in _people(state).activity(caller, project_id, limit)]


@router.post("/v1/users", status_code=201)
def add_user(body: UserCreate, state: State, caller: Caller) -> UserToken:
    """A new user and their personal token, shown this once."""
    people = _people(state)
    people.require_admin(caller, "adding a user")
    name, token = people.add_user(body.name, body.role, body.project)
    people.record(caller, people.project_id(body.project), "user.add", f"{name}={body.role.strip().lower()}")
    return UserToken(name=name, role=body.role.strip().lower(), token=token)


@router.get("/v1/users")
def list_users(state: State, caller: Caller) -> list[UserInfo]:
    people = _people(state)
    people.require_admin(caller, "listing users")
    return [UserInfo(**u) for u in people.users()]


@router.delete("/v1/users/{name}", status_code=204)
def revoke_user(state: State, caller: Caller, name: str = UserName) -> None:
    """Revoke the user's tokens: refused from their next request on."""
    people = _people(state)
    people.require_admin(caller, "revoking a user")
    people.revoke(name)
    people.record(caller, "", "user.revoke", name)


__all__ = ["router", "AccessError"]
