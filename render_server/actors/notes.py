"""Director notes on an actor, and the recurring ones that become standing prompt hints.

"More expressive!" given three times for JUNE becomes the hint "more expressive", which
is added to her prompts from then on. Hints are visible on the actor (prompt_hints) and
removable; a removed hint comes back only if the note recurs that many times again, because
promoted notes are not counted twice. Notes and hints belong to the project they were given in:
a studio-wide actor noted in one production keeps their look in every other.
"""

from __future__ import annotations

import re
from typing import Optional

from ..people.migrations import DEFAULT_PROJECT
from .repository import ActorRepository

# Politeness and addressing words that do not change what a note asks for.
_FILLER = re.compile(r"^(?:(?:please|pls|can we|could we|let's|lets|make (?:him|her|them|it)|she should be|"
                     r"he should be|they should be|a bit|a little|slightly)\s+)+")


def normalize_note(text: str) -> str:
    """The comparable core of a note: lower case, no punctuation or filler words."""
    core = re.sub(r"[^\w\s'-]", " ", text.lower())
    core = re.sub(r"\s+", " ", core).strip()
    return _FILLER.sub("", core).strip()


class NoteBook:
    def __init__(self, store: ActorRepository, repeat_threshold: int = 3):
        self.store = store
        self.repeat_threshold = repeat_threshold

    def add(self, actor_id: str, text: str, scope: str = "ACTOR", shot: str = "",
            frame_ref: str = "", project: str = DEFAULT_PROJECT) -> Optional[str]:
        """Keep the note in ``project``; return the hint it promoted there, if this made it recur often
        enough. The same note on the same frame (``frame_ref``, a client's retry) is kept once."""
        project = project or DEFAULT_PROJECT
        actor = self.store.require(actor_id, project)
        core = normalize_note(text)
        if not core:
            return None
        with self.store.transaction():
            if not self.store.add_note(actor.id, text.strip(), shot, scope, frame_ref, project):
                return None
            same = [row_id for row_id, other in self.store.unpromoted_notes(actor.id, project)
                    if normalize_note(other) == core]
            if self.repeat_threshold <= 0 or len(same) < self.repeat_threshold:
                return None
            self.store.mark_notes_promoted(same)
            if core not in actor.prompt_hints:
                self.store.set_hints(actor.id, project, [*actor.prompt_hints, core])
        return core

    def list(self, actor_id: str, project: str = DEFAULT_PROJECT) -> list[dict]:
        return self.store.notes(self.store.require(actor_id, project or DEFAULT_PROJECT).id, project or DEFAULT_PROJECT)
