"""Beats for a request: ingest the script, then the LLM (when configured) or the offline extractor."""

from __future__ import annotations

import logging

from shared_schema import BeatsRequest, BeatsResponse

from ..settings import Settings
from .ingest import ingest
from .llm import LlmBeatExtractor, LlmUnavailable
from .offline import beats_from_parsed
from .screenplay import parse_script

log = logging.getLogger("beatboard.beats")

MAX_BEATS = 200


def break_into_beats(request: BeatsRequest, settings: Settings) -> BeatsResponse:
    source = ingest(request.script, request.filename)
    parsed = parse_script(source.fountain)
    use_llm = request.extractor == "llm" or (request.extractor == "auto" and settings.llm_configured)
    response = None
    warnings: list[str] = []
    if use_llm:
        try:
            response = LlmBeatExtractor.from_settings(settings).extract(parsed, request.n, request.focus)
        except LlmUnavailable as exc:
            log.warning("LLM beats failed, using the offline extractor: %s", exc)
            warnings.append(f"{exc}; used the offline extractor instead")
    if response is None:
        response = beats_from_parsed(parsed, n=request.n, focus=request.focus)
    response.warnings = warnings + response.warnings
    if source.converted:
        response.format = source.format
        response.source_fountain = source.fountain
    return response
