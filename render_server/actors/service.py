"""Actors as users handle them: profiles with descriptions and reference images, casting search.

Actors live in a studio-wide library unless private to one project (``ActorProfile.project``).
Who asks (a Principal) decides what they see and change: artists and up read and search the
actors their projects may use; directors add and change them (a studio-wide actor: a director
of any project; a private one: a director of its project). A private actor of another project
is, to everyone outside it, no actor at all: never in a list, a search or an identification.
Without a people service (the command line on a data folder) the caller is the folder's owner.
"""

from __future__ import annotations

import hashlib
import io
from typing import Optional

from PIL import Image, UnidentifiedImageError

from shared_schema import ActorProfile

from ..people import PeopleService, Principal, Role
from ..people.migrations import DEFAULT_PROJECT
from ..people.principal import LOCAL
from ..storage.artifacts import ArtifactStore
from .embedder import ClipEmbedder
from .errors import ActorStoreError
from .repository import ActorRepository

MAX_REFERENCE_BYTES = 20 * 1024 * 1024


class ActorService:
    def __init__(self, store: ActorRepository, embedder: ClipEmbedder, artifacts: ArtifactStore,
                 people: Optional[PeopleService] = None):
        self.store = store
        self.embedder = embedder
        self.artifacts = artifacts
        self.people = people

    # -- who may see and change which actor ---------------------------------------------------
    def _project(self, principal: Principal, ref: str, need: Role, what: str) -> str:
        if self.people is None:
            return ref or DEFAULT_PROJECT
        return self.people.require_project(principal, ref, need, what)

    def _library(self, principal: Principal, need: Role, what: str) -> None:
        if self.people is not None:
            self.people.require_some_project(principal, need, what)

    def require(self, actor_id: str, principal: Principal = LOCAL, need: Role = Role.ARTIST,
                what: str = "reading an actor", project: Optional[str] = None) -> ActorProfile:
        """The actor, if the principal may do ``what`` with it; a private actor of a project they are
        not in answers as a missing actor does. A name is read as ``project`` sees it (its own private
        actor first, then the studio library's); ``prompt_hints`` are ``project``'s."""
        actor = self.store.require(actor_id, project)
        if actor.project != "" and self.people is not None:
            self.people.require(principal, actor.project, need, what, lambda: ActorStoreError(
                "not_found", f"no actor {actor_id!r}", "GET /v1/actors lists the actors"))
        else:
            self._library(principal, need, what)
        return self.store.get(actor.id, project) if project else actor

    def hidden_names(self, principal: Principal) -> frozenset:
        """Lower-case LoRA names of the actors private to projects the principal is not in."""
        if self.people is None or principal.is_admin:
            return frozenset()
        return frozenset(self.store.hidden_loras(self.people.visible_projects(principal) or set()))

    def hidden_from(self, project: str) -> frozenset:
        """The actors a search in ``project`` never returns: those private to other projects."""
        return frozenset(self.store.private_actor_ids(project))

    def list(self, principal: Principal = LOCAL, project: str = "") -> list[ActorProfile]:
        """The studio library and the private actors of ``project`` (empty: of every project you are in)."""
        self._library(principal, Role.ARTIST, "listing actors")
        if project:
            project = self._project(principal, project, Role.ARTIST, "listing a project's actors")
            return self.store.list({project}, cast_in=project)
        visible = self.people.visible_projects(principal, Role.ARTIST) if self.people else None
        return self.store.list(visible)

    # The embedding is computed first, then the row and its embedding commit together: a crash
    # leaves either the whole actor or none of it.
    def create(self, profile: ActorProfile, principal: Principal = LOCAL) -> ActorProfile:
        """The name must be free among the actors the caller can see beside the new one: the studio
        library, and the new actor's project (a private one) or the caller's projects (a studio-wide
        one). A private actor of a project the caller is not in never makes a name taken: refusing
        would tell them it exists. Inside its project a private actor shadows a studio-wide namesake."""
        if profile.project.strip():
            profile.project = self._project(principal, profile.project.strip(), Role.DIRECTOR,
                                            "adding an actor private to a project")
        else:
            profile.project = ""
            self._library(principal, Role.DIRECTOR, "adding an actor to the studio library")
        vector = self._description_vector(profile.description)
        actor = self.store.create(profile, vector, self.embedder.name, clashes=self._visible(principal))
        self._record(principal, actor, "actor.create")
        return actor

    def update(self, actor_id: str, principal: Principal = LOCAL, within: str = "", **fields) -> ActorProfile:
        """Change the actor; ``prompt_hints`` are the standing hints of ``within`` (the project the
        request names; empty: the actor's own, or the default project), set by a director there."""
        within = self._project(principal, within, Role.VIEWER, "changing an actor") if within else ""
        actor = self.require(actor_id, principal, Role.DIRECTOR, "changing an actor", project=within or None)
        if "project" in fields:
            fields["project"] = self._project(principal, fields["project"], Role.DIRECTOR,
                                              "making an actor private to a project") if fields["project"] else ""
        if "prompt_hints" in fields:
            within = self._project(principal, within or actor.project, Role.DIRECTOR,
                                   "changing an actor's standing hints in a project")
        vector = self._description_vector(fields["description"]) if "description" in fields else None
        updated = self.store.update(actor.id, vector, self.embedder.name, clashes=self._visible(principal),
                                    within=within or None, **fields)
        self._record(principal, updated, "actor.update")
        return updated

    def delete(self, actor_id: str, principal: Principal = LOCAL) -> None:
        actor = self.require(actor_id, principal, Role.DIRECTOR, "deleting an actor")
        self.store.delete(actor.id)
        self._record(principal, actor, "actor.delete")

    def _visible(self, principal: Principal) -> Optional[set[str]]:
        """The projects whose private actors the principal sees (None: all)."""
        return self.people.visible_projects(principal) if self.people is not None else None

    def _record(self, principal: Principal, actor: ActorProfile, action: str) -> None:
        if self.people is not None:  # studio-wide actors are recorded in the default project
            self.people.record(principal, actor.project or DEFAULT_PROJECT, action, actor.name)

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

    def identify(self, data: bytes, k: int = 3, principal: Principal = LOCAL,
                 project: str = "") -> list[tuple[ActorProfile, float]]:
        """Which actor a crop shows: nearest by profile, or by any of their references and approved crops
        (among the actors ``project`` may use)."""
        project = self._project(principal, project, Role.ARTIST, "identifying an actor")
        hide = self.hidden_from(project)
        query = self.embedder.images([self._image(data, "crop")])[0]
        best: dict[str, tuple[ActorProfile, float]] = {}
        for actor, distance in self.store.nearest_actors(query, self.embedder.name, k=k * 2, hide=hide):
            best[actor.id] = (actor, distance)
        for source in ("reference", "approved"):
            for _, actor_id, _, distance in self.store.nearest_embeddings(query, k=k * 4, source=source, hide=hide):
                actor = self.store.get(actor_id, project) if actor_id else None
                if actor and (actor.id not in best or distance < best[actor.id][1]):
                    best[actor.id] = (actor, distance)
        return sorted(best.values(), key=lambda item: item[1])[:k]

    def nearest_frames(self, actor_id: str, k: int = 5, principal: Principal = LOCAL) -> list[tuple[str, float]]:
        """The actor's approved frames nearest their current profile: how they look at their best."""
        actor = self.require(actor_id, principal)
        profile = self.store.profile(actor.id, self.embedder.name)
        if profile is None:
            return []
        return [(ref, distance) for _, _, ref, distance in
                self.store.nearest_embeddings(profile, k=k, source="approved", actor_id=actor.id)]

    def add_reference(self, actor_id: str, data: bytes, principal: Principal = LOCAL) -> str:
        """Store, embed and fold in a reference image; the same image sent again (a retry) is kept once.
        The file is written under a temporary name, the rows go in, the file is renamed into
        place, then the rows commit: no row ever names a missing or half-written file."""
        actor = self.require(actor_id, principal, Role.DIRECTOR, "adding a reference image")
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
        self._record(principal, actor, "actor.reference")
        return str(path)

    def search(self, text: str, k: int = 5, principal: Principal = LOCAL,
               project: str = "") -> list[tuple[ActorProfile, float]]:
        """Actors that fit a character description: by description text and by image profile, among the
        studio library and the actors private to ``project`` (never another project's)."""
        project = self._project(principal, project, Role.ARTIST, "searching actors")
        if not text.strip():
            raise ActorStoreError("validation_error", "the search text is empty", "describe the character")
        hide = self.hidden_from(project)
        query = self.embedder.texts([text])[0]
        best: dict[str, tuple[ActorProfile, float]] = {}
        for _, actor_id, _, distance in self.store.nearest_embeddings(query, k=max(k * 4, 20), source="description",
                                                                       hide=hide):
            actor = self.store.get(actor_id, project)
            if actor and (actor.id not in best or distance < best[actor.id][1]):
                best[actor.id] = (actor, distance)
        for actor, distance in self.store.nearest_actors(query, self.embedder.name, k=k * 2, hide=hide):
            if actor.id not in best or distance < best[actor.id][1]:
                best[actor.id] = (actor, distance)
        return sorted(best.values(), key=lambda item: item[1])[:k]
