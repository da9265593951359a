"""Forward-only, named schema migrations, recorded in ``schema_migrations``.

A migration is applied once, in order, inside a transaction; advisers' data survives every schema change.
Add a new step at the end of MIGRATIONS; never edit one that has shipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Connection, Engine, select, text

from guidebot.store import schema


def m001_initial(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.conversations, schema.messages, schema.feedback])


MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("m001_initial", m001_initial),
]


_LOCK_KEY = 0x6775696465626F74  # "guidebot": the advisory lock that serialises migrations on PostgreSQL


def _lock(conn: Connection) -> None:
    """Hold a database-wide lock until the transaction ends, so that concurrent first starts migrate one at a time."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock now; others wait (busy timeout)


def migrate(engine: Engine) -> list[str]:
    """Apply the migrations not yet applied; return their names. Safe when several processes start at once."""
    applied: list[str] = []
    with engine.begin() as conn:
        _lock(conn)
        schema.metadata.create_all(conn, tables=[schema.schema_migrations])
        done = set(conn.execute(select(schema.schema_migrations.c.name)).scalars())
        for name, step in MIGRATIONS:
            if name in done:
                continue
            step(conn)
            conn.execute(schema.schema_migrations.insert().values(name=name, applied_at=dt.datetime.now(dt.UTC)))
            applied.append(name)
    return applied
