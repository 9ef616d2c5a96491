from __future__ import annotations

from fastapi import APIRouter

from shared_schema import SCHEMA_VERSION, Health, ModelsResponse

from .. import __version__
from .deps import Caller, State

router = APIRouter()


@router.get("/v1/health")
def health(state: State) -> Health:
    return Health(version=__version__, schema_version=SCHEMA_VERSION, backends=state.backends.infos(),
                  default_backend=state.backends.default)


@router.get("/v1/models")
def models(state: State, caller: Caller) -> ModelsResponse:
    """Backends and models with what each can do, and the LoRAs and schedulers on offer (not the LoRAs of
    actors private to projects you are not in)."""
    offered = state.backends.models()
    hidden = state.actors.hidden_names(caller)
    offered.loras = [name for name in offered.loras
                     if name.lower() not in hidden and name.split("@")[0].lower() not in hidden]
    return offered
