"""Console sign-in: sessions in an HttpOnly cookie, CSRF tokens, login throttling, role checks.

Every console route depends on ``require(permission)`` (API: 401/403 JSON) or ``page_user(permission)``
(pages: a redirect to the login). A test calls every console route without a session, so a new one cannot be
left open by mistake.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from guidebot.api.chat import RateLimited, get_service
from guidebot.api.errors import ApiError
from guidebot.api.limits import client_ip
from guidebot.api.schemas import (
    CONSOLE_ERRORS,
    MAX_MESSAGE_CHARS,
    ConsoleSessionOut,
    CsrfTokenOut,
    DoneOut,
    clean_text,
)
from guidebot.api.service import ChatService
from guidebot.console.security import needs_rehash, permissions, verify_password
from guidebot.errors import NotReadyError
from guidebot.store.accounts import User, normalise_email

SESSION_COOKIE = "gb_session"
LOGIN_CSRF_COOKIE = "gb_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
MAX_LOGIN_DELAY_S = 3.0
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

router = APIRouter(prefix="/api/console", tags=["console"], responses=CONSOLE_ERRORS)


@dataclass(frozen=True)
class ConsoleSession:
    user: User
    csrf_token: str
    token: str

    def public(self) -> dict[str, Any]:
        return {
            "user": {"email": self.user.email, "role": self.user.role},
            "csrf_token": self.csrf_token,
            "permissions": sorted(permissions(self.user.role)),
            "max_question_chars": MAX_MESSAGE_CHARS,  # the preview's limit, the chat's
        }


class LoginRedirect(Exception):
    """A console page asked for without a session: the handler sends the browser to the login page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class PageForbidden(Exception):
    """A console page the user's role may not open."""


# Console pages run only the console's own script and style.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
PAGE_HEADERS = {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store", "X-Frame-Options": "DENY"}
SHELL = "index.html"
# Only when the console's shell is not installed; otherwise the 403 is the shell itself, whose script draws the
# header (navigation, user, logout) and the refusal in the console's language.
FORBIDDEN_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Accès refusé — guidebot console</title>
<link rel="stylesheet" href="/console/assets/console.css"></head>
<body><main id="main"><h1 class="denied" role="alert">Accès refusé</h1>
<p>Votre rôle ne donne pas accès à cette page.</p><p><a href="/console">Retour aux conversations</a></p>
</main></body></html>
"""


def console_page_response(request: Request, exc: Exception) -> Response:
    if isinstance(exc, PageForbidden):
        shell = request.app.state.settings.web_dir / "console" / SHELL
        if shell.is_file():
            return FileResponse(shell, status_code=403, media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)
        return HTMLResponse(FORBIDDEN_PAGE, status_code=403, headers=PAGE_HEADERS)
    assert isinstance(exc, LoginRedirect)
    return RedirectResponse(f"/console/login?next={quote(exc.next_path, safe='/')}", status_code=303)


def _ready_service(request: Request) -> ChatService:
    service = get_service(request)
    if not service.ready:
        raise NotReadyError(f"guidebot is {service.state}")
    return service


def _session(request: Request) -> ConsoleSession | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    found = _ready_service(request).accounts.session_user(token)
    return None if found is None else ConsoleSession(found[0], found[1], token)


def _same_origin(request: Request) -> bool:
    """A browser names the page's origin on a cross-site POST; it must be this server's own."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return origin == f"{request.url.scheme}://{request.url.netloc}"


def _check_csrf(request: Request, expected: str) -> None:
    if request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "").encode("utf-8", "surrogateescape")  # any header bytes compare
    if not sent or not expected or not hmac.compare_digest(sent, expected.encode()) or not _same_origin(request):
        raise ApiError(403, "csrf_failed", "missing or wrong CSRF token")


def require(permission: str | None = None) -> Callable[[Request], ConsoleSession]:
    """A dependency: a logged-in console user (401), with the permission (403), CSRF-checked on POST (403)."""

    def dependency(request: Request) -> ConsoleSession:
        session = _session(request)
        if session is None:
            raise ApiError(401, "unauthorized", "log in to the console first")
        if permission is not None and permission not in permissions(session.user.role):
            raise ApiError(403, "forbidden", f"your role ({session.user.role}) may not do this")
        _check_csrf(request, session.csrf_token)
        return session

    return dependency


def page_user(permission: str | None = None) -> Callable[[Request], ConsoleSession]:
    """A dependency for console pages: no session sends the browser to the login page."""

    def dependency(request: Request) -> ConsoleSession:
        session = _session(request)
        if session is None:
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRedirect(path)
        if permission is not None and permission not in permissions(session.user.role):
            raise PageForbidden()
        return session

    return dependency


# The session a route needs, by permission: one declaration protects every route that names it.
Viewer = Annotated[ConsoleSession, Depends(require())]
CanView = Annotated[ConsoleSession, Depends(require("view"))]
CanReview = Annotated[ConsoleSession, Depends(require("review"))]
CanPreview = Annotated[ConsoleSession, Depends(require("preview"))]
CanSeeGaps = Annotated[ConsoleSession, Depends(require("gaps"))]
CanSeeStatus = Annotated[ConsoleSession, Depends(require("status"))]
CanAudit = Annotated[ConsoleSession, Depends(require("audit"))]
CanRunEvals = Annotated[ConsoleSession, Depends(require("evals"))]


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)

    @field_validator("email", "password")
    @classmethod
    def _text(cls, v: str) -> str:
        if clean_text(v) != v.strip():
            raise ValueError("control characters are not allowed")
        return v


def _set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    settings = request.app.state.settings
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.environment != "development",
    )


@router.get(
    "/csrf",
    response_model=CsrfTokenOut,
    summary="A CSRF token for the login form (double submit: the same value in a cookie)",
)
async def login_csrf(request: Request, response: Response) -> dict[str, str]:
    token = secrets.token_urlsafe(32)
    _set_cookie(request, response, LOGIN_CSRF_COOKIE, token, 3600)
    return {"csrf_token": token}


@router.post("/login", response_model=ConsoleSessionOut, dependencies=[RateLimited], summary="Log in to the console")
async def login(body: LoginRequest, request: Request, response: Response) -> dict[str, Any]:
    _check_csrf(request, request.cookies.get(LOGIN_CSRF_COOKIE, ""))
    service = _ready_service(request)
    settings = request.app.state.settings
    accounts = service.accounts
    email = normalise_email(body.email)
    ip = client_ip(request)
    # the attempt is counted before the password is checked: parallel guesses cannot pass the limit
    attempts, locked_s = await run_in_threadpool(
        accounts.take_attempt, email, settings.login_max_failures, settings.login_lockout_s
    )
    if locked_s > 0:
        raise _locked(locked_s)
    user = await run_in_threadpool(accounts.get_user, email)
    usable = user if user is not None and not user.disabled else None
    # one Argon2 verification whether or not the account exists: the time taken tells nothing
    ok = await run_in_threadpool(verify_password, usable.password_hash if usable else None, body.password)
    if not ok or usable is None:
        await run_in_threadpool(accounts.audit, None, "login_failed", email, {"attempts": attempts}, ip, actor=email)
        await asyncio.sleep(min(MAX_LOGIN_DELAY_S, settings.login_delay_s * attempts))
        if attempts >= settings.login_max_failures:
            raise _locked(settings.login_lockout_s)
        raise ApiError(401, "invalid_credentials", "wrong e-mail or password")
    await run_in_threadpool(accounts.clear_failures, email)
    if needs_rehash(usable.password_hash):
        from guidebot.console.security import hash_password

        await run_in_threadpool(accounts.set_password_hash, usable.id, hash_password(body.password))
    token, csrf = await run_in_threadpool(accounts.create_session, usable, settings.session_hours)
    await run_in_threadpool(accounts.audit, usable, "login", None, {}, ip)
    _set_cookie(request, response, SESSION_COOKIE, token, int(settings.session_hours * 3600))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return ConsoleSession(usable, csrf, token).public()


def _locked(seconds: float) -> ApiError:
    retry = str(max(1, int(seconds + 0.999)))
    return ApiError(429, "login_locked", "too many failed logins; try again later", {"Retry-After": retry})


@router.post("/logout", response_model=DoneOut, summary="Log out (ends the session)")
async def logout(session: Viewer, request: Request, response: Response) -> dict[str, bool]:
    service = _ready_service(request)
    await run_in_threadpool(service.accounts.end_session, session.token)
    await run_in_threadpool(service.accounts.audit, session.user, "logout", None, {}, client_ip(request))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"ok": True}


@router.get(
    "/me",
    response_model=ConsoleSessionOut,
    summary="The logged-in user, their permissions and the session's CSRF token",
)
async def me(session: Viewer) -> dict[str, Any]:
    return session.public()
