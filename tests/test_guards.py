"""A web page cannot drive the server: Host, Origin, content types, tokens, header bytes."""

import io

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from render_server.api.guards import InsecureSettings
from render_server.app import create_app
from render_server.settings import Settings

TOKEN = "k3y-k3y-k3y-k3y-k3y"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 48), (180, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """A token-less server that knows no extra host names, the default a user runs."""
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("guards"), allowed_hosts="", port=8765))
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        yield client


def _request(client: TestClient, method: str, path: str, headers=None, **kwargs) -> httpx.Response:
    """Through the ASGI app with these headers (Host comes from the URL unless given)."""
    return client.request(method, path, headers=headers or {}, **kwargs)


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost", "localhost:8765", "[::1]:8765", "[::1]"])
def test_loopback_host_names_are_answered(app, host):
    assert _request(app, "GET", "/v1/jobs", {"host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example",
                                  "localhost:9999", "[::1]junk", "testserver"])
def test_other_host_names_are_refused_against_dns_rebinding(app, host):
    response = _request(app, "GET", "/v1/jobs", {"host": host})
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "forbidden_host" and "BEATBOARD_ALLOWED_HOSTS" in body["hint"]


def test_an_allowed_host_name_is_answered(tmp_path):
    app = create_app(Settings(data_dir=tmp_path, allowed_hosts="render-box.local"))
    with TestClient(app, base_url="http://render-box.local:8765") as client:
        assert client.get("/v1/jobs").status_code == 200
        assert client.get("/v1/jobs", headers={"host": "other.local"}).status_code == 403


def test_a_token_server_checks_the_token_not_the_host(tmp_path):
    app = create_app(Settings(data_dir=tmp_path, token=TOKEN, allowed_hosts=""))
    with TestClient(app, base_url="http://render-box.lan:8765") as client:
        assert client.get("/v1/jobs", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert client.get("/v1/jobs").status_code == 401


@pytest.mark.parametrize("path,content_type,body", [
    ("/v1/actors/MARA/references", "text/plain", b"hello"),
    ("/v1/actors/identify", "text/plain", b"hello"),
    ("/v1/reward/train", "text/plain", b""),
    ("/v1/jobs/abc/cancel", "application/x-www-form-urlencoded", b"a=1"),
    ("/v1/actors", "application/json", b'{"name": "X"}'),
])
@pytest.mark.parametrize("origin_headers", [{"origin": "https://evil.example"}, {"origin": "null"},
                                            {"sec-fetch-site": "cross-site"}])
def test_cross_origin_browser_requests_are_refused(app, path, content_type, body, origin_headers):
    response = _request(app, "POST", path, {"content-type": content_type, **origin_headers}, content=body)
    assert response.status_code == 403
    assert response.json()["code"] == "cross_origin_refused" and response.json()["hint"]


def test_a_loopback_origin_is_answered(app):
    response = _request(app, "POST", "/v1/beats", {"origin": "http://127.0.0.1:8765"},
                        json={"script": "INT. PIER - NIGHT\n\nMARA waits."})
    assert response.status_code == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_json_routes_refuse_simple_request_bodies(app, content_type):
    response = _request(app, "POST", "/v1/actors", {"content-type": content_type}, content=b'{"name": "SIMPLE"}')
    assert response.status_code == 415
    assert "application/json" in response.json()["hint"]
    names = [a["name"] for a in _request(app, "GET", "/v1/actors").json()]
    assert "SIMPLE" not in names


def test_a_bodyless_post_with_a_form_content_type_is_refused(app):
    response = _request(app, "POST", "/v1/reward/train", {"content-type": "text/plain"})
    assert response.status_code == 415


@pytest.mark.parametrize("path", ["/v1/actors/MARA/references", "/v1/actors/identify"])
@pytest.mark.parametrize("content_type", ["text/plain", "application/json", None])
def test_image_routes_take_only_image_content_types(app, path, content_type):
    headers = {"content-type": content_type} if content_type else {}
    response = _request(app, "POST", path, headers, content=_png())
    assert response.status_code == 415 and "image/png" in response.json()["hint"]


def test_an_image_with_an_image_content_type_is_taken(app):
    _request(app, "POST", "/v1/actors", json={"name": "JUNE"})
    response = _request(app, "POST", "/v1/actors/JUNE/references", {"content-type": "image/png"}, content=_png())
    assert response.status_code == 201


def test_no_cors_headers_are_answered(app):
    preflight = _request(app, "OPTIONS", "/v1/jobs", {"origin": "http://127.0.0.1:3000",
                                                      "access-control-request-method": "POST"})
    plain = _request(app, "GET", "/v1/jobs", {"origin": "http://localhost:3000"})
    for response in (preflight, plain):
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]


@pytest.mark.parametrize("token", [" ", "a", "\t", "short-token", " " * 20, "tab\there-and-long-enough",
                                   "é" * 20, "ünïcödé-token-long-enough"])
def test_weak_or_unsendable_tokens_are_refused_by_create_app(tmp_path, token):
    with pytest.raises(InsecureSettings) as caught:
        create_app(Settings(data_dir=tmp_path, token=token))
    assert "BEATBOARD_TOKEN" in str(caught.value) and "secrets.token_urlsafe" in str(caught.value)


@pytest.mark.parametrize("authorization", [b"Bearer \xe9", b"Bearer " + "k3y-k3y-k3y-k3y-k3\xe9".encode("latin-1"),
                                           b"\xff\xfe", b"Bearer " + TOKEN.encode() + b"\x00", b""])
def test_any_header_bytes_give_401_not_500(tmp_path, authorization):
    app = create_app(Settings(data_dir=tmp_path, token=TOKEN))
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        headers = [(b"authorization", authorization)] if authorization else []
        response = client.get("/v1/jobs", headers=headers)
        ok = client.get("/v1/jobs", headers={"authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"
    assert ok.status_code == 200


def test_odd_bytes_in_host_and_origin_headers_are_refused_not_500(app):
    for headers in ([(b"host", b"\xff\xfe")], [(b"origin", b"http://[::1")], [(b"origin", b"\xe9\xe9")]):
        assert app.get("/v1/jobs", headers=headers).status_code == 403
