"""A worker's HTTP client of the API: keep-alive (httpx), bearer token, retries with backoff.

A worker that loses the API (restarted, network blip) keeps retrying each call with growing
pauses until ``give_up_after_s``; only then does the call fail (and Celery retries the task).
"""

from __future__ import annotations

import io
import logging
import os
import socket
import time
from pathlib import Path
from typing import Any, Callable, Optional, Union

import httpx

import shared_schema as wire

log = logging.getLogger("beatboard.worker")

RETRY_STATUSES = {502, 503, 504}


class ApiUnreachable(Exception):
    pass


class ApiRefused(Exception):
    """The API answered with an error body (409 lease_lost, job_running, job_finished...)."""

    def __init__(self, status: int, body: wire.ErrorBody):
        super().__init__(f"{status} {body.code}: {body.message}")
        self.status, self.body = status, body


def _error_of(response: httpx.Response) -> wire.ErrorBody:
    try:
        return wire.from_dict(wire.ErrorBody, response.json())
    except (ValueError, wire.SchemaError):
        return wire.ErrorBody("bad_response", f"HTTP {response.status_code}", response.text[:200])


class WorkerApi:
    def __init__(self, base_url: str, token: str = "", give_up_after_s: float = 300.0, timeout_s: float = 30.0):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.base_url = base_url.rstrip("/")
        # TCP_NODELAY: a request's head and body leave in two writes; with Nagle's algorithm the
        # body waits for the server's delayed ACK (about 40 ms on Linux), on every call.
        transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
        self.http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout_s, transport=transport)
        self.give_up_after_s = give_up_after_s

    def close(self) -> None:
        self.http.close()

    def _retrying(self, what: str, attempt: Callable[[], tuple[bool, Any, str]]) -> Any:
        """``attempt()`` answers (done, value, problem); it is tried again with backoff (0.1 s
        doubling to 5 s) while the API is unreachable or busy, for up to ``give_up_after_s``."""
        deadline, pause = time.monotonic() + self.give_up_after_s, 0.1
        while True:
            try:
                done, value, problem = attempt()
                if done:
                    return value
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            if time.monotonic() + pause > deadline:
                raise ApiUnreachable(f"the API at {self.base_url} did not answer {what} for "
                                     f"{self.give_up_after_s:.0f} s ({problem})")
            log.warning("API %s: %s; retrying in %.1f s", what, problem, pause)
            time.sleep(pause)
            pause = min(pause * 2, 5.0)

    def call(self, method: str, path: str, body: Any = None, content: Optional[bytes] = None,
             params: Optional[dict] = None, content_type: str = "application/json") -> Any:
        """One API call, retried while the API is unreachable (see _retrying)."""
        data = content if content is not None else (None if body is None else wire.dumps(body).encode())
        headers = {"Content-Type": content_type} if data is not None else {}

        def attempt():
            response = self.http.request(method, path, content=data, params=params, headers=headers)
            if response.status_code in RETRY_STATUSES:
                return False, None, f"HTTP {response.status_code}"
            return True, response, ""

        response = self._retrying(f"{method} {path}", attempt)
        if response.status_code >= 400:
            raise ApiRefused(response.status_code, _error_of(response))
        return response.json() if response.content else None

    # -- the worker routes ------------------------------------------------------------------------
    def config(self) -> wire.WorkerConfig:
        return wire.from_dict(wire.WorkerConfig, self.call("GET", "/v1/worker/config"))

    def claim(self, job_id: str, worker: wire.WorkerRef) -> wire.WorkerClaimed:
        return wire.from_dict(wire.WorkerClaimed, self.call("POST", f"/v1/worker/jobs/{job_id}/claim",
                                                            wire.WorkerClaim(worker=worker)))

    def progress(self, job_id: str, attempt: int, fraction: float, message: str) -> wire.WorkerProgressAnswer:
        body = wire.WorkerProgress(attempt=attempt, progress=min(max(fraction, 0.0), 1.0), message=message[:4000])
        return wire.from_dict(wire.WorkerProgressAnswer, self.call("POST", f"/v1/worker/jobs/{job_id}/progress", body))

    def put_frame(self, job_id: str, attempt: int, index: int, image) -> None:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        self.call("PUT", f"/v1/worker/jobs/{job_id}/frames/{index}.png", content=buffer.getvalue(),
                  params={"attempt": attempt}, content_type="image/png")

    def finish(self, job_id: str, attempt: int, state: wire.JobState, message: str,
               error: Optional[wire.ErrorBody] = None) -> None:
        self.call("POST", f"/v1/worker/jobs/{job_id}/finish",
                  wire.WorkerFinish(attempt=attempt, state=state, message=message[:4000], error=error))

    def heartbeat(self, beat: wire.WorkerHeartbeat) -> None:
        self.call("POST", "/v1/worker/heartbeat", beat)

    # -- LoRA training (services/worker_training.py on the API) -------------------------------------
    def training_bundle(self, job_id: str, attempt: int) -> wire.WorkerTrainingBundle:
        return wire.from_dict(wire.WorkerTrainingBundle, self.call("GET", f"/v1/worker/jobs/{job_id}/training",
                                                                   params={"attempt": attempt}))

    def put_lora(self, job_id: str, attempt: int, lora: Path) -> None:
        self.call("PUT", f"/v1/worker/jobs/{job_id}/training/lora", content=lora.read_bytes(),
                  params={"attempt": attempt}, content_type="application/octet-stream")

    def register_lora(self, job_id: str, body: wire.WorkerLoraRegister) -> wire.LoraVersion:
        return wire.from_dict(wire.LoraVersion, self.call("POST", f"/v1/worker/jobs/{job_id}/training/register", body))

    def download_to(self, path: str, target: Union[Path, Callable[[httpx.Headers], Path]],
                    params: Optional[dict] = None, headers: Optional[dict] = None) -> Path:
        """Stream a file of the API to ``target`` (written under a temporary name, then renamed),
        retried with backoff like every call while the API is unreachable. ``target`` may be a
        function of the answer's headers (a file named by its ETag); a 304 (``headers`` carried an
        If-None-Match naming the current version) writes nothing and returns that file."""
        def attempt():
            with self.http.stream("GET", path, params=params, headers=headers) as response:
                if response.status_code in RETRY_STATUSES:
                    return False, None, f"HTTP {response.status_code}"
                if response.status_code >= 400:
                    response.read()
                    raise ApiRefused(response.status_code, _error_of(response))
                where = target(response.headers) if callable(target) else target
                if response.status_code == 304:
                    return True, where, ""
                where.parent.mkdir(parents=True, exist_ok=True)
                temporary = where.with_name(f".{where.name}.{os.getpid()}.part")  # pool processes share it
                with open(temporary, "wb") as out:
                    for chunk in response.iter_bytes(1 << 20):
                        out.write(chunk)
                os.replace(temporary, where)
                return True, where, ""

        return self._retrying(f"GET {path}", attempt)

    def download(self, path: str) -> bytes:
        response = self.http.get(path)
        if response.status_code >= 400:
            raise ApiRefused(response.status_code, wire.ErrorBody("not_found", f"GET {path}: {response.status_code}"))
        return response.content
