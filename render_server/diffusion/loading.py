"""Loading diffusers models the normal way, safetensors only, with errors that say what to do."""

from __future__ import annotations

from pathlib import Path

from ..backends.base import BackendError

PICKLE_SUFFIXES = (".bin", ".ckpt", ".pt", ".pth", ".pkl")


def _looks_like_path(source: str) -> bool:
    return source.startswith(("/", ".", "~")) or Path(source).expanduser().exists()


def check_source(source: str, what: str, setting: str) -> str:
    """A usable local folder or hub id, or a BackendError naming the setting to fix."""
    if not source:
        raise BackendError("model_missing", f"no {what} is configured",
                           f"set {setting} to a local folder or a hub id; 'beatboard make-tiny-models DIR' "
                           "writes tiny ones for trying the path")
    if not _looks_like_path(source):
        return source  # a hub id: from_pretrained resolves it (from the local cache when offline)
    path = Path(source).expanduser()
    if not path.exists():
        raise BackendError("model_missing", f"the {what} folder {path} does not exist",
                           f"fix {setting}, or create tiny models with 'beatboard make-tiny-models DIR'")
    weights = [p for p in path.rglob("*") if p.is_file()]
    if not any(p.suffix == ".safetensors" for p in weights):
        pickles = [p.name for p in weights if p.suffix in PICKLE_SUFFIXES]
        if pickles:
            raise BackendError("unsafe_weights",
                               f"the {what} at {path} has only pickle weights ({', '.join(sorted(pickles)[:3])})",
                               "Beatboard loads safetensors only (pickles can run code); convert them, e.g. "
                               "load once and save_pretrained(..., safe_serialization=True)")
        raise BackendError("model_missing", f"no model weights in {path}",
                           f"point {setting} at a diffusers model folder (with model_index.json or config.json)")
    return str(path)


def load_error(exc: Exception, source: str, what: str, setting: str) -> BackendError:
    text = str(exc)
    if "safetensors" in text.lower() and ("not found" in text.lower() or "no file" in text.lower()):
        return BackendError("unsafe_weights", f"{what} {source} has no safetensors weights",
                            "Beatboard loads safetensors only; pick a model that publishes them")
    return BackendError("model_missing", f"could not load the {what} {source!r}: {text.splitlines()[0][:200]}",
                        f"check {setting}; a hub id must already be in the local Hugging Face cache when offline")
