"""Image and text embeddings with open_clip, for actor crops and character descriptions."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np
from PIL import Image

log = logging.getLogger("beatboard.actors")


class ClipEmbedder:
    """``model_name`` is an open_clip architecture ("ViT-B-32") or the path of an open_clip JSON
    model config (``embed_dim``, ``vision_cfg``, ``text_cfg``): the same CLIP architecture at other
    sizes, e.g. the tiny one the tests use (tests/tiny_clip.json)."""

    def __init__(self, model_name: str = "ViT-B-32", checkpoint: str = ""):
        self.config_file = Path(model_name) if model_name.endswith(".json") else None
        if self.config_file is not None and not self.config_file.is_file():
            raise FileNotFoundError(f"no open_clip model config at {model_name}; set BEATBOARD_CLIP_MODEL to an "
                                    "architecture name such as ViT-B-32, or to an existing .json config")
        self.model_name = self.config_file.stem if self.config_file else model_name
        self.checkpoint = checkpoint
        self._model = None
        self._preprocess = None
        self._tokenizer = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """Recorded with every vector: vectors of different models never mix."""
        return f"{self.model_name}:{self.checkpoint or 'random'}"

    def _load(self):
        with self._lock:
            if self._model is None:
                import open_clip
                import torch

                if self.config_file is not None:
                    open_clip.add_model_config(self.config_file)  # registered under the file's stem
                if not self.checkpoint:
                    log.warning("no BEATBOARD_CLIP_CHECKPOINT: actor embeddings use random weights "
                                "(fine for tests, meaningless for casting)")
                # Random weights are seeded: every process must build the same "random" model,
                # or vectors stored under one name would come from different models.
                with torch.random.fork_rng():
                    torch.manual_seed(0)
                    model, _, preprocess = open_clip.create_model_and_transforms(
                        self.model_name, pretrained=self.checkpoint or None)
                model.eval()
                self._model, self._preprocess = model, preprocess
                self._tokenizer = open_clip.get_tokenizer(self.model_name)
        return self._model

    @property
    def dim(self) -> int:
        return int(self._load().visual.output_dim)

    def images(self, images: list[Image.Image]) -> np.ndarray:
        import torch

        model = self._load()
        batch = torch.stack([self._preprocess(image.convert("RGB")) for image in images])
        with torch.no_grad():
            features = model.encode_image(batch).float()
        return _normalize(features.numpy())

    def texts(self, texts: list[str]) -> np.ndarray:
        import torch

        model = self._load()
        with torch.no_grad():
            features = model.encode_text(self._tokenizer(texts)).float()
        return _normalize(features.numpy())


def _normalize(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
