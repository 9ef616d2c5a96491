"""Learning from the director: feedback on frames moves actor profiles, keeps notes (and
promotes recurring ones to hints), trains the reward model, and queues LoRA training."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Callable, Optional

import numpy as np
from PIL import Image

from shared_schema import Feedback, FeedbackResult, FeedbackScope, JobState, Ranking, RenderRequest, Verdict

from ..actors.castings import Castings
from ..actors.notes import NoteBook
from ..actors.service import ActorService
from ..actors.store import ActorStoreError
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
        self._reward: Optional[RewardModel] = None
        self._reward_lock = threading.Lock()

    # -- frames ----------------------------------------------------------------------------
    def _frame(self, job_id: str, index: int) -> tuple[RenderRequest, Path]:
        job = self.jobs.get(job_id)
        if job is None:
            raise ActorStoreError("not_found", f"no job {job_id!r}", "GET /v1/jobs lists recent jobs")
        if job.state is not JobState.DONE or not any(f.index == index for f in job.frames):
            raise ActorStoreError("not_found", f"job {job_id} has no frame {index}",
                                  "give feedback on frames of finished render jobs")
        path = self.settings.frames_dir / job_id / f"{index}.png"
        if not path.is_file():
            raise ActorStoreError("not_found", f"frame {job_id}/{index} is no longer on disk",
                                  "render the shot again and judge the new frame")
        return self.jobs.request_of(job_id), path

    def frame_vector(self, job_id: str, index: int, path: Optional[Path] = None) -> tuple[int, np.ndarray]:
        """The frame's image embedding, computed once and kept in the store."""
        ref = f"{job_id}/{index}"
        model = self.actors.embedder.name
        row = self.store.db.execute("SELECT id FROM embeddings WHERE source = 'frame' AND ref = ? AND model = ?",
                                    (ref, model)).fetchone()
        if row:
            return row[0], self.store.vector(row[0])
        path = path or self._frame(job_id, index)[1]
        vector = self.actors.embedder.images([Image.open(path)])[0]
        return self.store.add_embedding(None, "image", "frame", vector, model, ref), vector

    # -- feedback --------------------------------------------------------------------------
    def feedback(self, job_id: str, index: int, fb: Feedback) -> FeedbackResult:
        request, path = self._frame(job_id, index)
        ref = f"{job_id}/{index}"
        result = FeedbackResult(frame=ref)
        if not 0 <= fb.rating <= 5:
            raise ActorStoreError("validation_error", f"rating {fb.rating} is out of range",
                                  "rate 1 (worst) to 5 (best), or 0 for no rating")
        embedding_id, _ = self.frame_vector(job_id, index, path)
        self._record_frame(job_id, index, embedding_id, fb)
        placements = {a.name: a for a in request.actors}
        if fb.actor and fb.actor not in placements:
            result.warnings.append(f"{fb.actor} is not in shot {request.shot_number}; judged the whole frame")
        targets = [fb.actor] if fb.actor in placements else list(placements)
        if fb.rating or fb.verdict is not Verdict.NONE:
            self._rate_actors(request, ref, targets, fb)
        if fb.verdict is not Verdict.NONE:
            self._judge_actors(request, path, ref, targets, fb.verdict is Verdict.APPROVE, result)
        if fb.note.strip():
            self._keep_note(request, fb, targets, result)
        self._maybe_retrain_reward(result)
        return result

    def _record_frame(self, job_id: str, index: int, embedding_id: int, fb: Feedback) -> None:
        db = self.store.db
        with self.store._lock, db:
            if fb.picked:  # one pick per job: picking another variation moves the pick
                db.execute("UPDATE frame_feedback SET picked = 0 WHERE job_id = ?", (job_id,))
            db.execute(
                "INSERT INTO frame_feedback(frame_ref, job_id, embedding_id, rating, verdict, picked, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(frame_ref) DO UPDATE SET "
                "rating = CASE WHEN excluded.rating > 0 THEN excluded.rating ELSE rating END, "
                "verdict = CASE WHEN excluded.verdict != 'NONE' THEN excluded.verdict ELSE verdict END, "
                "picked = MAX(picked, excluded.picked), updated_at = excluded.updated_at",
                (f"{job_id}/{index}", job_id, embedding_id, fb.rating, fb.verdict.value, int(fb.picked), time.time()))

    def _rate_actors(self, request: RenderRequest, ref: str, targets: list[str], fb: Feedback) -> None:
        """Each cast actor's own record of how their frames were judged."""
        actors = [a for a in (self._stored_actor(request, name) for name in targets) if a is not None]
        with self.store._lock, self.store.db:
            for actor in actors:
                self.store.db.execute("INSERT INTO ratings(actor_id, frame_ref, rating, verdict, created_at) "
                                      "VALUES (?, ?, ?, ?, ?)", (actor.id, ref, fb.rating, fb.verdict.value,
                                                                 time.time()))

    def _stored_actor(self, request: RenderRequest, name: str):
        placement = next(a for a in request.actors if a.name == name)
        return (self.store.get(placement.actor_id) if placement.actor_id else None) or self.castings.actor_for(name)

    def _judge_actors(self, request: RenderRequest, path: Path, ref: str, targets: list[str], approved: bool,
                      result: FeedbackResult) -> None:
        if request.conditioning.masks is None:
            result.warnings.append("the frame was rendered without actor masks: no actor profile moved")
            return
        crops = actor_crops(Image.open(path), request.conditioning.masks)
        model = self.actors.embedder.name
        for name in targets:
            actor = self._stored_actor(request, name)
            if actor is None:
                result.warnings.append(f"{name} is not cast to a stored actor: cast them to learn their look")
                continue
            if name not in crops:
                result.warnings.append(f"{name} is too small or hidden in this frame to learn from")
                continue
            already = self.store.db.execute("SELECT 1 FROM embeddings WHERE actor_id = ? AND ref = ? AND source "
                                            "IN ('approved', 'rejected')", (actor.id, ref)).fetchone()
            if already:
                result.warnings.append(f"{actor.name} was already judged in {ref}; the profile moves once per frame")
                continue
            if approved:  # approved crops are what the actor's LoRA trains on
                folder = self.actors.images_dir / actor.id / "approved"
                folder.mkdir(parents=True, exist_ok=True)
                crops[name].save(folder / f"{ref.replace('/', '_')}.png")
            vector = self.actors.embedder.images([crops[name]])[0]
            try:
                self.store.record_verdict(actor.id, vector, model, approved=approved, ref=ref)
            except ActorStoreError as exc:
                result.warnings.append(exc.message)
                continue
            result.profiles_moved.append(actor.name)
            if approved:
                self._maybe_queue_training(actor.id, result)

    def _keep_note(self, request: RenderRequest, fb: Feedback, targets: list[str], result: FeedbackResult) -> None:
        if fb.scope is FeedbackScope.BOARD or (fb.scope is FeedbackScope.SHOT and not fb.actor):
            return  # notes on a shot or the board refine prompts; they say nothing about one actor
        if len(targets) != 1:
            result.warnings.append("an actor note needs the actor: say which one it is for")
            return
        actor = self._stored_actor(request, targets[0])
        if actor is None:
            result.warnings.append(f"{targets[0]} is not cast to a stored actor: the note was not kept")
            return
        hint = self.notes.add(actor.id, fb.note, fb.scope.value, request.shot_number)
        if hint:
            result.hints_added.append(f"{actor.name}: {hint}")

    # -- LoRA training ---------------------------------------------------------------------
    def new_approved_crops(self, actor_id: str) -> list[Path]:
        """Approved crops on disk that no LoRA version has trained on yet."""
        used: set[str] = set()
        for (frames,) in self.store.db.execute("SELECT source_frames FROM lora_versions WHERE actor_id = ?",
                                               (actor_id,)):
            used.update(json.loads(frames))
        folder = self.actors.images_dir / actor_id / "approved"
        return sorted(p for p in folder.glob("*.png") if p.name not in used) if folder.is_dir() else []

    def _maybe_queue_training(self, actor_id: str, result: FeedbackResult) -> None:
        threshold = self.settings.lora_train_threshold
        if self.queue_training is None or threshold <= 0 or len(self.new_approved_crops(actor_id)) < threshold:
            return
        job_id = self.queue_training(actor_id, 0, f"{threshold} new approved crops")
        if job_id:
            result.training_jobs.append(job_id)

    # -- reward model ----------------------------------------------------------------------
    def judgements(self) -> list[Judgement]:
        model = self.actors.embedder.name
        rows = self.store.db.execute(
            "SELECT f.frame_ref, f.job_id, f.embedding_id, f.rating, f.verdict, f.picked FROM frame_feedback f "
            "JOIN embeddings e ON e.id = f.embedding_id WHERE e.model = ? ORDER BY f.id", (model,)).fetchall()
        return [Judgement(ref, job, self.store.vector(eid), rating, verdict, bool(picked))
                for ref, job, eid, rating, verdict, picked in rows]

    def train_reward(self) -> RewardModel:
        with self._reward_lock:
            snapshot = time.time()  # feedback after this is fresh for the next retraining
            judged = self.judgements()
            try:
                reward = train_reward(judged, self.actors.embedder.name)
            except ValueError as exc:
                raise ActorStoreError("conflict", str(exc), "give more feedback, then train again") from None
            path = self.settings.data_dir / "reward" / f"reward_{int(time.time() * 1000)}.npz"
            reward.save(path)
            with self.store._lock, self.store.db:
                self.store.db.execute("INSERT INTO reward_models(path, model, pairs, metrics, created_at) "
                                      "VALUES (?, ?, ?, ?, ?)", (str(path), reward.model, reward.metrics["pairs"],
                                                                 json.dumps(reward.metrics), snapshot))
            self._reward = reward
            log.info("reward model retrained: %s", reward.metrics)
            return reward

    def reward(self) -> Optional[RewardModel]:
        if self._reward is None:
            row = self.store.db.execute("SELECT path FROM reward_models WHERE model = ? ORDER BY id DESC LIMIT 1",
                                        (self.actors.embedder.name,)).fetchone()
            if row and Path(row[0]).is_file():
                self._reward = RewardModel.load(Path(row[0]))
        return self._reward

    def _maybe_retrain_reward(self, result: FeedbackResult) -> None:
        """Retrain in the background once enough frames were judged since the last model
        (a second or two at thousands of pairs: feedback should not wait for it)."""
        current = self.reward()
        if current is not None:
            result.reward = {k: float(v) for k, v in current.metrics.items()}
        if self._due() and not self._reward_lock.locked():
            threading.Thread(target=self._retrain_quietly, name="beatboard-reward", daemon=True).start()

    def _due(self) -> bool:
        last = self.store.db.execute("SELECT MAX(created_at) FROM reward_models").fetchone()[0] or 0
        fresh = self.store.db.execute("SELECT COUNT(*) FROM frame_feedback WHERE updated_at > ?", (last,)).fetchone()[0]
        return fresh >= max(1, self.settings.reward_retrain_every)

    def _retrain_quietly(self) -> None:
        try:
            while self._due():  # feedback that arrived while training counts for the next round
                self.train_reward()
        except ActorStoreError:
            pass  # not enough contrast in the feedback yet
        except Exception:  # the server stopped under it: the next feedback tries again
            log.debug("reward retraining interrupted", exc_info=True)

    def rank(self, job_id: str) -> Ranking:
        job = self.jobs.get(job_id)
        if job is None or job.state is not JobState.DONE:
            raise ActorStoreError("not_found", f"job {job_id!r} has no finished frames to rank",
                                  "rank the variations of a finished render job")
        reward = self.reward()
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
        for placement in request.actors:
            actor = (self.store.get(placement.actor_id) if placement.actor_id else None) \
                or self.castings.actor_for(placement.name)
            if actor is None:
                continue
            placement.actor_id = actor.id
            placement.prompt_hints = list(actor.prompt_hints)
            placement.description = placement.description or actor.description
            if not placement.lora and actor.lora_version:
                placement.lora = f"{actor.name}@{actor.lora_version}"
