"""Learning from the director: feedback on frames moves actor profiles, keeps notes (and
promotes recurring ones to hints), trains the reward model, and queues LoRA training.

Each judgement and reward model belongs to the project of the judged job; a note on a frame
needs the artist role there, a rating, verdict or pick the director role, training the
reward model or a LoRA the director role.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import numpy as np
from PIL import Image

from shared_schema import Feedback, FeedbackResult, FeedbackScope, JobState, Ranking, RenderRequest, Verdict

from ..actors.castings import Castings
from ..actors.notes import NoteBook
from ..actors.service import ActorService
from ..actors.errors import ActorStoreError
from ..people import Principal, Role
from ..people.migrations import DEFAULT_PROJECT
from ..people.principal import LOCAL
from ..settings import Settings
from ..storage.job_store import JobStore
from .crops import actor_crops
from .reward import Judgement, RewardModel, train_reward

log = logging.getLogger("beatboard.learning")


class LearningService:
    def __init__(self, actors: ActorService, jobs: JobStore, settings: Settings,
                 queue_training: Optional[Callable[[str, int, str], Optional[str]]] = None):
        self.actors = actors
        self.store = actors.store
        self.jobs = jobs
        self.settings = settings
        self.notes = NoteBook(self.store, settings.note_repeat_threshold)
        self.castings = Castings(self.store)
        # (actor_id, steps, reason) -> the queued job's id, or None when one is already queued
        self.queue_training = queue_training
        self.artifacts = settings.artifacts
        self.people = actors.people
        self._reward: dict[str, RewardModel] = {}  # per project
        self._reward_lock = threading.Lock()

    def _require(self, principal: Principal, project: str, need: Role, what: str, missing) -> None:
        if self.people is not None:
            self.people.require(principal, project, need, what, missing)

    def _project(self, principal: Principal, ref: str, need: Role, what: str) -> str:
        if self.people is None:
            return ref or DEFAULT_PROJECT
        return self.people.require_project(principal, ref, need, what)

    def _job_project(self, principal: Principal, job_id: str, need: Role, what: str) -> str:
        project = self.jobs.project_of(job_id)
        missing = lambda: ActorStoreError("not_found", f"no job {job_id!r}", "GET /v1/jobs lists recent jobs")  # noqa: E731
        if project is None:
            raise missing()
        self._require(principal, project, need, what, missing)
        return project

    def _record(self, principal: Principal, project: str, action: str, target: str) -> None:
        if self.people is not None:
            self.people.record(principal, project, action, target)

    # -- frames ----------------------------------------------------------------------------
    def _frame(self, job_id: str, index: int) -> tuple[RenderRequest, Path]:
        job = self.jobs.get(job_id)
        if job is None:
            raise ActorStoreError("not_found", f"no job {job_id!r}", "GET /v1/jobs lists recent jobs")
        if job.state is not JobState.DONE or not any(f.index == index for f in job.frames):
            raise ActorStoreError("not_found", f"job {job_id} has no frame {index}",
                                  "give feedback on frames of finished render jobs")
        path = self.artifacts.frame_path(job_id, index)
        if not path.is_file():
            raise ActorStoreError("not_found", f"frame {job_id}/{index} is no longer on disk",
                                  "render the shot again and judge the new frame")
        return self.jobs.request_of(job_id), path

    def frame_vector(self, job_id: str, index: int, path: Optional[Path] = None) -> tuple[int, np.ndarray]:
        """The frame's image embedding, computed once and kept in the store."""
        ref = f"{job_id}/{index}"
        model = self.actors.embedder.name
        known = self.store.frame_embedding_id(ref, model)
        if known is not None:
            return known, self.store.vector(known)
        path = path or self._frame(job_id, index)[1]
        vector = self.actors.embedder.images([Image.open(path)])[0]
        return self.store.add_embedding(None, "image", "frame", vector, model, ref), vector

    # -- feedback --------------------------------------------------------------------------
    def feedback(self, job_id: str, index: int, fb: Feedback, principal: Principal = LOCAL) -> FeedbackResult:
        """One transaction: the frame's judgement, each actor's rating, profile moves, approved
        crops (written under a temporary name, renamed just before the commit) and the note.
        Every embedding is computed first, so a crash leaves all of it or none; sending the
        same feedback again (a client's retry) changes nothing."""
        judging = fb.rating or fb.verdict is not Verdict.NONE or fb.picked
        project = self._job_project(principal, job_id, Role.DIRECTOR if judging else Role.ARTIST,
                                    "rating, approving or picking a frame" if judging else "a note on a frame")
        request, path = self._frame(job_id, index)
        ref = f"{job_id}/{index}"
        result = FeedbackResult(frame=ref)
        if not 0 <= fb.rating <= 5:
            raise ActorStoreError("validation_error", f"rating {fb.rating} is out of range",
                                  "rate 1 (worst) to 5 (best), or 0 for no rating")
        model = self.actors.embedder.name
        known = self.store.frame_embedding_id(ref, model)
        frame_vector = None if known is not None else self.actors.embedder.images([Image.open(path)])[0]
        placements = {a.name: a for a in request.actors}
        if fb.actor and fb.actor not in placements:
            result.warnings.append(f"{fb.actor} is not in shot {request.shot_number}; judged the whole frame")
        targets = [fb.actor] if fb.actor in placements else list(placements)
        judged = self._judgeable(request, path, ref, targets, result) if fb.verdict is not Verdict.NONE else []
        approved = fb.verdict is Verdict.APPROVE
        moved: list = []
        with self.store.transaction(), ExitStack() as files:  # files rename (exit) before the commit
            embedding_id = known if known is not None else \
                self.store.add_embedding(None, "image", "frame", frame_vector, model, ref)
            self.store.record_frame_feedback(job_id, ref, embedding_id, fb.rating, fb.verdict.value, fb.picked,
                                             project)
            if fb.rating or fb.verdict is not Verdict.NONE:
                for name in targets:
                    actor = self._stored_actor(request, name)
                    if actor is not None:
                        self.store.rate_frame(actor.id, ref, fb.rating, fb.verdict.value, project)
            for depiction in judged:
                if self.store.judged(depiction.actor.id, ref):
                    result.warnings.append(f"{depiction.actor.name} was already judged in {ref}; "
                                           "the profile moves once per frame")
                    continue
                try:
                    self.store.record_verdict(depiction.actor.id, depiction.vector, model, approved=approved, ref=ref)
                except ActorStoreError as exc:
                    result.warnings.append(exc.message)
                    continue
                if approved:  # approved crops are what the actor's LoRA trains on
                    files.enter_context(self.artifacts.staged(self.artifacts.crop_path(depiction.actor.id, ref),
                                                              depiction.crop.save))
                result.profiles_moved.append(depiction.actor.name)
                moved.append(depiction.actor)
            if fb.note.strip():
                self._keep_note(request, fb, targets, ref, result)
        if approved:
            for actor in moved:
                self._maybe_queue_training(actor.id, result)
        self._maybe_retrain_reward(result, project)
        self._record(principal, project, "frame.feedback", ref)
        return result

    def _stored_actor(self, request: RenderRequest, name: str):
        placement = next(a for a in request.actors if a.name == name)
        return self._usable(placement.actor_id, request.project) or self.castings.actor_for(name, request.project
                                                                                            or DEFAULT_PROJECT)

    def _usable(self, actor_id: str, project: str):
        """The stored actor, unless it is private to another project."""
        actor = self.store.get(actor_id, project or DEFAULT_PROJECT) if actor_id else None
        return actor if actor is not None and actor.project in ("", project or DEFAULT_PROJECT) else None

    def _judgeable(self, request: RenderRequest, path: Path, ref: str, targets: list[str],
                   result: FeedbackResult) -> list["_Depiction"]:
        """Each target actor's crop and its embedding, computed before anything is written."""
        if request.conditioning.masks is None:
            result.warnings.append("the frame was rendered without actor masks: no actor profile moved")
            return []
        crops = actor_crops(Image.open(path), request.conditioning.masks)
        out = []
        for name in targets:
            actor = self._stored_actor(request, name)
            if actor is None:
                result.warnings.append(f"{name} is not cast to a stored actor: cast them to learn their look")
            elif name not in crops:
                result.warnings.append(f"{name} is too small or hidden in this frame to learn from")
            elif self.store.judged(actor.id, ref):
                result.warnings.append(f"{actor.name} was already judged in {ref}; the profile moves once per frame")
            else:
                out.append(_Depiction(actor, crops[name]))
        vectors = self.actors.embedder.images([d.crop for d in out]) if out else []
        for depiction, vector in zip(out, vectors):
            depiction.vector = vector
        return out

    def _keep_note(self, request: RenderRequest, fb: Feedback, targets: list[str], ref: str,
                   result: FeedbackResult) -> None:
        if fb.scope is FeedbackScope.BOARD or (fb.scope is FeedbackScope.SHOT and not fb.actor):
            return  # notes on a shot or the board refine prompts; they say nothing about one actor
        if len(targets) != 1:
            result.warnings.append("an actor note needs the actor: say which one it is for")
            return
        actor = self._stored_actor(request, targets[0])
        if actor is None:
            result.warnings.append(f"{targets[0]} is not cast to a stored actor: the note was not kept")
            return
        hint = self.notes.add(actor.id, fb.note, fb.scope.value, request.shot_number, frame_ref=ref,
                              project=request.project or DEFAULT_PROJECT)
        if hint:
            result.hints_added.append(f"{actor.name}: {hint}")

    # -- LoRA training ---------------------------------------------------------------------
    def new_approved_crops(self, actor_id: str) -> list[Path]:
        """Approved crops on disk that no LoRA version has trained on yet."""
        used = self.store.lora_trained_frames(actor_id)
        crops = self.artifacts.approved_crops(actor_id, self.store.approved_refs(actor_id))
        return [p for p in crops if p.name not in used]

    def _maybe_queue_training(self, actor_id: str, result: FeedbackResult) -> None:
        threshold = self.settings.lora_train_threshold
        if self.queue_training is None or threshold <= 0 or len(self.new_approved_crops(actor_id)) < threshold:
            return
        job_id = self.queue_training(actor_id, 0, f"{threshold} new approved crops")
        if job_id:
            result.training_jobs.append(job_id)

    # -- reward model ----------------------------------------------------------------------
    def judgements(self, project: str = DEFAULT_PROJECT) -> list[Judgement]:
        model = self.actors.embedder.name
        rows = self.store.judged_frames(model, project)
        return [Judgement(ref, job, self.store.vector(eid), rating, verdict, bool(picked))
                for ref, job, eid, rating, verdict, picked in rows]

    def train_reward(self, project: str = DEFAULT_PROJECT, principal: Optional[Principal] = None) -> RewardModel:
        """Train the project's reward model on its judged frames (a principal: one who may)."""
        if principal is not None:
            project = self._project(principal, project, Role.DIRECTOR, "training the reward model")
        with self._reward_lock:
            snapshot = time.time()  # feedback after this is fresh for the next retraining
            judged = self.judgements(project)
            try:
                reward = train_reward(judged, self.actors.embedder.name)
            except ValueError as exc:
                raise ActorStoreError("conflict", str(exc), "give more feedback, then train again") from None
            path = self.artifacts.write_atomic(self.artifacts.reward_path(int(time.time() * 1000)), reward.save)
            self.store.add_reward_model(str(path), reward.model, reward.metrics["pairs"], reward.metrics, snapshot,
                                        project)
            self._reward[project] = reward
            log.info("reward model of project %s retrained: %s", project, reward.metrics)
            if principal is not None:
                self._record(principal, project, "reward.train", reward.model)
            return reward

    def reward(self, project: str = DEFAULT_PROJECT, principal: Optional[Principal] = None) -> Optional[RewardModel]:
        """The project's latest reward model (a principal: one who may read it, an artist or up)."""
        if principal is not None:
            project = self._project(principal, project, Role.ARTIST, "reading the reward model")
        if project not in self._reward:
            path = self.store.latest_reward_model_path(self.actors.embedder.name, project)
            if path and Path(path).is_file():
                self._reward[project] = RewardModel.load(Path(path))
        return self._reward.get(project)

    def _maybe_retrain_reward(self, result: FeedbackResult, project: str = DEFAULT_PROJECT) -> None:
        """Retrain in the background once enough frames were judged since the last model
        (a second or two at thousands of pairs: feedback should not wait for it)."""
        current = self.reward(project)
        if current is not None:
            result.reward = {k: float(v) for k, v in current.metrics.items()}
        if self._due(project) and not self._reward_lock.locked():
            threading.Thread(target=self._retrain_quietly, args=(project,), name="beatboard-reward",
                             daemon=True).start()

    def _due(self, project: str = DEFAULT_PROJECT) -> bool:
        fresh = self.store.frames_judged_since(self.store.last_reward_trained_at(project), project)
        return fresh >= max(1, self.settings.reward_retrain_every)

    def _retrain_quietly(self, project: str = DEFAULT_PROJECT) -> None:
        try:
            while self._due(project):  # feedback that arrived while training counts for the next round
                self.train_reward(project)
        except ActorStoreError:
            pass  # not enough contrast in the feedback yet
        except Exception:  # the server stopped under it: the next feedback tries again
            log.debug("reward retraining interrupted", exc_info=True)

    def rank(self, job_id: str, principal: Principal = LOCAL) -> Ranking:
        project = self._job_project(principal, job_id, Role.ARTIST, "ranking a job's variations")
        job = self.jobs.get(job_id)
        if job is None or job.state is not JobState.DONE:
            raise ActorStoreError("not_found", f"job {job_id!r} has no finished frames to rank",
                                  "rank the variations of a finished render job")
        reward = self.reward(project)
        if reward is None:
            raise ActorStoreError("conflict", "no reward model yet",
                                  "rate or pick some variations first; it trains itself from that feedback")
        indices = [f.index for f in job.frames]
        vectors = np.stack([self.frame_vector(job_id, i)[1] for i in indices])
        scores = reward.score(vectors)
        order = reward.rank(vectors)
        return Ranking(job_id=job_id, order=[indices[i] for i in order], scores=[float(scores[i]) for i in order],
                       reward={k: float(v) for k, v in reward.metrics.items()})

    # -- casting into requests ---------------------------------------------------------------
    def cast_request(self, request: RenderRequest) -> None:
        """Fill in each cast actor's stored id, description, standing hints and trained LoRA, before the
        job is stored (render_server.prompts phrases them into the prompt)."""
        project = request.project or DEFAULT_PROJECT
        foreign = self.store.hidden_loras({project})
        for placement in request.actors:
            if placement.lora and (placement.lora.lower() in foreign or placement.lora.split("@")[0].lower() in foreign):
                placement.lora = ""  # the LoRA of an actor private to another project: never applied here
            actor = self._usable(placement.actor_id, project) or self.castings.actor_for(placement.name, project)
            if actor is None:
                placement.actor_id = ""  # unknown, or private to another project: as if never named
                continue
            placement.actor_id = actor.id
            placement.prompt_hints = list(actor.prompt_hints)
            placement.description = placement.description or actor.description
            if not placement.lora and actor.lora_version:
                placement.lora = self.store.active_lora_name(actor.id)


@dataclass
class _Depiction:
    """An actor as a frame shows them: their crop, and its embedding."""

    actor: object
    crop: Image.Image
    vector: Optional[np.ndarray] = None
