"""Which backends this server offers, built once from settings."""

from __future__ import annotations

import logging

from shared_schema import BackendInfo, ModelInfo, ModelsResponse

from ..settings import Settings
from .base import Backend, BackendError
from .previs import PrevisBackend

log = logging.getLogger("beatboard.backends")


class BackendRegistry:
    def __init__(self, backends: dict[str, Backend], default: str):
        self._backends = backends
        self.default = default

    @classmethod
    def from_settings(cls, settings: Settings) -> "BackendRegistry":
        from .diffusers_backend import DiffusersBackend
        from .openai_images import OpenAIImagesBackend

        backends: dict[str, Backend] = {
            "previs": PrevisBackend(step_delay_s=settings.previs_step_delay_s),
            "diffusers": DiffusersBackend(settings),
            "openai": OpenAIImagesBackend(settings),
        }
        return cls(backends, settings.default_backend)

    def models(self) -> "ModelsResponse":
        from ..diffusion.schedulers import SCHEDULERS

        infos = []
        for name, backend in self._backends.items():
            info = backend.info()
            source = getattr(backend, "model_source", "")
            infos.append(ModelInfo(name=source or name, backend=name, source=source, available=info.available,
                                   reason=info.reason, capabilities=info.capabilities))
        loras = sorted({l for b in self._backends.values() for l in getattr(b, "loras", lambda: [])()})
        return ModelsResponse(models=infos, loras=loras, schedulers=list(SCHEDULERS))

    def warm(self) -> None:
        """Load what the default backend needs before the first job asks for it."""
        backend = self._backends.get(self.default)
        warm = getattr(backend, "warm", None)
        if warm is not None:
            try:
                warm()
            except Exception as exc:  # the first job will report it properly
                log.warning("could not warm backend %s: %s", self.default, exc)

    def infos(self) -> list[BackendInfo]:
        return [backend.info() for backend in self._backends.values()]

    def resolve_name(self, name: str) -> str:
        name = name or self.default
        if name not in self._backends:
            known = ", ".join(sorted(self._backends))
            raise BackendError("backend_unavailable", f"no render backend named {name!r}",
                               f"use one of: {known} (GET /v1/health lists them)")
        info = self._backends[name].info()
        if not info.available:
            raise BackendError("backend_unavailable", f"backend {name!r} is not available: {info.reason}",
                               "see GET /v1/health for what it needs")
        return name

    def get(self, name: str) -> Backend:
        return self._backends[self.resolve_name(name)]

    def cache_key(self, name: str) -> str:
        """The backend as the frame cache knows it: its name and, where it has one, the revision
        of its drawing (a frame from an older revision is never an answer)."""
        revision = getattr(self._backends.get(name), "revision", "")
        return f"{name}@{revision}" if revision else name
