"""Every error leaves the server as ``{code, message, hint}``."""

from __future__ import annotations

import dataclasses
import logging
import types
import typing
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from shared_schema import ErrorBody, to_dict

from ..backends.base import BackendError
from ..people.errors import AccessError

log = logging.getLogger("beatboard.server")

SCHEMA_HINT = "compare the body with shared_schema/schema.json (GET /openapi.json shows the same bounds)"


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, hint: str = ""):
        super().__init__(message)
        self.status = status
        self.body = ErrorBody(code=code, message=message, hint=hint)


def error_response(status: int, body: ErrorBody, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(to_dict(body), status_code=status, headers=headers)


# Error bodies every route may answer, for the OpenAPI document (clients and the fuzzer read it).
ERROR_RESPONSES = {status: {"model": ErrorBody, "description": description} for status, description in (
    (400, "the body is not JSON"), (401, "missing or wrong bearer token"),
    (403, "a role too low for this in the project (the hint names the role needed), a worker token off the "
          "worker routes, a browser page from another origin, or a Host header that is not this server"),
    (404, "no such job, actor or frame"),
    (409, "conflicts with the current state (a name taken, a job still running)"),
    (413, "the body or image is too large"),
    (415, "the body's Content-Type is not what the route takes (JSON, or an image)"),
    (422, "the request is not valid: the message names the field"),
)}


def _where(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


def _bounds_hint(request: Request, loc) -> str:
    """'width must be between 16 and 4096', from the bounds declared on the body's field."""
    route = request.scope.get("route")
    body_field = getattr(route, "body_field", None)
    if not loc or loc[0] != "body" or body_field is None:
        return ""
    cls, field = body_field.field_info.annotation, None
    for part in loc[1:]:
        if isinstance(part, int) or not dataclasses.is_dataclass(cls):
            continue
        field = {f.name: f for f in dataclasses.fields(cls)}.get(part)
        if field is None:
            return ""
        cls = typing.get_type_hints(cls).get(part)
        inner = [a for a in typing.get_args(cls) if a is not type(None)]
        cls = inner[0] if typing.get_origin(cls) in (list, typing.Union, types.UnionType) and inner else cls
    if field is None:
        return ""
    return describe_bounds(_where(loc), field.metadata)


def describe_bounds(name: str, bounds) -> str:
    if bounds.get("hint"):
        return bounds["hint"]
    low = bounds.get("ge", bounds.get("gt"))
    high = bounds.get("le", bounds.get("lt"))
    if low is not None and high is not None:
        return f"{name} must be between {low} and {high}"
    if low is not None:
        return f"{name} must be at least {low}"
    if high is not None:
        return f"{name} must be at most {high}"
    if "max_length" in bounds:
        low = bounds.get("min_length", 0)
        return f"{name} takes {low} to {bounds['max_length']} characters or items"
    return ""


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> str:
    """Every method some route takes at this path (Starlette names only the first route's).

    A path the API documents as such (``/v1/actors/search``) answers its documented methods,
    though ``/v1/actors/{actor_id}`` would also read it as an actor's id.
    """
    documented = request.app.openapi().get("paths", {}).get(request.url.path)
    if documented:
        methods = {m.upper() for m in documented if m.upper() in _METHODS}
        return ", ".join(sorted(methods | ({"HEAD"} if "GET" in methods else set())))
    methods = set()
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            methods.add(method)
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError):
        return error_response(exc.status, exc.body)

    @app.exception_handler(AccessError)
    async def _access_error(_: Request, exc: AccessError):
        return error_response(exc.status, ErrorBody(code=exc.code, message=exc.message, hint=exc.hint))

    @app.exception_handler(BackendError)
    async def _backend_error(_: Request, exc: BackendError):
        return error_response(422 if exc.body.code == "validation_error" else 409, exc.body)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = exc.errors()[:5]
        problems = [f"{_where(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in errors]
        bounds = [_bounds_hint(request, e.get("loc", ())) for e in errors
                  if "than" in e.get("type", "") or "too_" in e.get("type", "")]
        return error_response(422, ErrorBody(
            code="validation_error", message="; ".join(problems) or "the request body is not valid",
            hint="; ".join(b for b in bounds if b) or SCHEMA_HINT,
        ))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "bad_request", 401: "unauthorized"}.get(exc.status_code, "bad_request")
        hint = {404: "the API lives under /v1; GET /v1/health lists what the server offers",
                400: "send the body as JSON (Content-Type: application/json) shaped as GET /openapi.json shows",
                405: "the Allow header lists the methods this path takes"}.get(exc.status_code, "")
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request)
        return error_response(exc.status_code, ErrorBody(code=code, message=str(exc.detail), hint=hint),
                              headers=headers or None)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        # Exception text can hold paths, SQL or request data: it goes to the log, never to the client.
        incident = uuid.uuid4().hex[:12]
        log.error("internal error %s on %s %s", incident, request.method, request.url.path, exc_info=exc)
        return error_response(500, ErrorBody(
            code="internal_error", message=f"the server hit an unexpected error (incident {incident})",
            hint=f"the server log has the traceback under 'internal error {incident}'; please report it"))
