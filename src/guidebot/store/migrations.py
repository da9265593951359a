"""Forward-only, named schema migrations, recorded in ``schema_migrations``.

A migration is applied once, in order, inside a transaction; advisers' data survives every schema change.
Add a new step at the end of MIGRATIONS; never edit one that has shipped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    select,
    text,
)

from guidebot.store import locks, schema


# Each migration spells out the tables as they were when it shipped (never schema.py's current ones), so a new
# database goes through the same steps as an old one.
def m001_initial(conn: Connection) -> None:
    md = MetaData()
    Table(
        "conversations",
        md,
        Column("id", String(40), primary_key=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        Column("language", String(5), nullable=False),
    )
    Table(
        "messages",
        md,
        Column("id", String(40), primary_key=True),
        Column("conversation_id", String(40), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("question", Text, nullable=False),
        Column("query", Text, nullable=False),
        Column("language", String(5), nullable=False),
        Column("answer", Text, nullable=False),
        Column("refused", Boolean, nullable=False),
        Column("reason", String(40), nullable=False),
        Column("writer", String(40), nullable=False),
        Column("latency_ms", Float, nullable=False),
        Column("passages", JSON, nullable=False),
        Column("citations", JSON, nullable=False),
        Column("gate", JSON, nullable=False),
        Index("ix_messages_conversation", "conversation_id", "created_at"),
    )
    Table(
        "feedback",
        md,
        Column("id", String(40), primary_key=True),
        Column("message_id", String(40), ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("rating", String(4), nullable=False),
        Column("comment", Text, nullable=True),
        Index("ix_feedback_message", "message_id"),
    )
    md.create_all(conn)


def m002_console(conn: Connection) -> None:
    """Advisers' accounts and sessions, login throttling, reviews, the audit log; the tool a message is about."""
    md = MetaData()
    Table("conversations", md, Column("id", String(40), primary_key=True))
    Table("messages", md, Column("id", String(40), primary_key=True))
    Table(
        "users",
        md,
        Column("id", String(40), primary_key=True),
        Column("email", String(254), nullable=False, unique=True),
        Column("password_hash", String(255), nullable=False),
        Column("role", String(10), nullable=False),
        Column("disabled", Boolean, nullable=False, default=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("last_login_at", DateTime(timezone=True), nullable=True),
    )
    Table(
        "sessions",
        md,
        Column("id", String(64), primary_key=True),
        Column("user_id", String(40), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        Column("csrf_token", String(64), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        Index("ix_sessions_user", "user_id"),
    )
    Table(
        "login_throttle",
        md,
        Column("email", String(254), primary_key=True),
        Column("failures", Integer, nullable=False),
        Column("last_failure_at", DateTime(timezone=True), nullable=False),
        Column("locked_until", DateTime(timezone=True), nullable=True),
    )
    Table(
        "reviews",
        md,
        Column("id", String(40), primary_key=True),
        Column("message_id", String(40), ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
        Column("reviewer_id", String(40), ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        Column("reviewer_email", String(254), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("verdict", String(12), nullable=False),
        Column("corrected_answer", Text, nullable=True),
        Column("expected_doc_ids", JSON, nullable=False),
        Column("note", Text, nullable=True),
        Index("ix_reviews_message", "message_id", "created_at"),
    )
    Table(
        "audit_log",
        md,
        Column("id", String(40), primary_key=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("user_id", String(40), nullable=True),
        Column("user_email", String(254), nullable=False),
        Column("action", String(40), nullable=False),
        Column("target", String(200), nullable=True),
        Column("detail", JSON, nullable=False),
        Column("ip", String(64), nullable=True),
        Index("ix_audit_at", "at"),
    )
    md.create_all(conn, tables=[md.tables[n] for n in ("users", "sessions", "login_throttle", "reviews", "audit_log")])
    conn.execute(text("ALTER TABLE messages ADD COLUMN tool VARCHAR(10)"))
    conn.execute(text("CREATE INDEX ix_messages_created ON messages (created_at)"))


def m003_backfill_tool(conn: Connection) -> None:
    """The tool of messages stored before m002, from their question (as the store names it at m003)."""
    three_in_one = re.compile(r"\b3\s*-?\s*(en|in)\s*-?\s*(1|un|één|een|one)\b", re.IGNORECASE)
    activite = re.compile(r"\b(?:[Oo]util|[Tt]ool)\s+[Aa]ctivit[ée]|\bActivit[ée]\b")
    rows = conn.execute(text("SELECT id, question, query FROM messages WHERE tool IS NULL")).all()
    for mid, question, query in rows:
        words = f"{question} {query}"
        tool = "3en1" if three_in_one.search(words) else "activite" if activite.search(words) else None
        if tool:
            conn.execute(text("UPDATE messages SET tool = :tool WHERE id = :id"), {"tool": tool, "id": mid})


def m004_question_vectors(conn: Connection) -> None:
    """A column for each message's query vector (the gaps report reads it instead of embedding every question)."""
    kind = "BYTEA" if conn.dialect.name == "postgresql" else "BLOB"
    conn.execute(text(f"ALTER TABLE messages ADD COLUMN question_vector {kind}"))


def m005_rate_limits(conn: Connection) -> None:
    """Token buckets shared by every worker on this database (``GUIDEBOT_RATE_LIMIT_STORE=database``)."""
    conn.execute(
        text(
            "CREATE TABLE rate_limits (key VARCHAR(200) PRIMARY KEY, tokens FLOAT NOT NULL, "
            "updated_at FLOAT NOT NULL, allowed BOOLEAN NOT NULL)"
        )
    )


def m006_gap_marks(conn: Connection) -> None:
    """The content team's decision on a content-gap group: out of scope, or an article planned."""
    md = MetaData()
    Table("users", md, Column("id", String(40), primary_key=True))
    Table(
        "gap_marks",
        md,
        Column("id", String(40), primary_key=True),
        Column("status", String(20), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("user_id", String(40), ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        Column("user_email", String(254), nullable=False),
        Column("label", Text, nullable=False),
        Column("message_ids", JSON, nullable=False),
        Column("centroid", LargeBinary, nullable=True),
        Index("ix_gap_marks_created", "created_at"),
    )
    md.create_all(conn, tables=[md.tables["gap_marks"]])


MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("m001_initial", m001_initial),
    ("m002_console", m002_console),
    ("m003_backfill_tool", m003_backfill_tool),
    ("m004_question_vectors", m004_question_vectors),
    ("m005_rate_limits", m005_rate_limits),
    ("m006_gap_marks", m006_gap_marks),
]


def migrate(engine: Engine) -> list[str]:
    """Apply the migrations not yet applied; return their names. Safe when several processes start at once."""
    applied: list[str] = []
    with engine.begin() as conn:
        locks.hold(conn, locks.MIGRATIONS_KEY)
        schema.metadata.create_all(conn, tables=[schema.schema_migrations])
        done = set(conn.execute(select(schema.schema_migrations.c.name)).scalars())
        for name, step in MIGRATIONS:
            if name in done:
                continue
            step(conn)
            conn.execute(schema.schema_migrations.insert().values(name=name, applied_at=dt.datetime.now(dt.UTC)))
            applied.append(name)
    return applied
