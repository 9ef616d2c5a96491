"""Image and text embeddings with open_clip, for actor crops and character descriptions."""

from __future__ import annotations

import logging
import threading

import numpy as np
from PIL import Image

log = logging.getLogger("beatboard.actors")


class ClipEmbedder:
    def __init__(self, model_name: str = "ViT-B-32", checkpoint: str = ""):
        self.model_name = model_name
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
