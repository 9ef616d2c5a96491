"""The FastAPI application factory: the lifespan owns the store, the backends and the worker."""

from __future__ import annotations

import logging
import threading
from contextlib import asynccontextmanager
from typing import Optional

from fastapi import FastAPI

from . import __version__
from .actors.embedder import ClipEmbedder
from .actors.service import ActorService
from .actors.store import ActorStore
from .api import (routes_actors, routes_beats, routes_boards, routes_health, routes_jobs, routes_learning,
                  routes_people, routes_worker)
from .api.deps import ServerState
from .api.errors import install_error_handlers
from .api.guards import GuardMiddleware, check_token
from .backends.registry import BackendRegistry
from .boards import BoardRepository, BoardService
from .learning.lora_training import LoraTrainer
from .learning.service import LearningService
from .people import PeopleRepository, PeopleService
from .services.worker import RenderWorker
from .services.worker_training import MAX_LORA_MB
from .settings import Settings
from .storage.job_store import JobStore
from .storage.server_lock import DataDirLock

log = logging.getLogger("beatboard.server")


def _warm_quietly(actor_store: ActorStore) -> None:
    try:
        actor_store.warm_index()
    except Exception:  # the server stopped while loading: the next query loads it instead
        log.debug("actor index warm-up interrupted", exc_info=True)


def _training_queue(store: JobStore, actor_store: ActorStore, dispatch):
    def queue(actor_id: str, steps: int, reason: str):
        actor = actor_store.require(actor_id)
        job = store.create_training(actor_id, actor.name, steps, reason, actor.project or "default", "auto")
        if job is not None:
            dispatch(job)
        return job.id if job else None
    return queue


def create_app(settings: Optional[Settings] = None, backends: Optional[BackendRegistry] = None) -> FastAPI:
    settings = settings or Settings()
    check_token(settings.token)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # One server per data folder, for the server's whole life (see storage/server_lock.py).
        lock = DataDirLock(settings.data_dir).acquire(settings.host, settings.port)
        people_repo = PeopleRepository(settings.people_db_path)
        people = PeopleService(people_repo)
        store = JobStore(settings.db_path)
        registry = backends or BackendRegistry.from_settings(settings)
        if settings.broker_url:  # team mode: workers elsewhere run the jobs; leases say who holds which
            from .team.api_side import TeamApi

            team, worker = TeamApi(settings, store, registry), None
            dispatch = team.dispatch
        else:
            recovered = store.recover_interrupted(settings.max_attempts)
            if recovered:
                log.warning("recovered %d job(s) interrupted by the last shutdown", len(recovered))
            team, worker = None, RenderWorker(store, registry, settings.artifacts)
            dispatch = lambda job: worker.wake()  # noqa: E731
        actor_store = ActorStore(settings.actors_db_path)
        actors = ActorService(actor_store, ClipEmbedder(settings.clip_model, settings.clip_checkpoint),
                              settings.artifacts, people)
        learning = LearningService(actors, store, settings, queue_training=_training_queue(store, actor_store, dispatch))
        if settings.diffusers_model and worker is not None:
            worker.trainer = LoraTrainer(settings, actor_store, actors.embedder)
        board_repo = BoardRepository(settings.boards_db_path)
        boards = BoardService(board_repo, store, settings, people)
        app.state.beatboard = ServerState(settings, store, registry, worker, actors, learning, boards, people=people,
                                          dispatch=dispatch, team=team)
        (team or worker).start()
        threading.Thread(target=_warm_quietly, args=(actor_store,), name="beatboard-actor-index", daemon=True).start()
        try:
            yield
        finally:
            (team or worker).stop()
            store.close()
            board_repo.close()
            actor_store.close()
            people_repo.close()
            lock.release()

    app = FastAPI(title="Beatboard render server", version=__version__, lifespan=lifespan)
    install_error_handlers(app)
    for module in (routes_health, routes_beats, routes_jobs, routes_actors, routes_learning, routes_boards,
                   routes_people, routes_worker):
        app.include_router(module.router)
    app.add_middleware(GuardMiddleware, max_body_bytes=int(settings.max_body_mb * 1e6), token=settings.token,
                       port=settings.port, allowed_hosts=settings.allowed_host_list,
                       max_file_bytes=int(MAX_LORA_MB * 1e6))
    return app
