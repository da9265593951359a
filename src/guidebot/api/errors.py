"""Every error the API returns is JSON ``{"error": {"code", "message"}}``; bad input is a 4xx, never a 500."""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from guidebot.errors import IndexUnavailableError
from guidebot.index.vectors import UNAVAILABLE_RETRY_S

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "invalid_json",  # FastAPI could not decode the body (e.g. binary bytes)
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "not_ready",
}


STORE_RETRY = {"Retry-After": "5"}
STORE_UNAVAILABLE = "guidebot cannot reach its database; please try again shortly"
INDEX_RETRY = {"Retry-After": str(math.ceil(UNAVAILABLE_RETRY_S))}
INDEX_UNAVAILABLE = "guidebot cannot reach the server that holds its index; please try again shortly"
# a dependency that is down: (code, message, headers) of the 503, for a response and for a stream's error event
UNAVAILABLE: dict[type[Exception], tuple[str, str, dict[str, str]]] = {
    OperationalError: ("store_unavailable", STORE_UNAVAILABLE, STORE_RETRY),
    InterfaceError: ("store_unavailable", STORE_UNAVAILABLE, STORE_RETRY),
    IndexUnavailableError: ("index_unavailable", INDEX_UNAVAILABLE, INDEX_RETRY),
}


def unavailable(exc: BaseException) -> tuple[str, str, dict[str, str]] | None:
    """The 503 for an error that says a dependency is down (the database, the Chroma server), else None."""
    for kind, answer in UNAVAILABLE.items():
        if isinstance(exc, kind):
            return answer
    return None


class ApiError(Exception):
    """An error the client can act on; turned into its JSON response once, at the edge."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.details = details or {}  # optional members of the error object (e.g. which value was refused)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, details: dict[str, Any] | None = None
) -> JSONResponse:
    body = {"error": {**(details or {}), "code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


def _describe(errors: list[Any]) -> tuple[int, str, str]:
    """Status, code and message for a request that failed validation."""
    for e in errors:
        kind = e.get("type", "")
        if kind == "json_invalid":
            return 400, "invalid_json", "the body is not valid JSON"
        if kind == "missing" and tuple(e.get("loc", ())) == ("body",):
            return 400, "empty_body", "the request has no JSON body"
    parts = []
    for e in errors[:5]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
        msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}")
    return 422, "invalid_request", "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers, exc.details)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        status, code, message = _describe(list(exc.errors()))
        return error_response(status, code, message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(IndexUnavailableError)
    async def _dependency_down(request: Request, exc: Exception) -> JSONResponse:
        # the database or the Chroma server cannot be reached (stopped, restarting, hung): an honest 503, not a 500
        answer = unavailable(exc)
        assert answer is not None
        code, message, headers = answer
        log.warning("%s on %s %s: %s", code, request.method, request.url.path, exc.__class__.__name__)
        return error_response(503, code, message, headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "something went wrong on our side; please try again")
