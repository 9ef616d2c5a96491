"""Boards, and the director's notes on them."""

from __future__ import annotations

from fastapi import APIRouter, Path
from starlette.concurrency import run_in_threadpool

from shared_schema import Board, BoardCreate, Note, NoteChange, NoteRequest

from ..boards import BoardError
from ..notes.interpret import interpret_note
from .deps import State
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
def create_board(body: BoardCreate, state: State) -> Board:
    return _call(state.boards.create, body)


@router.get("/v1/boards/{board_id}")
def get_board(state: State, board_id: str = BoardId) -> Board:
    """The board with each shot's beat, takes (linked by parent job), notes in force and pick."""
    return _call(state.boards.get, board_id)


@router.post("/v1/boards/{board_id}/notes", status_code=201)
async def add_note(body: NoteRequest, state: State, board_id: str = BoardId) -> Note:
    """Read the note into a structured change, keep it in force, and say which shots it re-renders."""
    return await run_in_threadpool(_call, state.boards.add_note, board_id, body)


@router.delete("/v1/notes/{note_id}")
def remove_note(state: State, note_id: str = NoteId) -> Note:
    return _call(state.boards.remove_note, note_id)


@router.post("/v1/notes/interpret")
async def interpret(body: NoteRequest, state: State) -> NoteChange:
    """What a note would change, without keeping it."""
    if not body.text.strip():
        raise ApiError(422, "validation_error", "the note is empty", "say what should change, e.g. 'wider'")
    return await run_in_threadpool(interpret_note, body.text, [c.upper() for c in body.characters],
                                   body.actor.upper(), state.settings)
