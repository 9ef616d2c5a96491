"""ASGI middleware: refuse oversized bodies before reading them; check the bearer token."""

from __future__ import annotations

import hmac
import json

from shared_schema import ErrorBody, to_dict


async def _send_error(send, status: int, body: ErrorBody) -> None:
    payload = json.dumps(to_dict(body)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


class _TooLarge(Exception):
    pass


class GuardMiddleware:
    def __init__(self, app, max_body_bytes: int, token: str, open_paths: tuple[str, ...] = ("/v1/health",)):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.token = token
        self.open_paths = open_paths

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        if self.token and scope["path"] not in self.open_paths:
            given = headers.get(b"authorization", b"").decode("latin-1")
            if not hmac.compare_digest(given, f"Bearer {self.token}"):
                return await _send_error(send, 401, ErrorBody(
                    "unauthorized", "missing or wrong bearer token",
                    "set the same token in the add-on preferences and BEATBOARD_TOKEN"))
        limit_mb = self.max_body_bytes / 1e6
        too_large = ErrorBody("payload_too_large", f"the request body is larger than {limit_mb:.0f} MB",
                              "send depth at a lower resolution, or raise BEATBOARD_MAX_BODY_MB")
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            return await _send_error(send, 413, too_large)

        received = 0
        started = False

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
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
