"""Beats for a request: ingest the script, then the LLM (when configured) or the offline extractor."""

from __future__ import annotations

import logging

from shared_schema import BeatsRequest, BeatsResponse

from ..settings import Settings
from .collector import collector_paused
from .ingest import ScriptRejected, ingest
from .llm import LlmBeatExtractor, LlmUnavailable
from .offline import beats_from_parsed
from .screenplay import parse_script

log = logging.getLogger("beatboard.beats")

MAX_BEATS = 200


LLM_SETTINGS_HINT = ("set BEATBOARD_LLM_BASE_URL and BEATBOARD_LLM_MODEL for a local server (Ollama: "
                     "http://127.0.0.1:11434/v1, LM Studio: http://127.0.0.1:1234/v1), or BEATBOARD_LLM_API_KEY and "
                     "BEATBOARD_LLM_MODEL for OpenAI; or use the offline extractor")


def check_llm_settings(settings: Settings) -> None:
    """Asked for the LLM outright: refuse unless the user chose an endpoint. A default-built
    OpenAI client would send the script to the public OpenAI API, and scripts are under NDA."""
    chosen = settings.llm_base_url or settings.llm_model or settings.llm_api_key
    if not chosen:
        raise ScriptRejected(422, "llm_not_configured", "the LLM extractor was asked for but no LLM is configured",
                             LLM_SETTINGS_HINT)
    if not settings.llm_model:
        raise ScriptRejected(422, "llm_not_configured", "the LLM extractor needs a model name (BEATBOARD_LLM_MODEL)",
                             LLM_SETTINGS_HINT)
    if not (settings.llm_base_url or settings.llm_api_key):
        raise ScriptRejected(422, "llm_not_configured",
                             "the LLM extractor needs an endpoint (BEATBOARD_LLM_BASE_URL) or an OpenAI key "
                             "(BEATBOARD_LLM_API_KEY)", LLM_SETTINGS_HINT)


def break_into_beats(request: BeatsRequest, settings: Settings) -> BeatsResponse:
    if request.extractor == "llm":
        check_llm_settings(settings)
    source = ingest(request.script, request.filename)
    use_llm = request.extractor == "llm" or (request.extractor == "auto" and settings.llm_configured)
    if not use_llm:
        with collector_paused():  # parse and beats in one pause: the parse's objects live through both
            parsed = parse_script(source.fountain)
            response = beats_from_parsed(parsed, n=request.n, focus=request.focus)
            del parsed  # freed inside the pause, so the collector resumes with nothing of it left to scan
    else:
        with collector_paused():
            parsed = parse_script(source.fountain)
        response = None
    warnings: list[str] = []
    if request.extractor == "auto" and not use_llm and (settings.llm_base_url or settings.llm_model
                                                         or settings.llm_api_key):
        warnings.append("the LLM settings are incomplete (it needs BEATBOARD_LLM_MODEL and an endpoint or key); "
                        "used the offline extractor")
    if use_llm:
        try:
            response = LlmBeatExtractor.from_settings(settings).extract(parsed, request.n, request.focus)
        except LlmUnavailable as exc:
            log.warning("LLM beats failed, using the offline extractor: %s", exc)
            warnings.append(f"{exc}; used the offline extractor instead")
    if response is None:
        with collector_paused():
            response = beats_from_parsed(parsed, n=request.n, focus=request.focus)
    response.warnings = warnings + response.warnings
    if source.converted:
        response.format = source.format
        response.source_fountain = source.fountain
    return response
