"""What directors actually send: FDX, prose, odd encodings, junk, and far too much."""

import pytest
from fastapi.testclient import TestClient

from render_server.app import create_app
from render_server.beats.fdx import fdx_to_fountain
from render_server.beats.screenplay import parse_script
from render_server.settings import Settings
from tests.conftest import EXAMPLE

FDX = """<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<FinalDraft DocumentType="Script" Template="No" Version="5">
  <Content>
    <Paragraph Number="4" Type="Scene Heading"><Text>INT. LIGHTHOUSE LAMP ROOM - NIGHT</Text></Paragraph>
    <Paragraph Type="Action"><Text>The great lens turns. ODILE (70s) winds the clockwork, </Text>
      <Text Style="Bold">humming</Text><Text>.</Text></Paragraph>
    <Paragraph Type="Character"><Text>ODILE</Text></Paragraph>
    <Paragraph Type="Parenthetical"><Text>(to the lens)</Text></Paragraph>
    <Paragraph Type="Dialogue"><Text>One more night, old friend.</Text></Paragraph>
    <Paragraph Type="Action"><Text>A knock. PIERRE (30s) climbs in, soaked.</Text></Paragraph>
    <Paragraph>
      <DualDialogue>
        <Paragraph Type="Character"><Text>ODILE</Text></Paragraph>
        <Paragraph Type="Dialogue"><Text>You came.</Text></Paragraph>
        <Paragraph Type="Character"><Text>PIERRE</Text></Paragraph>
        <Paragraph Type="Dialogue"><Text>I said I would.</Text></Paragraph>
      </DualDialogue>
    </Paragraph>
    <Paragraph Type="Transition"><Text>CUT TO:</Text></Paragraph>
    <Paragraph Type="Scene Heading"><Text>EXT. CLIFF PATH - DAWN</Text></Paragraph>
    <Paragraph Type="Action"><Text>They walk down together.</Text></Paragraph>
  </Content>
  <ElementSettings Type="Action"><Paragraph Type="Action"><Text>not script</Text></Paragraph></ElementSettings>
</FinalDraft>
"""


@pytest.fixture()
def client(tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path))) as c:
        yield c


def test_fdx_reads_as_the_same_script_structure():
    fountain = fdx_to_fountain(FDX)
    parsed = parse_script(fountain)
    assert [s.heading for s in parsed.scenes] == ["INT. LIGHTHOUSE LAMP ROOM - NIGHT", "EXT. CLIFF PATH - DAWN"]
    assert parsed.scenes[0].number == "4"
    assert parsed.speakers == ["ODILE", "PIERRE"]
    dual = [e for e in parsed.elements if e.kind == "dialogue" and len(e.characters) == 2]
    assert dual and dual[0].characters == ["ODILE", "PIERRE"]
    assert "humming" in fountain and "not script" not in fountain


def test_fdx_through_the_api_returns_the_fountain_its_lines_refer_to(client):
    response = client.post("/v1/beats", json={"script": FDX, "n": 3, "filename": "lamp.fdx"}).json()
    assert response["format"] == "fdx"
    lines = response["source_fountain"].splitlines()
    for beat in response["beats"]:
        assert lines[beat["line_start"] - 1].strip(), "each beat's line points at converted text"
    assert [s["location"] for s in response["scene_list"]] == ["LIGHTHOUSE LAMP ROOM", "CLIFF PATH"]
    assert response["scene_list"][0]["characters"] == ["ODILE", "PIERRE"]


def test_scene_report_names_place_time_and_cast(client):
    response = client.post("/v1/beats", json={"script": EXAMPLE.read_text()}).json()
    pier, cabin = response["scene_list"]
    assert (pier["int_ext"], pier["location"], pier["time_of_day"]) == ("EXT", "HARBOUR PIER", "NIGHT")
    assert cabin["characters"] == ["TOMAS", "MARA", "JUNE"]
    assert pier["line_end"] + 1 == cabin["line_start"]


@pytest.mark.parametrize("script, status, words", [
    ("", 422, "empty"),
    ("   \n\n  ", 422, "empty"),
    ("PK\x03\x04\x00\x00binary\x00stuff" * 50, 422, "binary"),
    ("<?xml version='1.0'?><FinalDraft><Content><Paragraph>", 422, "well-formed"),
])
def test_junk_gets_a_clear_4xx(client, script, status, words):
    response = client.post("/v1/beats", json={"script": script})
    assert response.status_code == status
    assert words in response.json()["message"] and response.json()["hint"]


def test_a_20_mb_script_is_refused_not_parsed(client, monkeypatch):
    from render_server.beats import service

    monkeypatch.setattr(service, "parse_script", None, raising=False)  # parsing it would fail loudly
    response = client.post("/v1/beats", json={"script": "INT. ROOM - DAY\n\nShe waits.\n\n" * 800_000})
    # Refused by the wire's length cap (422) or, when a body reaches it, by ingest's (413): never parsed.
    assert response.status_code in (413, 422) and "script" in response.json()["message"]


def test_prose_without_headings_gives_useful_beats(client):
    notes = ("Open on the harbour at dusk. Mara arrives with a suitcase that ticks.\n\n"
             "Tomas refuses to sail. Mara pays anyway. June bursts in with a flashlight.\n\n"
             "The suitcase is only a clock. Tomas laughs. Mara cries.")
    response = client.post("/v1/beats", json={"script": notes, "n": 4}).json()
    assert response["format"] == "prose" and len(response["beats"]) == 4
    assert set(response["characters"]) == {"MARA", "TOMAS", "JUNE"}
    assert any("JUNE" in b["entering"] for b in response["beats"])


def test_latin1_text_decoded_by_the_client_reads_fine(client):
    script = "INT. CAFÉ - JOUR\n\nRENÉE (30s) boit un café crème.\n\nRENÉE\nÇa suffit.\n"
    raw = script.encode("latin-1")
    from blender_addon.core.script_files import decode_script

    response = client.post("/v1/beats", json={"script": decode_script(raw), "n": 1}).json()
    assert response["characters"] == ["RENÉE"] and response["beats"][0]["location"] == "CAFÉ"


def test_focus_on_a_reaction_makes_one_close_up_of_that_character(client):
    plain = client.post("/v1/beats", json={"script": EXAMPLE.read_text()}).json()
    response = client.post("/v1/beats", json={"script": EXAMPLE.read_text(),
                                              "focus": "focus on June's reaction in one frame"}).json()
    # Every beat names its subject now, so compare with the board made without the focus:
    # exactly one frame changes, and it is June's close-up; the climax (5 of 6) stays as it was.
    changed = [(a, b) for a, b in zip(plain["beats"], response["beats"]) if a != b]
    assert len(changed) == 1
    assert changed[0][1]["subject"] == "JUNE" and changed[0][1]["shot"]["size"] == "CU"
    assert response["beats"][4] == plain["beats"][4]
    unknown = client.post("/v1/beats", json={"script": EXAMPLE.read_text(), "focus": "more zeppelins"}).json()
    assert any("not applied" in w for w in unknown["warnings"])


def test_open_wide_pointer_sets_the_first_shot():
    from render_server.beats.offline import extract_beats

    response = extract_beats(EXAMPLE.read_text(), focus="open wide on the harbour")
    assert response.beats[0].shot.size.value == "EWS"
