"""The FastAPI application: chat API, health, the widget and its demo page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from guidebot import __version__
from guidebot.api import chat, console, console_auth, console_evals, web
from guidebot.api.errors import error_response, install_error_handlers
from guidebot.api.headers import ConsoleHeaders
from guidebot.api.limits import BodySizeLimit, RateLimiter, SharedRateLimiter
from guidebot.api.schemas import HealthResponse
from guidebot.api.service import ChatService
from guidebot.config import Settings
from guidebot.evals.jobs import EvalRunner

DESCRIPTION = """\
guidebot answers Smart members' questions from Smart's guide, user contract and annual report, and cites its
sources. When the sources do not answer, it says so and points to an adviser.

Every error is JSON `{"error": {"code", "message"}}`; bad input gets a 4xx, never a 500.
"""


class JsonCorsMiddleware(CORSMiddleware):
    """Starlette's CORS handling; a refused preflight answers the JSON error envelope like every other error."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
        message = bytes(response.body).decode("utf-8", "replace")
        return error_response(400, "cors_refused", message, headers)


def _not_ready(status: str, index_build: str | None, detail: str | None) -> JSONResponse:
    return JSONResponse(
        {"status": status, "index_build": index_build, "detail": detail}, status_code=503, headers={"Retry-After": "5"}
    )


def create_app(settings: Settings, service: ChatService | None = None) -> FastAPI:
    """The app for these settings. A service passed in (tests) is started here unless it is already ready."""
    chat_service = service or ChatService(settings)
    evals = EvalRunner(
        settings, audit=lambda user, action, target, detail: chat_service.accounts.audit(user, action, target, detail)
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if chat_service.state == "loading":
            chat_service.start()
        try:
            yield
        finally:
            evals.close()
            chat_service.close()

    development = settings.environment == "development"
    app = FastAPI(
        title="guidebot",
        version=__version__,
        # the interactive docs load their scripts from a CDN: served in development only (/openapi.json stays)
        docs_url="/docs" if development else None,
        redoc_url="/redoc" if development else None,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "chat", "description": "The member-facing chat contract (fixed: the widget depends on it)."},
            {"name": "health", "description": "Liveness and readiness probes."},
            {"name": "widget", "description": "The embeddable widget, its settings and its demo page."},
            {"name": "console", "description": "The adviser console (a logged-in user of the right role)."},
        ],
    )
    app.state.settings = settings
    app.state.service = chat_service
    app.state.evals = evals
    app.state.rate_limiter = (
        SharedRateLimiter(settings.rate_limit_per_minute, lambda: chat_service.store)
        if settings.rate_limit_store == "database"
        else RateLimiter(settings.rate_limit_per_minute)
    )
    install_error_handlers(app)
    app.include_router(chat.router)
    app.include_router(web.router)
    app.include_router(console_auth.router)
    app.include_router(console.api)
    app.include_router(console_evals.api)
    app.include_router(console.pages)
    app.add_exception_handler(console_auth.LoginRedirect, console_auth.console_page_response)
    app.add_exception_handler(console_auth.PageForbidden, console_auth.console_page_response)

    @app.get("/healthz", response_model=HealthResponse, tags=["health"], summary="The process is up")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        response_model=HealthResponse,
        tags=["health"],
        summary="200 when the index and the store are loaded and the database (and the Chroma server, in "
        "client/server mode) answers; 503 before, if loading failed, or while one of them is unreachable",
        responses={
            503: {
                "model": HealthResponse,
                "description": "Still loading, loading failed, or `store_unavailable` / `index_unavailable`: the "
                "database or the Chroma server does not answer (200 again by itself once it does).",
            }
        },
    )
    async def readyz(request: Request) -> Any:
        svc: ChatService = request.app.state.service
        if not svc.ready:
            return _not_ready(svc.state, None, svc.error or None)
        if not await run_in_threadpool(svc.store_reachable):
            return _not_ready("store_unavailable", svc.index_build, "database unreachable")
        if not await run_in_threadpool(svc.index_reachable):
            return _not_ready("index_unavailable", svc.index_build, "Chroma server unreachable")
        return {"status": "ready", "index_build": svc.index_build}

    # the outermost middleware comes last: CORS headers are on every answer, a 413 included
    app.add_middleware(ConsoleHeaders)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        JsonCorsMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        expose_headers=["Retry-After"],
        max_age=600,
    )
    return app
