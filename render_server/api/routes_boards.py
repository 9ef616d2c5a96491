"""Boards, and the director's notes on them."""

from __future__ import annotations


from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from shared_schema import Board, BoardChanges, BoardCreate, Note, NoteChange, NoteRequest

from ..boards import BoardError
from ..notes.interpret import interpret_note
from ..people import Role
from .deps import Caller, State
from .long_poll import LONG_POLL_MAX_S, wait_for_change
from .errors import ERROR_RESPONSES, ApiError
from .wire_route import WireRoute

router = APIRouter(responses=ERROR_RESPONSES, route_class=WireRoute)
BoardId = Path(max_length=64, description="the id POST /v1/boards answered")
NoteId = Path(max_length=64, description="the id POST /v1/boards/{id}/notes answered")




def _call(fn, *args):
    try:
        return fn(*args)
    except BoardError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.hint) from None


@router.post("/v1/boards", status_code=201)
def create_board(body: BoardCreate, state: State, caller: Caller) -> Board:
    """``project`` names the project (its id or name; empty: the default project)."""
    return _call(state.boards.create, caller, body)


@router.get("/v1/boards/{board_id}")
def get_board(state: State, caller: Caller, board_id: str = BoardId) -> Board:
    """The board with each shot's beat, takes (linked by parent job), notes in force and pick."""
    return _call(state.boards.get, caller, board_id)


@router.get("/v1/boards/{board_id}/changes")
async def board_changes(state: State, caller: Caller, board_id: str = BoardId,
                        after: int = Query(0, ge=0, le=2**63 - 1),
                        wait: float = Query(0.0, ge=0.0, le=LONG_POLL_MAX_S)) -> BoardChanges:
    """The board's revision; with ``wait`` > 0 it waits until the revision passes ``after`` (a note,
    a take or a pick by anyone), so a second Blender session on the board refreshes at once."""
    revision = await wait_for_change(lambda wake: state.boards.watch(board_id, wake),
                                     lambda: _call(state.boards.revision, caller, board_id),
                                     lambda seen: seen > after, wait)
    return BoardChanges(board_id=board_id, revision=revision, changed=revision > after)


@router.post("/v1/boards/{board_id}/notes", status_code=201)
async def add_note(body: NoteRequest, state: State, caller: Caller, board_id: str = BoardId) -> Note:
    """Read the note into a structured change, keep it in force, and say which shots it re-renders."""
    return await run_in_threadpool(_call, state.boards.add_note, caller, board_id, body)


@router.delete("/v1/notes/{note_id}")
def remove_note(state: State, caller: Caller, note_id: str = NoteId) -> Note:
    return _call(state.boards.remove_note, caller, note_id)


@router.post("/v1/notes/interpret")
async def interpret(body: NoteRequest, state: State, caller: Caller) -> NoteChange:
    """What a note would change, without keeping it (for artists and up in some project)."""
    state.people.require_some_project(caller, Role.ARTIST, "reading a note")
    if not body.text.strip():
        raise ApiError(422, "validation_error", "the note is empty", "say what should change, e.g. 'wider'")
    return await run_in_threadpool(interpret_note, body.text, [c.upper() for c in body.characters],
                                   body.actor.upper(), state.settings)
