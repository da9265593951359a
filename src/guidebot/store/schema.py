"""Tables of the conversation store (SQLAlchemy Core; SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware datetime, read back in UTC on every backend.

    SQLite has no time zone type (SQLAlchemy reads its values back naive) and PostgreSQL returns ``timestamptz`` in
    the session's TimeZone; both are normalised here. Same DDL as ``DateTime(timezone=True)``: no migration needed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware one")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite: stored as UTC wall time
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


metadata = MetaData()

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("applied_at", UTCDateTime(), nullable=False),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("language", String(5), nullable=False),
)

messages = Table(
    "messages",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("conversation_id", String(40), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("question", Text, nullable=False),
    Column("query", Text, nullable=False),
    Column("language", String(5), nullable=False),
    Column("answer", Text, nullable=False),
    Column("refused", Boolean, nullable=False),
    Column("reason", String(40), nullable=False),
    Column("writer", String(40), nullable=False),
    Column("latency_ms", Float, nullable=False),
    Column("passages", JSON, nullable=False),  # rank, chunk id, doc id, scores of each leg
    Column("citations", JSON, nullable=False),
    Column("gate", JSON, nullable=False),
    Column("tool", String(10), nullable=True),  # 3en1 | activite, from the question or its sources (m002)
    # the query's embedding (float16), computed while answering, for the content-gaps report (m004)
    Column("question_vector", LargeBinary, nullable=True),
    Index("ix_messages_conversation", "conversation_id", "created_at"),
    Index("ix_messages_created", "created_at"),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("message_id", String(40), ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("rating", String(4), nullable=False),
    Column("comment", Text, nullable=True),
    Index("ix_feedback_message", "message_id"),
)

# --- the adviser console (m002) ------------------------------------------------------------------------------------
users = Table(
    "users",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),  # Argon2id, with its parameters and salt
    Column("role", String(10), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_login_at", UTCDateTime(), nullable=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # HMAC of the cookie's token: a stolen table opens no session
    Column("user_id", String(40), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Index("ix_sessions_user", "user_id"),
)

login_throttle = Table(
    "login_throttle",
    metadata,
    Column("email", String(254), primary_key=True),  # any e-mail tried, known or not: locking reveals nothing
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", UTCDateTime(), nullable=False),
    Column("locked_until", UTCDateTime(), nullable=True),
)

reviews = Table(
    "reviews",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("message_id", String(40), ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
    Column("reviewer_id", String(40), ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("reviewer_email", String(254), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("verdict", String(12), nullable=False),  # correct | incorrect | incomplete; the newest one counts
    Column("corrected_answer", Text, nullable=True),
    Column("expected_doc_ids", JSON, nullable=False),
    Column("note", Text, nullable=True),
    Index("ix_reviews_message", "message_id", "created_at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("user_id", String(40), nullable=True),
    Column("user_email", String(254), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target", String(200), nullable=True),
    Column("detail", JSON, nullable=False),
    Column("ip", String(64), nullable=True),
    Index("ix_audit_at", "at"),
)

# --- the content team's decisions on content-gap groups (m006) ------------------------------------------------------
gap_marks = Table(
    "gap_marks",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("status", String(20), nullable=False),  # out_of_scope | article_planned
    Column("created_at", UTCDateTime(), nullable=False),
    Column("user_id", String(40), ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("user_email", String(254), nullable=False),
    Column("label", Text, nullable=False),  # the group's most recent question when it was marked
    Column("message_ids", JSON, nullable=False),  # the group's questions when it was marked
    # the mean of their query vectors (float16): a later question close to it belongs to the marked group
    Column("centroid", LargeBinary, nullable=True),
    Index("ix_gap_marks_created", "created_at"),
)
