"""The extraction pauses the cyclic garbage collector and always hands it back as it found it."""

import gc

import pytest

from render_server.beats import service
from render_server.beats.collector import collector_paused
from render_server.settings import Settings
from shared_schema import BeatsRequest

SCRIPT = "INT. KITCHEN - NIGHT\n\nMARA (40s) slams the door.\n\nMARA\nWhere were you?\n"


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_extraction_runs_with_the_collector_paused_and_restores_it(collector_on, tmp_path, monkeypatch):
    seen = []
    real = service.beats_from_parsed

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "beats_from_parsed", spy)
    response = service.break_into_beats(BeatsRequest(script=SCRIPT, n=2), Settings(data_dir=tmp_path))
    assert response.beats and seen == [False]
    assert gc.isenabled()


def test_a_failing_extraction_still_restores_the_collector(collector_on, tmp_path, monkeypatch):
    def broken(_text):
        raise RuntimeError("parser broke")

    monkeypatch.setattr(service, "parse_script", broken)
    with pytest.raises(RuntimeError):
        service.break_into_beats(BeatsRequest(script=SCRIPT, n=2), Settings(data_dir=tmp_path))
    assert gc.isenabled()


def test_nested_pauses_resume_only_at_the_outermost_and_respect_a_caller_who_disabled_it(collector_on):
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
