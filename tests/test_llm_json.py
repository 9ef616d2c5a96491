import pytest

from render_server.beats.llm_json import NotJson, loads_lenient


@pytest.mark.parametrize("text, value, repaired", [
    ('{"beats": []}', {"beats": []}, False),
    ('```json\n{"beats": [{"a": 1}, {"b": 2},]}\n```', {"beats": [{"a": 1}, {"b": 2}]}, True),
    ('Sure! {"beats": [1]} Hope this helps.', {"beats": [1]}, False),
    ('{"beats": [{"a": 1, "t": "x"}, {"b": 2, "t": "unfini', {"beats": [{"a": 1, "t": "x"}]}, True),
    ('{"beats": [{"a": 1, "t": "x]"}, {"b"', {"beats": [{"a": 1, "t": "x]"}]}, True),
    ('{"beats": [{"a": "q\\"x"}]}', {"beats": [{"a": 'q"x'}]}, False),
])
def test_answers_models_really_give(text, value, repaired):
    assert loads_lenient(text) == (value, repaired)


@pytest.mark.parametrize("text, words", [
    ("", "empty"),
    ("I cannot do that.", "no JSON object"),
    ('{"beats": [{"a', "before any complete item"),
])
def test_hopeless_answers_say_why(text, words):
    with pytest.raises(NotJson) as caught:
        loads_lenient(text)
    assert words in str(caught.value)
