"""Actors as users handle them: profiles with descriptions and reference images, casting search."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, UnidentifiedImageError

from shared_schema import ActorProfile

from ..storage.artifacts import ArtifactStore
from .embedder import ClipEmbedder
from .errors import ActorStoreError
from .repository import ActorRepository

MAX_REFERENCE_BYTES = 20 * 1024 * 1024


class ActorService:
    def __init__(self, store: ActorRepository, embedder: ClipEmbedder, artifacts: ArtifactStore):
        self.store = store
        self.embedder = embedder
        self.artifacts = artifacts

    # The embedding is computed first, then the row and its embedding commit together: a crash
    # leaves either the whole actor or none of it.
    def create(self, profile: ActorProfile) -> ActorProfile:
        vector = self._description_vector(profile.description)
        return self.store.create(profile, vector, self.embedder.name)

    def update(self, actor_id: str, **fields) -> ActorProfile:
        self.store.require(actor_id)
        vector = self._description_vector(fields["description"]) if "description" in fields else None
        return self.store.update(actor_id, vector, self.embedder.name, **fields)

    def _description_vector(self, description: str):
        return self.embedder.texts([description])[0] if description.strip() else None

    @staticmethod
    def _image(data: bytes, what: str) -> Image.Image:
        if len(data) > MAX_REFERENCE_BYTES:
            raise ActorStoreError("payload_too_large", f"the {what} is larger than 20 MB",
                                  "send a smaller image; 1024 px on the long side is plenty")
        try:
            image = Image.open(io.BytesIO(data))
            image.load()
        except (UnidentifiedImageError, OSError):
            raise ActorStoreError("validation_error", f"the {what} is not an image Pillow can read",
                                  "send a PNG or JPEG") from None
        return image

    def identify(self, data: bytes, k: int = 3) -> list[tuple[ActorProfile, float]]:
        """Which actor a crop shows: nearest by profile, or by any of their references and approved crops."""
        query = self.embedder.images([self._image(data, "crop")])[0]
        best: dict[str, tuple[ActorProfile, float]] = {}
        for actor, distance in self.store.nearest_actors(query, self.embedder.name, k=k * 2):
            best[actor.id] = (actor, distance)
        for source in ("reference", "approved"):
            for _, actor_id, _, distance in self.store.nearest_embeddings(query, k=k * 4, source=source):
                actor = self.store.get(actor_id) if actor_id else None
                if actor and (actor.id not in best or distance < best[actor.id][1]):
                    best[actor.id] = (actor, distance)
        return sorted(best.values(), key=lambda item: item[1])[:k]

    def nearest_frames(self, actor_id: str, k: int = 5) -> list[tuple[str, float]]:
        """The actor's approved frames nearest their current profile: how they look at their best."""
        actor = self.store.require(actor_id)
        profile = self.store.profile(actor.id, self.embedder.name)
        if profile is None:
            return []
        return [(ref, distance) for _, _, ref, distance in
                self.store.nearest_embeddings(profile, k=k, source="approved", actor_id=actor.id)]

    def add_reference(self, actor_id: str, data: bytes) -> str:
        """Store, embed and fold in a reference image; the same image sent again (a retry) is kept once.
        The file is written under a temporary name, the rows go in, the file is renamed into
        place, then the rows commit: no row ever names a missing or half-written file."""
        actor = self.store.require(actor_id)
        image = self._image(data, "reference")
        digest = hashlib.sha256(data).hexdigest()
        vector = self.embedder.images([image])[0]
        path = self.artifacts.reference_path(actor.id, digest)
        with self.store.transaction():
            known = self.store.reference_with_digest(actor.id, digest)
            if known:
                return known
            with self.artifacts.staged(path, image.convert("RGB").save):
                self.store.add_reference(actor.id, str(path), digest, vector, self.embedder.name)
        return str(path)

    def search(self, text: str, k: int = 5) -> list[tuple[ActorProfile, float]]:
        """Actors that fit a character description: by description text and by image profile."""
        if not text.strip():
            raise ActorStoreError("validation_error", "the search text is empty", "describe the character")
        query = self.embedder.texts([text])[0]
        best: dict[str, tuple[ActorProfile, float]] = {}
        for _, actor_id, _, distance in self.store.nearest_embeddings(query, k=max(k * 4, 20), source="description"):
            actor = self.store.get(actor_id)
            if actor and (actor.id not in best or distance < best[actor.id][1]):
                best[actor.id] = (actor, distance)
        for actor, distance in self.store.nearest_actors(query, self.embedder.name, k=k * 2):
            if actor.id not in best or distance < best[actor.id][1]:
                best[actor.id] = (actor, distance)
        return sorted(best.values(), key=lambda item: item[1])[:k]
