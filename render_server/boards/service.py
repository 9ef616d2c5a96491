"""The board on the server: shots and their takes, notes in force per scope, the current pick.

Notes are read into structured changes (LLM or offline rules) and kept until removed. Every
render that names the board gets the notes in force written into its fields before the
prompt builder phrases them: BOARD notes (time of day, weather, light) on every shot,
SHOT notes on their shot, ACTOR notes on that actor's performance and look.

Every board belongs to a project, and every call names who asks (a Principal): viewers read,
artists render and note, directors also pick (through feedback). A board in a project the
caller is not in answers as a missing board does.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Callable, Optional

from shared_schema import (Beat, Board, BoardCreate, BoardShot, Feedback, FeedbackScope, IntExt, Note, NoteChange,
                           NoteRequest, RenderRequest, ShotDescription, Take)

from ..notes.interpret import interpret_note
from ..people import PeopleService, Principal, Role
from ..settings import Settings
from ..storage.job_store import JobStore
from .repository import BoardRepository


class BoardError(Exception):
    def __init__(self, status: int, code: str, message: str, hint: str = ""):
        super().__init__(message)
        self.status, self.code, self.message, self.hint = status, code, message, hint


def applies_to(note: Note, shot_number: str) -> bool:
    if note.scope is FeedbackScope.BOARD:
        return True
    if note.scope is FeedbackScope.ACTOR and note.all_shots:
        return True
    return note.shot_number == shot_number


def apply_notes(request: RenderRequest, notes: list[Note]) -> None:
    """Write the notes in force (oldest first, so the latest wins) into the request's fields."""
    d = request.description or ShotDescription(action=request.prompt)
    request.description = d
    placements = {a.name.upper(): a for a in request.actors}
    phrases = list(d.notes)
    for note in notes:
        change = note.change
        if change.time_of_day:
            d.time_of_day = change.time_of_day
        if change.weather:
            d.weather = "" if change.weather == "dry" else change.weather
        target = placements.get((note.actor or change.actor).upper())
        if note.scope is FeedbackScope.ACTOR and target is None:
            continue  # an actor note on a shot the actor is not in
        if target is not None:
            if not target.emotion and (change.emotion or change.intensity is not None or change.intensity_delta):
                target.emotion = change.emotion
                base = change.intensity if change.intensity is not None else 1.0
                target.intensity = min(2.0, max(0.0, base + change.intensity_delta))
            target.prompt_hints = list(dict.fromkeys([*target.prompt_hints, *change.prompt_terms]))
        else:
            phrases += change.prompt_terms
        if change.light:
            phrases.append(change.light)
    d.notes = list(dict.fromkeys(p for p in phrases if p))


def _beat_from(description: ShotDescription, before: Optional[Beat], position: int, characters: list[str]) -> Beat:
    beat = before or Beat(index=position, action="")
    return replace(beat, action=description.action, dialogue=description.dialogue, speaker=description.speaker,
                   emotion=description.emotion, location=description.location, int_ext=description.int_ext,
                   time_of_day=description.time_of_day, shot=description.shot,
                   characters=characters or beat.characters)


class BoardService:
    def __init__(self, repo: BoardRepository, jobs: JobStore, settings: Settings, people: PeopleService):
        self.repo = repo
        self.jobs = jobs
        self.settings = settings
        self.people = people
        self._watchers = BoardWatchers()

    # -- boards ------------------------------------------------------------------------------
    def create(self, principal: Principal, body: BoardCreate) -> Board:
        project = self.people.require_project(principal, body.project, Role.ARTIST, "making a board")
        numbers = [s.number for s in body.shots]
        if len(set(numbers)) != len(numbers):
            raise BoardError(422, "validation_error", "two shots of the board have the same number",
                             "number shots 1, 2, 3 or 1, 1A, 1B: each once")
        board_id = self.repo.create_board(body.title, body.script_digest, project,
                                          [(s.number, s.beat) for s in body.shots])
        self.people.record(principal, project, "board.create", board_id)
        return self.get(principal, board_id)

    @staticmethod
    def _missing(board_id: str) -> BoardError:
        return BoardError(404, "not_found", f"no board {board_id!r} on this server",
                          "Render Storyboard creates the board; POST /v1/boards makes one by hand")

    def _require(self, board_id: str, principal: Principal, need: Role = Role.VIEWER, what: str = "reading a board"):
        """The board's row, when the principal may do ``what`` to it."""
        row = self.repo.board(board_id)
        if row is None:
            raise self._missing(board_id)
        self.people.require(principal, row["project"], need, what, lambda: self._missing(board_id))
        return row

    def project_of(self, board_id: str) -> str:
        row = self.repo.board(board_id)
        return row["project"] if row else ""

    def get(self, principal: Principal, board_id: str) -> Board:
        row = self._require(board_id, principal)
        notes = self.repo.notes(board_id)
        takes_by_shot: dict[str, list[Take]] = {}
        for take in self.repo.takes(board_id):
            job = self.jobs.get(take["job_id"])
            if job is None:
                continue
            request = self.jobs.request_of(job.id)
            takes_by_shot.setdefault(take["shot_number"], []).append(Take(
                job_id=job.id, state=job.state, seed=request.seed, prompt=request.prompt,
                parent_job_id=take["parent_job_id"], note_id=take["note_id"], note=take["note"], frames=job.frames,
                created_at=job.created_at, author=take["author"]))
        shots = [BoardShot(number=number, position=position, beat=beat, takes=takes_by_shot.get(number, []),
                           notes=[n for n in notes if n.scope is not FeedbackScope.BOARD and applies_to(n, number)],
                           pick_job=pick_job, pick_frame=pick_frame)
                 for number, position, beat, pick_job, pick_frame in self.repo.shots(board_id)]
        return Board(id=row["id"], title=row["title"], script_digest=row["script_digest"], project=row["project"],
                     created_at=row["created_at"], shots=shots,
                     notes=[n for n in notes if n.scope is FeedbackScope.BOARD], revision=row["revision"])

    # -- waiting for a change ----------------------------------------------------------------
    def revision(self, principal: Principal, board_id: str) -> int:
        self._require(board_id, principal)
        return self.repo.revision(board_id)

    def watch(self, board_id: str, callback) -> "Callable[[], None]":
        return self._watchers.watch(board_id, callback)

    def _changed(self, board_id: str) -> None:
        self._watchers.notify(board_id)

    # -- notes -------------------------------------------------------------------------------
    def add_note(self, principal: Principal, board_id: str, body: NoteRequest) -> Note:
        row = self._require(board_id, principal, Role.ARTIST, "a note on a board")
        text = body.text.strip()
        if not text:
            raise BoardError(422, "validation_error", "the note is empty", "say what should change, e.g. 'wider'")
        shots = self.repo.shots(board_id)
        numbers = [s[0] for s in shots]
        beats = {s[0]: s[2] for s in shots}
        if body.scope is not FeedbackScope.BOARD and not (body.scope is FeedbackScope.ACTOR and body.all_shots):
            if body.shot_number not in numbers:
                raise BoardError(422, "validation_error", f"shot {body.shot_number!r} is not on this board",
                                 f"the board's shots are {', '.join(numbers) or 'none yet'}")
        if body.scope is FeedbackScope.ACTOR and not body.actor.strip():
            raise BoardError(422, "validation_error", "an actor note needs the actor",
                             "name the character the note is for, e.g. MARA")
        actor = body.actor.strip().upper()
        characters = [c.upper() for c in body.characters] or sorted(
            {c.upper() for b in beats.values() if b for c in b.characters})
        change = interpret_note(text, characters, actor, self.settings)
        if body.scope is FeedbackScope.ACTOR:
            change.actor = actor
        if body.scope is FeedbackScope.BOARD or (change.same_as_shot and change.same_as_shot not in numbers):
            change.same_as_shot = "" if body.scope is FeedbackScope.BOARD else change.same_as_shot
        affected = self._affected(body, actor, numbers, beats)
        if body.scope is FeedbackScope.BOARD:
            self._update_beats(board_id, affected, beats, change)
        note = self.repo.add_note(board_id, body.scope, body.shot_number, actor, body.all_shots, text, change,
                                  affected, author=principal.name)
        self.people.record(principal, row["project"], "note.add", f"{board_id}/{note.id}")
        self._changed(board_id)
        return note

    @staticmethod
    def _affected(body: NoteRequest, actor: str, numbers: list[str], beats: dict) -> list[str]:
        if body.scope is FeedbackScope.BOARD:
            return numbers
        if body.scope is FeedbackScope.ACTOR and body.all_shots:
            return [n for n in numbers if beats.get(n) and actor in {c.upper() for c in beats[n].characters}]
        return [body.shot_number]

    def _update_beats(self, board_id: str, numbers: list[str], beats: dict, change: NoteChange) -> None:
        for number in numbers:
            beat = beats.get(number)
            if beat is None:
                continue
            if change.time_of_day:
                beat.time_of_day = change.time_of_day
            self.repo.set_beat(board_id, number, beat)

    def remove_note(self, principal: Principal, note_id: str) -> Note:
        found = self.repo.note(note_id)
        missing = BoardError(404, "not_found", f"no note {note_id!r}", "GET /v1/boards/{id} lists the notes in force")
        if found is None:
            raise missing
        row = self.repo.board(found[0])
        self.people.require(principal, row["project"], Role.ARTIST, "removing a note", lambda: missing)
        self.repo.remove_note(note_id)
        self.people.record(principal, row["project"], "note.remove", f"{found[0]}/{note_id}")
        self._changed(found[0])
        return replace(found[1], active=False)

    def notes_for(self, board_id: str, shot_number: str) -> list[Note]:
        return [n for n in self.repo.notes(board_id) if applies_to(n, shot_number)]

    # -- renders -----------------------------------------------------------------------------
    def prepare(self, principal: Principal, request: RenderRequest) -> str:
        """Before a render is stored: the caller may render in its project (the board's, else the one
        it names, else the default), the shot exists and its beat is current. Returns the project's id."""
        if not request.board_id:
            return self.people.require_project(principal, request.project, Role.ARTIST, "rendering")
        row = self._require(request.board_id, principal, Role.ARTIST, "rendering a board's shot")
        if request.project and self.people.project_id(request.project) != row["project"]:
            raise BoardError(422, "validation_error", f"board {request.board_id} is not in project {request.project!r}",
                             "leave project out when the request names a board: the take goes to the board's project")
        if request.note_id and self.repo.note(request.note_id) is None:
            raise BoardError(422, "validation_error", f"note_id {request.note_id!r} is not a note of this server",
                             "notes come from POST /v1/boards/{id}/notes")
        self.repo.ensure_shot(request.board_id, request.shot_number)
        if request.description is not None:
            shots = {s[0]: s for s in self.repo.shots(request.board_id)}
            _, position, before, _, _ = shots[request.shot_number]
            beat = _beat_from(request.description, before, position, [a.name for a in request.actors])
            self.repo.set_beat(request.board_id, request.shot_number, beat)
        return row["project"]

    def apply_notes_in_force(self, request: RenderRequest) -> None:
        """The board's notes in force for the shot, into the request's fields (after casting)."""
        if request.board_id:
            apply_notes(request, self.notes_for(request.board_id, request.shot_number))

    def record_take(self, principal: Principal, request: RenderRequest, job_id: str) -> None:
        if request.board_id:
            self.repo.add_take(request.board_id, request.shot_number, job_id, request.parent_job_id,
                               request.note_id, request.note, author=principal.name)
            self._changed(request.board_id)

    def record_feedback(self, principal: Principal, job_id: str, index: int, feedback: Feedback) -> tuple[str, str]:
        """(the note that produced the judged take, the id of a shot/board note sent with it and now kept
        in force). The judgement is kept with the note; a pick becomes the shot's pick."""
        take = self.repo.take(job_id)
        if take is None:
            return "", ""
        self.repo.record_feedback(job_id, index, take["note_id"], feedback.rating, feedback.verdict.value,
                                  feedback.picked)
        if feedback.picked:
            self.repo.set_pick(take["board_id"], take["shot_number"], job_id, index)
            self._changed(take["board_id"])
        kept = ""
        if feedback.note.strip() and feedback.scope is not FeedbackScope.ACTOR and not feedback.actor:
            kept = self.add_note(principal, take["board_id"], NoteRequest(text=feedback.note, scope=feedback.scope,
                                                                          shot_number=take["shot_number"])).id
        return take["note_id"], kept


class BoardWatchers:
    """Callbacks to run after a board changes (a note, a take, a pick): long-polls wait on these."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_board: dict[str, set] = {}

    def watch(self, board_id: str, callback) -> Callable[[], None]:
        with self._lock:
            self._by_board.setdefault(board_id, set()).add(callback)

        def unwatch() -> None:
            with self._lock:
                callbacks = self._by_board.get(board_id)
                if callbacks is not None:
                    callbacks.discard(callback)
                    if not callbacks:
                        del self._by_board[board_id]
        return unwatch

    def notify(self, board_id: str) -> None:
        with self._lock:
            callbacks = list(self._by_board.get(board_id, ()))
        for callback in callbacks:
            callback()


__all__ = ["BoardService", "BoardError", "apply_notes", "IntExt"]
