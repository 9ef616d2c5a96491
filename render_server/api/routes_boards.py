"""Boards, and the director's notes on them."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from shared_schema import Board, BoardCreate, Note, NoteChange, NoteRequest

from ..boards import BoardError
from ..notes.interpret import interpret_note
from .deps import State
from .errors import ApiError

router = APIRouter()


def _call(fn, *args):
    try:
        return fn(*args)
    except BoardError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.hint) from None


@router.post("/v1/boards", status_code=201)
def create_board(body: BoardCreate, state: State) -> Board:
    return _call(state.boards.create, body)


@router.get("/v1/boards/{board_id}")
def get_board(board_id: str, state: State) -> Board:
    """The board with each shot's beat, takes (linked by parent job), notes in force and pick."""
    return _call(state.boards.get, board_id)


@router.post("/v1/boards/{board_id}/notes", status_code=201)
async def add_note(board_id: str, body: NoteRequest, state: State) -> Note:
    """Read the note into a structured change, keep it in force, and say which shots it re-renders."""
    return await run_in_threadpool(_call, state.boards.add_note, board_id, body)


@router.delete("/v1/notes/{note_id}")
def remove_note(note_id: str, state: State) -> Note:
    return _call(state.boards.remove_note, note_id)


@router.post("/v1/notes/interpret")
async def interpret(body: NoteRequest, state: State) -> NoteChange:
    """What a note would change, without keeping it."""
    if not body.text.strip():
        raise ApiError(422, "validation_error", "the note is empty", "say what should change, e.g. 'wider'")
    return await run_in_threadpool(interpret_note, body.text, [c.upper() for c in body.characters],
                                   body.actor.upper(), state.settings)
