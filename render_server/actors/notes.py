"""Director notes on an actor, and the recurring ones that become standing prompt hints.

"More expressive!" given three times for JUNE becomes the hint "more expressive", which
is added to her prompts from then on. Hints are visible on the actor (prompt_hints) and
removable; a removed hint comes back only if the note recurs that many times again, because
promoted notes are not counted twice.
"""

from __future__ import annotations

import re
import time
from typing import Optional

from .store import ActorStore

# Politeness and addressing words that do not change what a note asks for.
_FILLER = re.compile(r"^(?:(?:please|pls|can we|could we|let's|lets|make (?:him|her|them|it)|she should be|"
                     r"he should be|they should be|a bit|a little|slightly)\s+)+")


def normalize_note(text: str) -> str:
    """The comparable core of a note: lower case, no punctuation or filler words."""
    core = re.sub(r"[^\w\s'-]", " ", text.lower())
    core = re.sub(r"\s+", " ", core).strip()
    return _FILLER.sub("", core).strip()


class NoteBook:
    def __init__(self, store: ActorStore, repeat_threshold: int = 3):
        self.store = store
        self.repeat_threshold = repeat_threshold

    def add(self, actor_id: str, text: str, scope: str = "ACTOR", shot: str = "") -> Optional[str]:
        """Keep the note; return the hint it promoted, if this made it recur often enough."""
        actor = self.store.require(actor_id)
        core = normalize_note(text)
        if not core:
            return None
        db = self.store.db
        with self.store._lock, db:
            db.execute("INSERT INTO notes(actor_id, text, shot, scope, created_at) VALUES (?, ?, ?, ?, ?)",
                       (actor.id, text.strip(), shot, scope, time.time()))
            same = [row_id for row_id, other in db.execute(
                "SELECT id, text FROM notes WHERE actor_id = ? AND promoted = 0", (actor.id,))
                if normalize_note(other) == core]
            if self.repeat_threshold <= 0 or len(same) < self.repeat_threshold:
                return None
            db.execute(f"UPDATE notes SET promoted = 1 WHERE id IN ({','.join('?' * len(same))})", same)
            if core not in actor.prompt_hints:
                self.store.update(actor.id, prompt_hints=[*actor.prompt_hints, core])
        return core

    def list(self, actor_id: str) -> list[dict]:
        actor = self.store.require(actor_id)
        return [{"text": t, "shot": s, "scope": sc, "promoted": bool(p), "at": at} for t, s, sc, p, at in
                self.store.db.execute("SELECT text, shot, scope, promoted, created_at FROM notes "
                                      "WHERE actor_id = ? ORDER BY id", (actor.id,))]
