"""A lock held until the end of the current transaction, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import zlib

from sqlalchemy import Connection, text

MIGRATIONS_KEY = "guidebot:migrations"


def hold(conn: Connection, key: str) -> None:
    """Serialise every transaction that holds ``key`` (call first thing in the transaction).

    PostgreSQL: a transaction-scoped advisory lock on the key's hash. SQLite: the database's write lock, taken
    now rather than at the first write (others wait up to the busy timeout).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": zlib.crc32(key.encode())})
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
