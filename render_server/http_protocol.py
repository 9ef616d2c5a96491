"""How uvicorn serves Beatboard: connections that stall are closed.

uvicorn arms its keep-alive timer only after a response, so a client that connects and
sends nothing, or half a request's headers, or half its body, holds a connection (and, for
a body, a task awaiting it) for ever. ``TimedH11Protocol`` gives each request a deadline
from its first byte (or from the connection's start) to its last; past it the server closes
the connection. Idle keep-alive connections close after ``keep_alive_s``, as uvicorn does.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

# Larger request heads are refused (431-style close) by h11; Beatboard's are a few hundred bytes.
MAX_REQUEST_HEAD_BYTES = 64 * 1024


class TimedH11Protocol(H11Protocol):
    request_timeout_s: float = 30.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._request_timer: asyncio.TimerHandle | None = None
        self._arm_request_timer()

    def data_received(self, data: bytes) -> None:
        if self._request_timer is None and self.conn.their_state is h11.IDLE:
            self._arm_request_timer()  # the first byte of the next request on a kept-alive connection
        super().data_received(data)
        if self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
            self._cancel_request_timer()  # the whole request is in

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_request_timer()
        super().connection_lost(exc)

    def _arm_request_timer(self) -> None:
        self._cancel_request_timer()
        self._request_timer = self.loop.call_later(self.request_timeout_s, self._request_timed_out)

    def _cancel_request_timer(self) -> None:
        timer = getattr(self, "_request_timer", None)
        if timer is not None:
            timer.cancel()
            self._request_timer = None

    def _request_timed_out(self) -> None:
        self._request_timer = None
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and not self.transport.is_closing():
            self.logger.info("closing a connection whose request did not arrive within %.0f s",
                             self.request_timeout_s)
            self.transport.close()  # a route awaiting the body sees http.disconnect


def uvicorn_options(request_timeout_s: float, keep_alive_s: float) -> dict:
    """Keyword arguments for ``uvicorn.run`` / ``uvicorn.Config``."""
    protocol = type("BeatboardH11Protocol", (TimedH11Protocol,), {"request_timeout_s": request_timeout_s})
    return {"http": protocol, "timeout_keep_alive": keep_alive_s, "h11_max_incomplete_event_size": MAX_REQUEST_HEAD_BYTES}
