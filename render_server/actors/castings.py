"""Casting: which stored actor plays a script character, per project. A character cast once in a
project (MARA -> the actor "Mara Vance") is cast the same in that project's next script; another
production casts its own MARA."""

from __future__ import annotations

from typing import Optional

from shared_schema import ActorProfile

from .errors import ActorStoreError
from .repository import ActorRepository


class Castings:
    def __init__(self, store: ActorRepository):
        self.store = store

    def cast(self, character: str, actor_id: str, project: str = "default") -> ActorProfile:
        character = character.strip()
        if not character:
            raise ActorStoreError("validation_error", "the character name is empty", "name the script character")
        actor = self.store.require(actor_id, project)
        if actor.project not in ("", project):  # private to another project: no actor to this one
            raise ActorStoreError("not_found", f"no actor {actor_id!r}", "GET /v1/actors lists the actors")
        self.store.cast_character(character, actor.id, project)
        return actor

    def uncast(self, character: str, project: str = "default") -> None:
        self.store.uncast_character(character.strip(), project)

    def actor_for(self, character: str, project: str = "default") -> Optional[ActorProfile]:
        """The actor cast as the character in the project, else a stored actor of the same name the
        project may use, else None."""
        actor_id = self.store.cast_actor_id(character.strip(), project)
        actor = self.store.get(actor_id or character.strip(), project)
        return actor if actor is not None and actor.project in ("", project) else None

    def all(self, project: str = "default") -> dict[str, str]:
        return self.store.castings(project)
