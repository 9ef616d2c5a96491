"""The LLM extractor against a local chat-completions server: good, cut-off, broken and absent answers."""

import pytest

from render_server.beats.llm import LlmBeatExtractor, LlmUnavailable, allocate, chunk_scenes
from render_server.beats.screenplay import parse_script
from render_server.beats.service import break_into_beats
from render_server.settings import Settings
from shared_schema import BeatsRequest, ShotSize
from tests.conftest import EXAMPLE
from tests.fake_llm import FakeLLM

FERRY = EXAMPLE.read_text()


def _settings(url: str, tmp_path, **extra) -> Settings:
    return Settings(data_dir=tmp_path, llm_base_url=url, llm_model="test-model", llm_api_key="k", **extra)


def _extractor(url: str, **extra) -> LlmBeatExtractor:
    import openai

    client = openai.OpenAI(base_url=url, api_key="k", timeout=2.0, max_retries=0)
    return LlmBeatExtractor(client, "test-model", url, sleep=lambda s: None, **extra)


def test_a_realistic_answer_becomes_checked_beats_from_the_script():
    parsed = parse_script(FERRY)
    with FakeLLM(["realistic"]) as llm:
        response = _extractor(llm.url).extract(parsed, 3)
        sent = llm.requests[0]
    assert response.extractor == "llm:test-model"
    assert len(response.beats) == 3 and [b.index for b in response.beats] == [1, 2, 3]
    assert sent["response_format"] == {"type": "json_object"} and sent["temperature"] == 0
    for beat in response.beats:
        scene = next(s for s in reversed(parsed.scenes) if s.line_start <= beat.line_start)
        assert beat.heading == scene.heading, "scene, place and time come from the script"
        assert set(beat.characters) <= set(parsed.characters), "names folded to the script's characters"
        assert parsed.lines[beat.line_start - 1].strip(), "line numbers point at script text"
    assert {b.shot.size for b in response.beats} <= {ShotSize.WS, ShotSize.CU}, "'wide'/'Close-up' mapped"


def test_a_cut_off_answer_keeps_its_complete_beats_and_says_so():
    with FakeLLM(["truncated"]) as llm:
        response = _extractor(llm.url).extract(parse_script(FERRY), 4)
        calls = len(llm.requests)
    assert calls == 1, "repaired, not asked again"
    assert len(response.beats) == 4
    assert any("cut-off" in w for w in response.warnings)
    assert any("offline picks" in w for w in response.warnings), "the lost beat was topped up offline"


def test_prose_then_hallucination_then_a_good_answer_is_retried_to_success():
    with FakeLLM(["prose", "hallucinated", "realistic"]) as llm:
        response = _extractor(llm.url).extract(parse_script(FERRY), 2)
        follow_up = llm.requests[1]["messages"][-1]["content"]
    assert len(response.beats) == 2 and response.extractor == "llm:test-model"
    assert "not usable" in follow_up and "no JSON object" in follow_up


def test_server_errors_are_retried_with_backoff():
    waits = []
    with FakeLLM([503, 500, "realistic"]) as llm:
        extractor = _extractor(llm.url)
        extractor.sleep = waits.append
        response = extractor.extract(parse_script(FERRY), 2)
    assert len(response.beats) == 2
    assert waits == [0.5, 1.0]


def test_a_refusal_is_not_retried_and_names_the_settings_to_check():
    with FakeLLM([401]) as llm:
        with pytest.raises(LlmUnavailable) as caught:
            _extractor(llm.url).extract(parse_script(FERRY), 2)
        assert len(llm.requests) == 1
    assert "BEATBOARD_LLM_API_KEY" in str(caught.value)


def test_always_broken_answers_are_rejected_with_the_reason():
    with FakeLLM(["prose"] * 3) as llm:
        with pytest.raises(LlmUnavailable) as caught:
            _extractor(llm.url).extract(parse_script(FERRY), 2)
    assert "not usable after 3 attempts" in str(caught.value)


def test_long_scripts_are_sent_in_chunks_of_whole_scenes():
    scenes = "\n\n".join(f"INT. ROOM {i} - DAY\n\nMARA (40s) paces the room {i} and looks at the clock again."
                         for i in range(40))
    parsed = parse_script(scenes)
    chunks = chunk_scenes(parsed, parsed.lines, max_chars=600)
    assert len(chunks) > 5
    assert sorted(i for c in chunks for i in c.scenes) == list(range(40)), "every scene once"
    assert all(len(c.text) <= 600 for c in chunks)
    with FakeLLM([]) as llm:
        response = _extractor(llm.url, chunk_chars=600).extract(parsed, 6)
        prompts = [r["messages"][1]["content"] for r in llm.requests]
    assert len(response.beats) == 6 and len(prompts) == 6, "one call per chunk that owes beats"
    starts = [b.line_start for b in response.beats]
    assert starts == sorted(starts) and starts[-1] > 0.7 * len(parsed.lines), "beats cover the whole script"
    assert allocate(6, [10, 10, 10]) == [2, 2, 2] and sum(allocate(7, [5, 1, 9, 3])) == 7


def test_an_unreachable_endpoint_falls_back_to_offline_with_a_visible_warning(tmp_path):
    from beatboard.server_process import free_port

    settings = _settings(f"http://127.0.0.1:{free_port()}/v1", tmp_path, llm_max_attempts=2)
    response = break_into_beats(BeatsRequest(script=FERRY, n=6), settings)
    assert response.extractor == "offline" and len(response.beats) == 6
    assert "cannot reach the LLM" in response.warnings[0] and "offline extractor" in response.warnings[0]


def test_auto_uses_the_llm_only_when_configured(tmp_path):
    offline = break_into_beats(BeatsRequest(script=FERRY, n=2), Settings(data_dir=tmp_path))
    assert offline.extractor == "offline" and not offline.warnings
    with FakeLLM([]) as llm:
        response = break_into_beats(BeatsRequest(script=FERRY, n=2), _settings(llm.url, tmp_path))
    assert response.extractor == "llm:test-model"


def test_the_llms_characters_get_the_presence_and_alias_rules():
    import json

    from tests.test_beats_presence import NIGHT_SHIFT

    parsed = parse_script(NIGHT_SHIFT)
    lines = NIGHT_SHIFT.splitlines()
    call = lines.index("Just do it.") + 1  # Marcus on the phone
    after = lines.index("Ruth stares at the door, alone. She locks it with trembling hands.") + 1  # Owen has gone
    reyes = lines.index("Ruth freezes. Reyes lowers the gun and shows her badge.") + 1
    answer = {"beats": [
        {"line_start": call, "line_end": call, "action": "Ruth listens.", "characters": ["Ruth", "Marcus"]},
        {"line_start": after, "line_end": after, "action": "Ruth alone.", "characters": ["RUTH", "OWEN"]},
        {"line_start": reyes, "line_end": reyes, "action": "The detective lowers her gun.",
         "characters": ["Detective Alma Reyes", "Ruth"], "subject": "DETECTIVE ALMA REYES"},
    ]}
    with FakeLLM([json.dumps(answer)]) as llm:
        beats = _extractor(llm.url).extract(parsed, 3).beats
    assert [b.characters for b in beats] == [["RUTH"], ["RUTH"], ["REYES", "RUTH"]]
    assert beats[2].subject == "REYES"
