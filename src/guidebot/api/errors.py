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

from guidebot.errors import (
    ConversationNotFoundError,
    EvalRunningError,
    GapMarkNotFoundError,
    GuidebotError,
    IndexUnavailableError,
    MessageNotFoundError,
    NotFoundError,
    NotReadyError,
    OverloadedError,
)
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
NOT_READY_RETRY = {"Retry-After": "5"}
OVERLOADED_RETRY = {"Retry-After": "1"}  # an answer takes well under a second: the queue moves fast

# Every domain error the API answers, once: its status, code, message (None: the error's own) and headers.
# The first row an error is an instance of wins, so a subclass comes before its base.
DOMAIN_ERRORS: list[tuple[type[Exception], int, str, str | None, dict[str, str]]] = [
    (ConversationNotFoundError, 404, "conversation_not_found", None, {}),
    (MessageNotFoundError, 404, "message_not_found", None, {}),
    (GapMarkNotFoundError, 404, "mark_not_found", None, {}),
    (NotFoundError, 404, "not_found", None, {}),
    (NotReadyError, 503, "not_ready", None, NOT_READY_RETRY),
    (OverloadedError, 503, "overloaded", None, OVERLOADED_RETRY),
    (EvalRunningError, 409, "eval_running", None, {}),
    # a dependency that is down (the database, the Chroma server): an honest 503, not a 500
    (OperationalError, 503, "store_unavailable", STORE_UNAVAILABLE, STORE_RETRY),
    (InterfaceError, 503, "store_unavailable", STORE_UNAVAILABLE, STORE_RETRY),
    (IndexUnavailableError, 503, "index_unavailable", INDEX_UNAVAILABLE, INDEX_RETRY),
]
UNAVAILABLE_CODES = ("store_unavailable", "index_unavailable")


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


def as_api_error(exc: BaseException) -> ApiError | None:
    """The API's answer to a domain error (or a dependency that is down), or None for one it does not know."""
    if isinstance(exc, ApiError):
        return exc
    for kind, status, code, message, headers in DOMAIN_ERRORS:
        if isinstance(exc, kind):
            return ApiError(status, code, message or str(exc), headers)
    return None


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

    @app.exception_handler(GuidebotError)
    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _domain(request: Request, exc: Exception) -> JSONResponse:
        error = as_api_error(exc)
        if error is None:  # a GuidebotError the API has no row for: a failure on our side
            return await _unexpected(request, exc)
        if error.code in UNAVAILABLE_CODES:
            log.warning("%s on %s %s: %s", error.code, request.method, request.url.path, exc.__class__.__name__)
        return error_response(error.status, error.code, error.message, error.headers, error.details)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "something went wrong on our side; please try again")
