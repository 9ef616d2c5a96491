"""The one place a frame's prompt is written: from the shot's fields, per backend."""

from .builder import Composed, compose, compose_into, prompt_style

__all__ = ["Composed", "compose", "compose_into", "prompt_style"]
