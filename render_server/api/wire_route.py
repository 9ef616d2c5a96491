"""Request bodies of wire types pass the stdlib codec before FastAPI's pydantic validation.

Pydantic's lax mode reads ``"12"``, ``true`` or ``[false, 0, 0]`` as numbers and cannot see
the bounds on each element of a list, finite numbers, or real Unicode; the codec
(``shared_schema``) is the wire's one definition and checks all of that. Pydantic still
validates afterwards and builds the body the route receives, so routes stay plain FastAPI.
"""

from __future__ import annotations

import dataclasses

from fastapi import Request, Response
from fastapi.routing import APIRoute

from shared_schema import ErrorBody, SchemaError, check_limits, from_dict
from shared_schema.limits import PAYLOAD_CHARS

from .errors import SCHEMA_HINT, describe_bounds, error_response


def _wire_type(route: APIRoute):
    field = route.body_field
    annotation = getattr(getattr(field, "field_info", None), "annotation", None)
    if dataclasses.is_dataclass(annotation) and annotation.__module__.startswith("shared_schema"):
        return annotation
    return None


class WireRoute(APIRoute):
    def get_route_handler(self):
        handler = super().get_route_handler()
        body_type = _wire_type(self)
        if body_type is None:
            return handler

        async def checked(request: Request) -> Response:
            try:
                data = await request.json()
            except (ValueError, UnicodeDecodeError):
                return await handler(request)  # not JSON: FastAPI answers that itself
            try:
                check_limits(from_dict(body_type, data))
            except SchemaError as exc:
                if exc.bounds.get("max_length", 0) >= PAYLOAD_CHARS and "too long" in exc.problem:
                    return error_response(413, ErrorBody("payload_too_large", str(exc),
                                                         "send less: split the script, or lower the resolution"))
                hint = describe_bounds(exc.path, exc.bounds) if exc.bounds else ""
                return error_response(422, ErrorBody("validation_error", str(exc), hint or SCHEMA_HINT))
            return await handler(request)

        return checked
