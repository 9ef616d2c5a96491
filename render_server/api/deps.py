"""Typed access to the state the lifespan owns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Callable, Optional

from fastapi import Depends, Request

from shared_schema import Job

from ..actors.service import ActorService
from ..backends.registry import BackendRegistry
from ..boards import BoardService
from ..learning.service import LearningService
from ..people import PeopleService, Principal
from ..people.principal import LOCAL
from ..services.worker import RenderWorker
from ..settings import Settings
from ..storage.job_store import JobStore


@dataclass
class ServerState:
    settings: Settings
    store: JobStore
    backends: BackendRegistry
    worker: Optional[RenderWorker]  # None in team mode: `beatboard worker` processes run the jobs
    actors: ActorService
    learning: LearningService
    boards: BoardService
    people: Optional[PeopleService] = None
    dispatch: Callable[[Job], None] = lambda job: None  # a stored QUEUED job to whoever runs it
    team: Optional[object] = None  # render_server.team.api_side.TeamApi, in team mode


def get_state(request: Request) -> ServerState:
    return request.app.state.beatboard


State = Annotated[ServerState, Depends(get_state)]


def get_principal(request: Request) -> Principal:
    """Who is asking: resolved once per request from the bearer token (api/guards.py)."""
    from .guards import PRINCIPAL

    return request.scope.get(PRINCIPAL, LOCAL)


Caller = Annotated[Principal, Depends(get_principal)]
