"""What must not happen: a renamed PDF or Word file read as a script, and a script sent to a
remote LLM nobody configured (scripts are under NDA)."""

import io
import ipaddress
import socket
import zipfile

import pytest
from fastapi.testclient import TestClient

from beatboard.cli import main
from render_server.app import create_app
from render_server.settings import Settings
from tests.conftest import EXAMPLE


def _pdf() -> bytes:
    return (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"trailer\n<< /Root 1 0 R /Size 3 >>\nstartxref\n116\n%%EOF\n")


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><w:t>INT. ROOM - DAY</w:t></w:document>")
    return buffer.getvalue()


RENAMED = {
    "a PDF": _pdf(),
    "an RTF document": b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Courier;}}\\f0 INT. ROOM - DAY\\par}",
    "an HTML page": b"<!DOCTYPE html>\n<html><body><p>INT. ROOM - DAY</p></body></html>",
    "a Word document (.docx)": _docx(),
    "a Word 97-2003 document (.doc)": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
}


@pytest.fixture()
def no_llm(monkeypatch, tmp_path):
    for name in ("BEATBOARD_LLM_BASE_URL", "BEATBOARD_LLM_MODEL", "BEATBOARD_LLM_API_KEY", "OPENAI_API_KEY",
                 "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env with LLM settings


@pytest.fixture()
def client(tmp_path, no_llm):
    with TestClient(create_app(Settings(data_dir=tmp_path))) as c:
        yield c


@pytest.mark.parametrize("kind", list(RENAMED))
def test_a_renamed_document_is_refused_with_how_to_export(kind, client, tmp_path, capsys):
    raw = RENAMED[kind]
    response = client.post("/v1/beats", json={"script": raw.decode("latin-1"), "filename": "draft.fountain"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "not_a_script" and kind in body["message"]
    assert "Fountain" in body["hint"] and "Final Draft (.fdx)" in body["hint"]
    renamed = tmp_path / "draft.fountain"
    renamed.write_bytes(raw)
    assert main(["beats", str(renamed)]) == 1
    err = capsys.readouterr().err
    assert f"draft.fountain is {kind}" in err and "Fountain" in err and "Final Draft" in err


def test_the_llm_is_refused_until_the_user_configures_one(client, capsys):
    response = client.post("/v1/beats", json={"script": EXAMPLE.read_text(), "extractor": "llm"})
    assert response.status_code == 422 and response.json()["code"] == "llm_not_configured"
    assert "BEATBOARD_LLM_BASE_URL" in response.json()["hint"] and "BEATBOARD_LLM_MODEL" in response.json()["hint"]
    assert main(["beats", str(EXAMPLE), "--extractor", "llm"]) == 1
    assert "BEATBOARD_LLM_BASE_URL" in capsys.readouterr().err


def test_a_model_without_an_endpoint_or_key_is_refused_too(tmp_path, no_llm):
    with TestClient(create_app(Settings(data_dir=tmp_path, llm_model="llama3"))) as c:
        response = c.post("/v1/beats", json={"script": EXAMPLE.read_text(), "extractor": "llm"})
    assert response.status_code == 422 and "BEATBOARD_LLM_BASE_URL" in response.json()["message"]


@pytest.fixture()
def connections(monkeypatch):
    """Every address a socket connects to while the test runs (the connection still happens)."""
    seen: list = []
    real_connect, real_create = socket.socket.connect, socket.create_connection

    def connect(self, address):
        seen.append(address)
        return real_connect(self, address)

    def create_connection(address, *args, **kwargs):
        seen.append(address)
        return real_create(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return seen


def _remote(addresses: list) -> list:
    remote = []
    for address in addresses:
        host = address[0] if isinstance(address, tuple) else address
        try:
            if not ipaddress.ip_address(host).is_loopback:
                remote.append(address)
        except ValueError:  # a name, not a number: only localhost is local
            if host != "localhost":
                remote.append(address)
    return remote


def test_the_recorder_sees_a_connection_attempt(connections):
    with pytest.raises(OSError):
        socket.create_connection(("192.0.2.1", 9), timeout=0.01)  # TEST-NET-1: never routed
    assert ("192.0.2.1", 9) in _remote(connections)


@pytest.mark.parametrize("extractor", ["offline", "auto"])
def test_default_beats_open_no_socket_beyond_this_machine(extractor, client, connections, capsys):
    response = client.post("/v1/beats", json={"script": EXAMPLE.read_text(), "extractor": extractor})
    assert response.status_code == 200 and response.json()["extractor"] == "offline"
    assert main(["beats", str(EXAMPLE), "--extractor", extractor, "--json"]) == 0
    assert '"extractor": "offline"' in capsys.readouterr().out
    assert _remote(connections) == []


def test_half_configured_llm_settings_are_named_in_a_warning_and_stay_offline(tmp_path, no_llm, connections):
    from render_server.beats.service import break_into_beats
    from shared_schema import BeatsRequest

    settings = Settings(data_dir=tmp_path, llm_base_url="http://192.0.2.1:11434/v1")  # no model
    response = break_into_beats(BeatsRequest(script=EXAMPLE.read_text(), n=2), settings)
    assert response.extractor == "offline" and "BEATBOARD_LLM_MODEL" in response.warnings[0]
    assert _remote(connections) == []
