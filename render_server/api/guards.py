"""ASGI middleware: what a request must be before any route sees it.

In order: a web page must not drive the server (Host allow-list against DNS rebinding on
token-less servers, Origin / Sec-Fetch-Site against cross-site requests, and content types
a browser cannot send without a CORS preflight, which this server never answers); the bearer
token, compared as bytes in constant time, or a user's personal token (render_server/people),
which resolves the request's principal; oversized bodies refused before they are read.

A server with no BEATBOARD_TOKEN and no users is one person's: loopback only, no token, and
every request is that person's (an admin). Once it has a token or a user, every route but
health needs a bearer token.
"""

from __future__ import annotations

import hmac
import json
import re
from urllib.parse import urlsplit

from shared_schema import ErrorBody, to_dict

from ..people.principal import LOCAL, TOKEN_ADMIN

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
# Bodies that are images, not JSON: a reference image of an actor, a crop to identify.
IMAGE_ROUTES = (re.compile(r"^/v1/actors/[^/]+/references$"), re.compile(r"^/v1/actors/identify$"),
                re.compile(r"^/v1/worker/jobs/[^/]+/frames/[0-9]+\.png$"))
# Bodies that are files: a trained LoRA a team-mode worker uploads (safetensors, checked by the
# route), with a size cap of its own (a LoRA can be larger than any JSON body).
FILE_ROUTES = (re.compile(r"^/v1/worker/jobs/[^/]+/training/lora$"),)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PRINCIPAL = "beatboard.principal"  # the scope key api/deps.py reads the resolved principal from
MIN_TOKEN_CHARS = 16


class InsecureSettings(ValueError):
    """The server refuses to start with these settings; the message says what to change."""


def check_token(token: str) -> None:
    """An empty token means none (loopback only); any other must be hard to guess and fit a header."""
    if not token:
        return
    if len(token) < MIN_TOKEN_CHARS:
        raise InsecureSettings(f"BEATBOARD_TOKEN is {len(token)} character(s) long; a token needs at least "
                               f"{MIN_TOKEN_CHARS}. Make one with: python -c \"import secrets; "
                               "print(secrets.token_urlsafe(24))\"")
    if not all("!" <= ch <= "~" for ch in token):
        raise InsecureSettings("BEATBOARD_TOKEN may hold only visible ASCII characters (no spaces, tabs or "
                               "accented letters), because it travels in an HTTP header. Make one with: "
                               "python -c \"import secrets; print(secrets.token_urlsafe(24))\"")


async def _send_error(send, status: int, body: ErrorBody) -> None:
    payload = json.dumps(to_dict(body)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


class _TooLarge(Exception):
    pass


def _split_host(value: str) -> tuple[str, str]:
    """'[::1]:8765' -> ('::1', '8765'); 'localhost' -> ('localhost', ''); lower case."""
    value = value.strip().lower()
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
        return name, rest[1:] if rest.startswith(":") else rest  # "[::1]junk" keeps "junk": refused
    name, _, port = value.partition(":")
    return name, port


def _media_type(headers: dict) -> str:
    return headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()


class GuardMiddleware:
    def __init__(self, app, max_body_bytes: int, token: str, port: int = 0,
                 allowed_hosts: tuple[str, ...] = (), open_paths: tuple[str, ...] = ("/v1/health",),
                 max_file_bytes: int = 0):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_file_bytes = max(max_file_bytes, max_body_bytes)  # the cap on FILE_ROUTES bodies
        self.expected = f"Bearer {token}".encode() if token else b""
        self.port = str(port) if port else ""
        self.allowed_hosts = frozenset(h.strip().lower() for h in allowed_hosts if h.strip())
        self.open_paths = open_paths

    # -- a web page cannot drive the server ----------------------------------------------------
    def _host_allowed(self, scope, host: bytes) -> bool:
        if not host:
            return False
        text = host.decode("latin-1")
        name, port = _split_host(text)
        if text.lower() in self.allowed_hosts or name in self.allowed_hosts:
            return True
        # The port the server really listens on (uvicorn says so in the scope), else the configured one.
        bound = str((scope.get("server") or (None, None))[1] or self.port)
        return name in LOOPBACK_NAMES and port in ("", bound)

    def _origin_allowed(self, origin: bytes) -> bool:
        try:
            parts = urlsplit(origin.decode("latin-1").strip())
            name = (parts.hostname or "").lower()
        except ValueError:
            return False
        if parts.scheme not in ("http", "https"):
            return False  # "null" (sandboxed frames, file:// pages) and anything else
        return name in LOOPBACK_NAMES or name in self.allowed_hosts or parts.netloc.lower() in self.allowed_hosts

    @staticmethod
    def _people(scope):
        state = getattr(getattr(scope.get("app"), "state", None), "beatboard", None)
        return getattr(state, "people", None)

    def _browser_refusal(self, scope, headers: dict, authenticated: bool):
        if not authenticated and not self._host_allowed(scope, headers.get(b"host", b"")):
            host = headers.get(b"host", b"").decode("latin-1")[:100]
            return 403, ErrorBody(
                "forbidden_host", f"this server answers only to loopback host names, not {host!r}",
                "use http://127.0.0.1:PORT; to reach it by another name set BEATBOARD_ALLOWED_HOSTS "
                "(and a BEATBOARD_TOKEN when it is reachable from other machines)")
        origin = headers.get(b"origin")
        site = headers.get(b"sec-fetch-site", b"").strip().lower()
        if (origin is not None and not self._origin_allowed(origin)) or site == b"cross-site":
            shown = origin.decode("latin-1")[:100] if origin is not None else "another site"
            return 403, ErrorBody(
                "cross_origin_refused", f"requests from web pages of {shown!r} are refused",
                "the render server is driven by the Blender add-on and the beatboard command, not by web "
                "pages; call it without an Origin header, or add the page's host to BEATBOARD_ALLOWED_HOSTS")
        if scope["method"] not in UNSAFE_METHODS:
            return None
        media = _media_type(headers)
        has_body = headers.get(b"content-length", b"0") not in (b"0", b"") or b"transfer-encoding" in headers
        if any(route.match(scope["path"]) for route in IMAGE_ROUTES):
            if not media.startswith("image/"):
                return 415, ErrorBody(
                    "unsupported_media_type", f"this route takes an image body, not {media or 'an untyped body'!r}",
                    "send the PNG or JPEG bytes with Content-Type: image/png (or image/jpeg)")
        elif any(route.match(scope["path"]) for route in FILE_ROUTES):
            if media != "application/octet-stream":
                return 415, ErrorBody(
                    "unsupported_media_type", f"this route takes a file body, not {media or 'an untyped body'!r}",
                    "send the .safetensors bytes with Content-Type: application/octet-stream")
        elif (has_body or media) and media != "application/json":
            return 415, ErrorBody(
                "unsupported_media_type", f"this route takes a JSON body, not {media or 'an untyped body'!r}",
                "send the body as JSON with Content-Type: application/json")
        return None

    def _principal(self, header: bytes, people):
        # Raw header bytes against the token's bytes: any bytes compare, none can raise.
        if self.expected and hmac.compare_digest(header, self.expected):
            return TOKEN_ADMIN
        if people is None or not header.startswith(b"Bearer "):
            return None
        token = header[len(b"Bearer "):].decode("latin-1").strip()
        return people.authenticate(token) if token else None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        people = self._people(scope)
        authenticated = bool(self.expected) or (people is not None and people.has_users())
        refusal = self._browser_refusal(scope, headers, authenticated)
        if refusal is not None:
            return await _send_error(send, *refusal)
        scope[PRINCIPAL] = LOCAL
        if authenticated and scope["path"] not in self.open_paths:
            principal = self._principal(headers.get(b"authorization", b""), people)
            if principal is None:
                return await _send_error(send, 401, ErrorBody(
                    "unauthorized", "missing, wrong or revoked bearer token",
                    "set your personal token (beatboard users add prints it) or BEATBOARD_TOKEN in the "
                    "add-on preferences; ask an admin for a new one if yours was revoked"))
            if not principal.may_call(scope["path"]):
                return await _send_error(send, 403, ErrorBody(
                    "forbidden", f"a worker token reaches only /v1/worker/ routes, not {scope['path'][:200]!r}",
                    "use a person's token for this; worker tokens are for beatboard worker processes"))
            scope[PRINCIPAL] = principal
        limit = self.max_body_bytes
        limit_mb = limit / 1e6
        too_large = ErrorBody("payload_too_large", f"the request body is larger than {limit_mb:.0f} MB",
                              "send depth at a lower resolution, or raise BEATBOARD_MAX_BODY_MB")
        if any(route.match(scope["path"]) for route in FILE_ROUTES):
            limit = self.max_file_bytes
            too_large = ErrorBody("payload_too_large", f"the file is larger than {limit / 1e6:.0f} MB",
                                  "train the LoRA at a lower rank")
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            return await _send_error(send, 413, too_large)

        received = 0
        started = False

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge()
            return message

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _send_error(send, 413, too_large)
