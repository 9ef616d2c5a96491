"""Turn a --model argument into the server settings that load it."""

from __future__ import annotations

from pathlib import Path


class ModelsError(ValueError):
    pass


def server_env_for_model(model: str) -> dict[str, str]:
    path = Path(model).expanduser()
    if (path / "sd15-tiny" / "model_index.json").exists():  # a make-tiny-models folder
        return {
            "BEATBOARD_DIFFUSERS_MODEL": str(path / "sd15-tiny"),
            "BEATBOARD_CONTROLNET_DEPTH": str(path / "controlnet-depth-tiny"),
            "BEATBOARD_CONTROLNET_OPENPOSE": str(path / "controlnet-openpose-tiny"),
            "BEATBOARD_LORA_DIR": str(path / "loras"),
        }
    if path.exists() and not (path / "model_index.json").exists():
        raise ModelsError(f"{path} is neither a diffusers model folder (model_index.json) nor a folder made by "
                          "'beatboard make-tiny-models'")
    # A model folder or a hub id: the ControlNets and LoRAs come from the environment as usual.
    return {"BEATBOARD_DIFFUSERS_MODEL": str(path) if path.exists() else model}
