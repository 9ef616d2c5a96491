"""Every error leaves the server as ``{code, message, hint}``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared_schema import ErrorBody, to_dict

from ..backends.base import BackendError


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, hint: str = ""):
        super().__init__(message)
        self.status = status
        self.body = ErrorBody(code=code, message=message, hint=hint)


def error_response(status: int, body: ErrorBody) -> JSONResponse:
    return JSONResponse(to_dict(body), status_code=status)


def _where(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError):
        return error_response(exc.status, exc.body)

    @app.exception_handler(BackendError)
    async def _backend_error(_: Request, exc: BackendError):
        return error_response(422 if exc.body.code == "validation_error" else 409, exc.body)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError):
        problems = [f"{_where(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in exc.errors()[:5]]
        return error_response(422, ErrorBody(
            code="validation_error", message="; ".join(problems) or "the request body is not valid",
            hint="compare the body with shared_schema/schema.json",
        ))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "bad_request", 401: "unauthorized"}.get(exc.status_code, "bad_request")
        hint = "the API lives under /v1; GET /v1/health lists what the server offers" if exc.status_code == 404 else ""
        return error_response(exc.status_code, ErrorBody(code=code, message=str(exc.detail), hint=hint))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception):
        return error_response(500, ErrorBody(code="internal_error", message=f"{type(exc).__name__}: {exc}",
                                             hint="the server log has the traceback"))
