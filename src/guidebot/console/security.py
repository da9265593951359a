"""Passwords (Argon2id through argon2-cffi) and what each role may do."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_CHARS = 12

PERMISSIONS: dict[str, frozenset[str]] = {
    "adviser": frozenset({"view", "review", "preview"}),
    "editor": frozenset({"view", "preview", "gaps", "status", "evals"}),
    "admin": frozenset({"view", "review", "preview", "gaps", "status", "evals", "audit"}),
}


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory profile


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("no account has this password")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches. With no account (None) a dummy hash is checked, so the answer takes
    as long either way and timing does not tell which e-mails have accounts."""
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def permissions(role: str) -> frozenset[str]:
    return PERMISSIONS.get(role, frozenset())
