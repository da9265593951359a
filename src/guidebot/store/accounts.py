"""Console accounts: users, sessions, login throttling and the audit log.

Passwords arrive here already hashed (``guidebot.console.security``); session tokens are stored as an HMAC
under the secret key, so the table alone opens no session.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update

from guidebot.store import locks, schema
from guidebot.store.store import new_id, now

ROLES = ("adviser", "editor", "admin")


@dataclass(frozen=True)
class User:
    id: str
    email: str
    role: str
    disabled: bool
    password_hash: str


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime
    user: str
    action: str
    target: str | None
    detail: dict[str, Any]
    ip: str | None


def record_audit(
    conn: Connection,
    user: User | None,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
    *,
    actor: str | None = None,
) -> None:
    """Write one audit entry inside the caller's transaction (so an action and its entry land together)."""
    conn.execute(
        schema.audit_log.insert().values(
            id=new_id("a"),
            at=now(),
            user_id=user.id if user else None,
            user_email=user.email if user else (actor or "unknown"),
            action=action,
            target=target[:200] if target else None,
            detail=detail or {},
            ip=ip,
        )
    )


def normalise_email(email: str) -> str:
    return email.strip().lower()


class AccountStore:
    """Users, sessions, failed-login counters and the audit log, in the conversation store's database."""

    def __init__(self, engine: Engine, secret: str) -> None:
        self.engine = engine
        self._secret = secret.encode()

    # --- users ------------------------------------------------------------------------------------------
    def add_user(self, email: str, password_hash: str, role: str) -> str:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}: use {', '.join(ROLES)}")
        email = normalise_email(email)
        if self.get_user(email) is not None:
            raise ValueError(f"a user {email} already exists")
        uid = new_id("u")
        with self.engine.begin() as conn:
            conn.execute(
                schema.users.insert().values(
                    id=uid, email=email, password_hash=password_hash, role=role, disabled=False, created_at=now()
                )
            )
        return uid

    def get_user(self, email: str) -> User | None:
        u = schema.users
        with self.engine.connect() as conn:
            r = conn.execute(select(u).where(u.c.email == normalise_email(email))).first()
        return None if r is None else User(r.id, r.email, r.role, r.disabled, r.password_hash)

    def set_disabled(self, email: str, disabled: bool) -> bool:
        """Disable (or enable) an account; a disabled account's sessions end at once. False if unknown."""
        user = self.get_user(email)
        if user is None:
            return False
        with self.engine.begin() as conn:
            conn.execute(update(schema.users).where(schema.users.c.id == user.id).values(disabled=disabled))
            if disabled:
                conn.execute(delete(schema.sessions).where(schema.sessions.c.user_id == user.id))
        return True

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(schema.users).where(schema.users.c.id == user_id).values(password_hash=password_hash))

    def list_users(self) -> list[User]:
        u = schema.users
        with self.engine.connect() as conn:
            rows = conn.execute(select(u).order_by(u.c.email)).all()
        return [User(r.id, r.email, r.role, r.disabled, r.password_hash) for r in rows]

    # --- sessions ---------------------------------------------------------------------------------------
    def _session_key(self, token: str) -> str:
        return hmac.new(self._secret, token.encode(), hashlib.sha256).hexdigest()

    def create_session(self, user: User, hours: float) -> tuple[str, str]:
        """A new session for the user; returns (cookie token, CSRF token)."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        started = now()
        with self.engine.begin() as conn:
            conn.execute(
                schema.sessions.insert().values(
                    id=self._session_key(token),
                    user_id=user.id,
                    csrf_token=csrf,
                    created_at=started,
                    expires_at=started + dt.timedelta(hours=hours),
                )
            )
            conn.execute(update(schema.users).where(schema.users.c.id == user.id).values(last_login_at=started))
            # expired sessions of everyone are cleared now and then, here, rather than by a scheduler
            conn.execute(delete(schema.sessions).where(schema.sessions.c.expires_at < started))
        return token, csrf

    def session_user(self, token: str) -> tuple[User, str] | None:
        """The user and CSRF token of a live session, or None (unknown, expired, or the account disabled)."""
        s, u = schema.sessions, schema.users
        with self.engine.connect() as conn:
            r = conn.execute(
                select(u, s.c.csrf_token, s.c.expires_at)
                .join(s, s.c.user_id == u.c.id)
                .where(s.c.id == self._session_key(token))
            ).first()
        if r is None or r.disabled or r.expires_at <= now():
            return None
        return User(r.id, r.email, r.role, r.disabled, r.password_hash), r.csrf_token

    def end_session(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(schema.sessions).where(schema.sessions.c.id == self._session_key(token)))

    # --- failed logins ----------------------------------------------------------------------------------
    def take_attempt(self, email: str, max_failures: int, lockout_s: float) -> tuple[int, float]:
        """Count a login attempt before its password is checked; returns (attempts so far, seconds locked).

        Attempts for one e-mail are counted one at a time, so parallel guesses cannot slip past the limit: the
        max_failures-th locks the e-mail for lockout_s, and while it is locked nothing is counted or checked.
        A successful login clears the count (``clear_failures``).
        """
        t = schema.login_throttle
        email = normalise_email(email)
        at = now()
        with self.engine.begin() as conn:
            locks.hold(conn, f"login:{email}")
            r = conn.execute(select(t).where(t.c.email == email)).first()
            if r is not None and r.locked_until is not None and r.locked_until > at:
                remaining: dt.timedelta = r.locked_until - at
                return r.failures, remaining.total_seconds()
            expired = r is not None and r.locked_until is not None
            failures = 1 if r is None or expired else r.failures + 1
            locked = at + dt.timedelta(seconds=lockout_s) if failures >= max_failures else None
            values = {"failures": failures, "last_failure_at": at, "locked_until": locked}
            if r is None:
                conn.execute(t.insert().values(email=email, **values))
            else:
                conn.execute(update(t).where(t.c.email == email).values(**values))
        return failures, 0.0

    def clear_failures(self, email: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(schema.login_throttle).where(schema.login_throttle.c.email == normalise_email(email)))

    # --- audit log --------------------------------------------------------------------------------------
    def audit(
        self,
        user: User | None,
        action: str,
        target: str | None = None,
        detail: dict[str, Any] | None = None,
        ip: str | None = None,
        *,
        actor: str | None = None,
    ) -> None:
        """Record who did what to what; ``actor`` names a non-console actor (the command line)."""
        with self.engine.begin() as conn:
            record_audit(conn, user, action, target, detail, ip, actor=actor)

    def audit_entries(
        self, action: str | None = None, offset: int = 0, limit: int = 50
    ) -> tuple[list[AuditEntry], int]:
        """Newest first, with the total count."""
        a = schema.audit_log
        query = select(a)
        count = select(func.count()).select_from(a)
        if action:
            query, count = query.where(a.c.action == action), count.where(a.c.action == action)
        with self.engine.connect() as conn:
            total = int(conn.execute(count).scalar_one())
            rows = conn.execute(query.order_by(a.c.at.desc(), a.c.id).offset(offset).limit(limit)).all()
        return [AuditEntry(r.at, r.user_email, r.action, r.target, dict(r.detail), r.ip) for r in rows], total
