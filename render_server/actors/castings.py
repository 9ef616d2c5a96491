"""Casting: which stored actor plays a script character. One table for every project, so a
character cast once (MARA -> the actor "Mara Vance") is cast the same in the next script."""

from __future__ import annotations

import time
from typing import Optional

from shared_schema import ActorProfile

from .store import ActorStore, ActorStoreError


class Castings:
    def __init__(self, store: ActorStore):
        self.store = store

    def cast(self, character: str, actor_id: str) -> ActorProfile:
        character = character.strip()
        if not character:
            raise ActorStoreError("validation_error", "the character name is empty", "name the script character")
        actor = self.store.require(actor_id)
        with self.store._lock, self.store.db:
            self.store.db.execute("INSERT INTO castings(character, actor_id, updated_at) VALUES (?, ?, ?) "
                                  "ON CONFLICT(character) DO UPDATE SET actor_id = excluded.actor_id, "
                                  "updated_at = excluded.updated_at", (character, actor.id, time.time()))
        return actor

    def uncast(self, character: str) -> None:
        with self.store._lock, self.store.db:
            self.store.db.execute("DELETE FROM castings WHERE character = ?", (character.strip(),))

    def actor_for(self, character: str) -> Optional[ActorProfile]:
        """The actor cast as the character, else a stored actor of the same name, else None."""
        row = self.store.db.execute("SELECT actor_id FROM castings WHERE character = ?",
                                    (character.strip(),)).fetchone()
        return self.store.get(row[0]) if row else self.store.get(character.strip())

    def all(self) -> dict[str, str]:
        return {c: a for c, a in self.store.db.execute("SELECT character, actor_id FROM castings ORDER BY character")}
