"""Forward-only, named schema migrations, recorded in ``schema_migrations``.

A migration is applied once, in order, inside a transaction; advisers' data survives every schema change.
Add a new step at the end of MIGRATIONS; never edit one that has shipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Connection, Engine, select

from guidebot.store import schema


def m001_initial(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.conversations, schema.messages, schema.feedback])


MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("m001_initial", m001_initial),
]


def migrate(engine: Engine) -> list[str]:
    """Apply the migrations not yet applied; return their names."""
    schema.metadata.create_all(engine, tables=[schema.schema_migrations])
    applied: list[str] = []
    with engine.begin() as conn:
        done = set(conn.execute(select(schema.schema_migrations.c.name)).scalars())
        for name, step in MIGRATIONS:
            if name in done:
                continue
            step(conn)
            conn.execute(schema.schema_migrations.insert().values(name=name, applied_at=dt.datetime.now(dt.UTC)))
            applied.append(name)
    return applied
