"""Which LoRAs a render request uses, and where a server keeps the file of a LoRA by its name.

One rule for the diffusers backend (which loads them) and the API's worker route (which hands
them to team-mode render workers), so both read a name the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from shared_schema import RenderRequest

from ..settings import Settings


def lora_names(request: RenderRequest) -> list[str]:
    """The LoRA each actor names, or (naming none) the actor's own name: ACTOR.safetensors is used if it exists."""
    names = []
    for actor in request.actors:
        name = actor.lora or actor.name
        if name and name != "none" and name not in names:
            names.append(name)
    return names


def find_lora(settings: Settings, name: str) -> Optional[Path]:
    """A trained version (NAME@vN) in the artifact store, else NAME.safetensors in BEATBOARD_LORA_DIR; None
    when there is no such file (or the name would reach outside those folders)."""
    if not name or Path(name).name != name or name.startswith(".") or "\\" in name:
        return None
    if "@v" in name:
        path = settings.artifacts.lora_path(name)
    elif settings.lora_dir:
        path = Path(settings.lora_dir).expanduser() / f"{name}.safetensors"
    else:
        return None
    return path if path.is_file() else None
