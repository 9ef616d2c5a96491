"""The one small interface every render backend implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

from PIL import Image

from shared_schema import BackendInfo, ErrorBody, RenderRequest


class JobCancelled(Exception):
    """Raised inside a backend (through ``RenderContext.step``) when the user cancelled."""


class BackendError(Exception):
    """A failure the user can act on; carries the wire's error body."""

    def __init__(self, code: str, message: str, hint: str = ""):
        super().__init__(message)
        self.body = ErrorBody(code=code, message=message, hint=hint)


@dataclass
class RenderContext:
    """What a backend may do besides computing: report progress, honour cancel."""

    report: Callable[[float, str], None]
    is_cancelled: Callable[[], bool]
    # Team mode: the job's LoRAs fetched from the API, by name; used instead of this machine's own files.
    loras: dict[str, Path] = field(default_factory=dict)

    def step(self, done: int, total: int, message: str) -> None:
        """Call between units of work: reports progress, raises JobCancelled if asked to stop."""
        if self.is_cancelled():
            raise JobCancelled()
        self.report(done / max(total, 1), message)


class Backend(Protocol):
    name: str

    def info(self) -> BackendInfo: ...

    def render(self, request: RenderRequest, ctx: RenderContext) -> list[Image.Image]:
        """Return ``request.variations`` frames of ``request.width`` x ``request.height``."""
        ...
