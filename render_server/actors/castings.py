"""Casting: which stored actor plays a script character. One table for every project, so a
character cast once (MARA -> the actor "Mara Vance") is cast the same in the next script."""

from __future__ import annotations

from typing import Optional

from shared_schema import ActorProfile

from .errors import ActorStoreError
from .repository import ActorRepository


class Castings:
    def __init__(self, store: ActorRepository):
        self.store = store

    def cast(self, character: str, actor_id: str) -> ActorProfile:
        character = character.strip()
        if not character:
            raise ActorStoreError("validation_error", "the character name is empty", "name the script character")
        actor = self.store.require(actor_id)
        self.store.cast_character(character, actor.id)
        return actor

    def uncast(self, character: str) -> None:
        self.store.uncast_character(character.strip())

    def actor_for(self, character: str) -> Optional[ActorProfile]:
        """The actor cast as the character, else a stored actor of the same name, else None."""
        actor_id = self.store.cast_actor_id(character.strip())
        return self.store.get(actor_id) if actor_id else self.store.get(character.strip())

    def all(self) -> dict[str, str]:
        return self.store.castings()
