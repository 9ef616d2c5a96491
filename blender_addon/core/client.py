"""HTTP client for the render server: stdlib only, named timeouts, errors that teach.

Runs on a worker thread, never on Blender's main thread.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Optional

from .wire import wire

# Named timeouts (seconds). A refused connection fails at once; these bound the rest.
CONNECT_TIMEOUT = 1.5
REQUEST_TIMEOUT = 30.0
LONG_POLL_WAIT = 5.0


class ServerError(Exception):
    """Anything that went wrong talking to the server, as the wire's error body."""

    def __init__(self, code: str, message: str, hint: str = "", status: int = 0):
        super().__init__(f"{message} ({hint})" if hint else message)
        self.body = wire.ErrorBody(code=code, message=message, hint=hint)
        self.status = status


@dataclass
class ServerClient:
    base_url: str = "http://127.0.0.1:8765"
    token: str = ""
    # The project (id or name) this .blend belongs to: every request that creates or searches names
    # it; reads of a board or job go by the thing's own project on the server.
    project: str = ""

    def _in_project(self, path: str) -> str:
        if not self.project:
            return path
        return f"{path}{'&' if '?' in path else '?'}project={urllib.parse.quote(self.project, safe='')}"

    def _url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def _open(self, method: str, path: str, body: Optional[bytes], timeout: float):
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self._url(path), data=body, method=method, headers=headers)
        try:
            return urllib.request.urlopen(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            raise _error_from_response(exc) from None
        except (urllib.error.URLError, socket.timeout, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServerError(
                "server_unreachable",
                f"cannot reach the Beatboard render server at {self.base_url} ({reason})",
                "start it with 'beatboard server', or fix the server URL in the add-on preferences",
            ) from None

    def request_json(self, method: str, path: str, payload: Any = None, timeout: float = REQUEST_TIMEOUT) -> Any:
        body = None if payload is None else json.dumps(wire.to_dict(payload)).encode()
        with self._open(method, path, body, timeout) as response:
            return json.loads(response.read() or b"null")

    def health(self) -> "wire.Health":
        return wire.from_dict(wire.Health, self.request_json("GET", "/v1/health", timeout=CONNECT_TIMEOUT))

    def models(self) -> "wire.ModelsResponse":
        return wire.from_dict(wire.ModelsResponse, self.request_json("GET", "/v1/models"))

    def beats(self, request: "wire.BeatsRequest") -> "wire.BeatsResponse":
        return wire.from_dict(wire.BeatsResponse, self.request_json("POST", "/v1/beats", request))

    def submit(self, request: "wire.RenderRequest") -> "wire.JobAccepted":
        if not request.board_id:  # a board's take goes to the board's project
            request.project = request.project or self.project
        return wire.from_dict(wire.JobAccepted, self.request_json("POST", "/v1/jobs", request))

    def job(self, job_id: str) -> "wire.Job":
        return wire.from_dict(wire.Job, self.request_json("GET", f"/v1/jobs/{job_id}"))

    def events(self, job_id: str, after: int = 0, wait: float = LONG_POLL_WAIT) -> "wire.JobEvents":
        path = f"/v1/jobs/{job_id}/events?after={after}&wait={wait}"
        return wire.from_dict(wire.JobEvents, self.request_json("GET", path, timeout=wait + REQUEST_TIMEOUT))

    def cancel(self, job_id: str) -> "wire.Job":
        return wire.from_dict(wire.Job, self.request_json("POST", f"/v1/jobs/{job_id}/cancel", {}))

    # -- actors, casting and feedback ----------------------------------------------------------
    def actors(self) -> "list[wire.ActorProfile]":
        return [wire.from_dict(wire.ActorProfile, a) for a in self.request_json("GET", self._in_project("/v1/actors"))]

    def create_actor(self, profile: "wire.ActorProfile") -> "wire.ActorProfile":
        return wire.from_dict(wire.ActorProfile, self.request_json("POST", "/v1/actors", profile))

    def patch_actor(self, actor_id: str, patch: "wire.ActorPatch") -> "wire.ActorProfile":
        return wire.from_dict(wire.ActorProfile, self.request_json(
            "PATCH", self._in_project(f"/v1/actors/{actor_id}"), patch))  # hints are the project's

    def actor_notes(self, actor_id: str) -> "list[dict]":
        return self.request_json("GET", self._in_project(f"/v1/actors/{actor_id}/notes"))

    def train_lora(self, actor_id: str) -> "wire.JobAccepted":
        return wire.from_dict(wire.JobAccepted, self.request_json(
            "POST", f"/v1/actors/{actor_id}/loras", wire.LoraTrainRequest()))

    def castings(self) -> "dict[str, str]":
        return {c["character"]: c["actor_id"] for c in self.request_json("GET", self._in_project("/v1/castings"))}

    def cast(self, character: str, actor_id: str) -> None:
        path = f"/v1/castings/{urllib.parse.quote(character, safe='')}"
        if actor_id:
            self.request_json("PUT", path, wire.Casting(character=character, actor_id=actor_id, project=self.project))
        else:
            self.request_json("DELETE", self._in_project(path))

    def feedback(self, job_id: str, index: int, feedback: "wire.Feedback") -> "wire.FeedbackResult":
        return wire.from_dict(wire.FeedbackResult, self.request_json(
            "POST", f"/v1/jobs/{job_id}/frames/{index}/feedback", feedback))

    def ranking(self, job_id: str) -> "wire.Ranking":
        return wire.from_dict(wire.Ranking, self.request_json("GET", f"/v1/jobs/{job_id}/ranking"))

    # -- boards and notes ----------------------------------------------------------------------
    def create_board(self, board: "wire.BoardCreate") -> "wire.Board":
        board.project = board.project or self.project
        return wire.from_dict(wire.Board, self.request_json("POST", "/v1/boards", board))

    def board_changes(self, board_id: str, after: int, wait: float = LONG_POLL_WAIT) -> "wire.BoardChanges":
        """The board's revision, waiting up to ``wait`` s for it to pass ``after`` (anyone's note, take, pick)."""
        path = f"/v1/boards/{urllib.parse.quote(board_id)}/changes?after={int(after)}&wait={wait}"
        return wire.from_dict(wire.BoardChanges, self.request_json("GET", path, timeout=wait + REQUEST_TIMEOUT))

    def projects(self) -> "list[wire.Project]":
        return [wire.from_dict(wire.Project, p) for p in self.request_json("GET", "/v1/projects")]

    def board(self, board_id: str) -> "wire.Board":
        return wire.from_dict(wire.Board, self.request_json("GET", f"/v1/boards/{urllib.parse.quote(board_id)}"))

    def add_note(self, board_id: str, note: "wire.NoteRequest") -> "wire.Note":
        return wire.from_dict(wire.Note, self.request_json("POST", f"/v1/boards/{urllib.parse.quote(board_id)}/notes",
                                                           note))

    def remove_note(self, note_id: str) -> "wire.Note":
        return wire.from_dict(wire.Note, self.request_json("DELETE", f"/v1/notes/{urllib.parse.quote(note_id)}"))

    def download(self, url_path: str, destination: str) -> str:
        with self._open("GET", url_path, None, REQUEST_TIMEOUT) as response, open(destination, "wb") as out:
            while chunk := response.read(1 << 16):
                out.write(chunk)
        return destination


def _error_from_response(exc: urllib.error.HTTPError) -> ServerError:
    try:
        data = json.loads(exc.read() or b"{}")
        body = wire.from_dict(wire.ErrorBody, data)
        return ServerError(body.code, body.message, body.hint, exc.code)
    except (ValueError, wire.SchemaError):
        return ServerError("bad_response", f"the server answered HTTP {exc.code} {exc.reason}",
                           "is the server URL pointing at a Beatboard render server?", exc.code)
