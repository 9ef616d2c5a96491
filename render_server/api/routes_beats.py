from __future__ import annotations

from fastapi import APIRouter

from shared_schema import BeatsRequest, BeatsResponse

from ..beats.offline import extract_beats
from .errors import ApiError

router = APIRouter()

MAX_BEATS = 200


@router.post("/v1/beats")
def beats(body: BeatsRequest) -> BeatsResponse:
    if not body.script.strip():
        raise ApiError(422, "validation_error", "the script is empty",
                       "send the text of a Fountain screenplay or plain notes in 'script'")
    if not 1 <= body.n <= MAX_BEATS:
        raise ApiError(422, "validation_error", f"n={body.n} is out of range", f"ask for 1 to {MAX_BEATS} beats")
    return extract_beats(body.script, n=body.n, focus=body.focus)
