"""A real uvicorn server closes connections that stall: idle, half-sent heads, half-sent bodies."""

import socket

import pytest

from beatboard.server_process import ServerProcess

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = {"BEATBOARD_REQUEST_TIMEOUT_S": "1", "BEATBOARD_KEEP_ALIVE_S": "1"}
    with ServerProcess(tmp_path_factory.mktemp("data"), env=env) as running:
        yield running


def _closed_by_server(server, sent: bytes) -> bytes:
    """Send ``sent``, then read until the server closes; a stall past 20 s fails the test."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        sock.sendall(sent)
        received = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                raise AssertionError(f"the server kept the connection open; got {received!r}") from None
            except ConnectionResetError:
                return received
            if not chunk:
                return received
            received += chunk


@pytest.mark.parametrize("sent", [
    b"",  # connects and says nothing
    b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n",  # the head, never finished
    b"POST /v1/beats HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: 1000\r\n\r\n{\"script\": \"INT.",  # a tenth of the body
])
def test_a_stalled_request_is_closed_by_the_server(server, sent):
    _closed_by_server(server, sent)


def test_a_whole_request_is_answered_and_the_idle_connection_then_closed(server):
    answer = _closed_by_server(server, b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200") and b'"schema_version"' in answer
