"""ConversationStore: conversations, messages (with the passages and citations behind each answer), feedback."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import orjson
from sqlalchemy import Engine, bindparam, create_engine, delete, event, select, text, update
from sqlalchemy.engine import make_url

from guidebot.documents import Turn
from guidebot.errors import ConversationNotFoundError, MessageNotFoundError
from guidebot.store import schema
from guidebot.store.migrations import migrate

HISTORY_TURNS = 5  # previous questions a follow-up may refer to


class StorableAnswer(Protocol):
    """What the store keeps of a complete answer (the answer engine's AnswerResult is one): the store reads
    these and imports nothing of the stages above it."""

    query: str
    language: str
    answer: str
    refused: bool
    reason: str
    writer: str
    latency_ms: float
    gate: dict[str, Any]
    query_vector: np.ndarray | None

    def passage_records(self) -> list[dict[str, Any]]: ...

    def citation_records(self) -> list[dict[str, Any]]: ...

    def tool(self, question: str) -> str | None: ...


# The statements of an answer, built once: a statement built per answer with its values in it cost SQLAlchemy
# more CPU than SQLite's own work (coercing each value, then a cache key).
_NEW_CONVERSATION = schema.conversations.insert()
_NEW_MESSAGE = schema.messages.insert()
_TOUCH_CONVERSATION = (
    update(schema.conversations)
    .where(schema.conversations.c.id == bindparam("b_id"))
    .values(updated_at=bindparam("b_at"), language=bindparam("b_language"))
)


@dataclass(frozen=True)
class StoredMessage:
    id: str
    conversation_id: str
    question: str
    query: str
    language: str
    answer: str
    refused: bool
    citations: list[dict[str, Any]]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(12)}"


def _wal(cur: Any, timeout_s: float = 15.0) -> None:
    """Put the database in WAL mode. Switching needs the database to itself, and SQLite answers "locked" at
    once (no busy wait) while another connection writes, as when several workers open a new store together."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _json_loads(text: str | bytes) -> Any:
    """The store's JSON columns read by orjson, which parses the passages the gaps report reads for 10,000
    messages several times faster than json, to the same values (an integer beyond 64 bits, which guidebot never
    writes, would read as a float); json's parser for what orjson refuses and json.dumps may write (NaN)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def make_engine(url: str) -> Engine:
    """An engine for the URL; a SQLite file gets WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 15}, json_deserializer=_json_loads)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            _wal(cur)
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA secure_delete=ON")  # deleted and rewritten text is zeroed, not left in free pages
            cur.close()
            # SQLite's own lower() folds ASCII only; advisers search French text ("COÛTE" must find "coûte")
            dbapi_conn.create_function("lower", 1, _lower, deterministic=True)

        return engine
    return create_engine(url, pool_pre_ping=True, json_deserializer=_json_loads)


class ConversationStore:
    """Persists what members ask and what guidebot answered."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        migrate(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def take_token(self, key: str, capacity: float, per_second: float, now: float) -> float:
        """One token from ``key``'s bucket, shared by every process on this database, in one statement: 0 when
        allowed, else the seconds until the next token. ``now`` is wall-clock time (shared by the workers)."""
        least = "LEAST" if self.engine.dialect.name == "postgresql" else "MIN"
        refill = f"{least}(:cap, rate_limits.tokens + (:now - rate_limits.updated_at) * :rate)"
        statement = text(
            "INSERT INTO rate_limits (key, tokens, updated_at, allowed) VALUES (:key, :cap - 1, :now, TRUE) "
            f"ON CONFLICT (key) DO UPDATE SET tokens = CASE WHEN {refill} >= 1 THEN {refill} - 1 ELSE {refill} END, "
            f"allowed = ({refill} >= 1), updated_at = :now RETURNING tokens, allowed"
        )
        with self.engine.begin() as conn:
            tokens, allowed = conn.execute(
                statement, {"key": key[:200], "cap": capacity, "now": now, "rate": per_second}
            ).one()
        return 0.0 if allowed else (1 - float(tokens)) / per_second

    def ping(self) -> None:
        """One round trip to the database; raises SQLAlchemy's error when it cannot be reached."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def new_conversation(self, language: str) -> str:
        cid = new_id("c")
        at = now()
        with self.engine.begin() as conn:
            conn.execute(schema.conversations.insert().values(id=cid, created_at=at, updated_at=at, language=language))
        return cid

    def exists(self, conversation_id: str) -> bool:
        with self.engine.connect() as conn:
            row = conn.execute(select(schema.conversations.c.id).where(schema.conversations.c.id == conversation_id))
            return row.first() is not None

    def history(self, conversation_id: str, limit: int = HISTORY_TURNS) -> list[Turn]:
        """The conversation's last questions, oldest first; raises NotFoundError for an unknown id."""
        if not self.exists(conversation_id):
            raise ConversationNotFoundError(f"unknown conversation {conversation_id}")
        m = schema.messages
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(m.c.question, m.c.query, m.c.language)
                .where(m.c.conversation_id == conversation_id)
                .order_by(m.c.created_at.desc())
                .limit(limit)
            ).all()
        return [Turn(r.question, r.query, r.language) for r in reversed(rows)]

    def add_message(self, conversation_id: str, question: str, result: StorableAnswer) -> str:
        """Store a complete answer with its evidence in a known conversation; returns the message id."""
        return self.add_answer(conversation_id, question, result)[1]

    def add_answer(self, conversation_id: str | None, question: str, result: StorableAnswer) -> tuple[str, str]:
        """Store a complete answer, starting a conversation when the id is None, in one transaction (no
        conversation is left without its first message); returns (conversation id, message id)."""
        cid = conversation_id or new_id("c")
        mid = new_id("m")
        at = now()
        vector = result.query_vector
        message = {
            "id": mid,
            "conversation_id": cid,
            "created_at": at,
            "question": question,
            "query": result.query,
            "language": result.language,
            "answer": result.answer,
            "refused": result.refused,
            "reason": result.reason,
            "writer": result.writer,
            "latency_ms": result.latency_ms,
            "passages": result.passage_records(),
            "citations": result.citation_records(),
            "gate": result.gate,
            "tool": result.tool(question),
            "question_vector": None if vector is None else np.asarray(vector, dtype=np.float16).tobytes(),
        }
        with self.engine.begin() as conn:
            if conversation_id is None:  # a new conversation is written as of this message
                conn.execute(
                    _NEW_CONVERSATION, {"id": cid, "created_at": at, "updated_at": at, "language": result.language}
                )
            conn.execute(_NEW_MESSAGE, message)
            if conversation_id is not None:
                conn.execute(_TOUCH_CONVERSATION, {"b_id": cid, "b_at": at, "b_language": result.language})
        return cid, mid

    def get_message(self, message_id: str) -> StoredMessage:
        m = schema.messages
        with self.engine.connect() as conn:
            r = conn.execute(select(m).where(m.c.id == message_id)).first()
        if r is None:
            raise MessageNotFoundError(f"unknown message {message_id}")
        return StoredMessage(
            r.id, r.conversation_id, r.question, r.query, r.language, r.answer, r.refused, list(r.citations)
        )

    def remask(self, mask: Callable[[str], str], batch: int = 500) -> dict[str, int]:
        """Mask again what was stored before masking (or under a weaker masker): questions, queries and feedback
        comments that ``mask`` changes are rewritten, and a rewritten question loses its vector (computed from
        the typed text; the gaps report embeds the masked one instead). Returns how many rows changed."""
        m, f = schema.messages, schema.feedback
        counts = {"messages": 0, "feedback": 0}
        for table, columns, key in ((m, ("question", "query"), "messages"), (f, ("comment",), "feedback")):
            after = ""
            while True:
                with self.engine.connect() as conn:
                    rows = conn.execute(
                        select(table.c.id, *(table.c[c] for c in columns))
                        .where(table.c.id > after)
                        .order_by(table.c.id)
                        .limit(batch)
                    ).all()
                if not rows:
                    break
                after = rows[-1].id
                with self.engine.begin() as conn:
                    for row in rows:
                        new = {c: mask(getattr(row, c)) for c in columns if getattr(row, c)}
                        changed: dict[str, str | None] = {c: v for c, v in new.items() if v != getattr(row, c)}
                        if not changed:
                            continue
                        if table is m and "question" in changed:
                            changed["question_vector"] = None
                        conn.execute(update(table).where(table.c.id == row.id).values(**changed))
                        counts[key] += 1
        return counts

    def compact(self) -> None:
        """Rewrite the files so that deleted or masked text is gone from them, not only unreachable: SQLite is
        checkpointed and vacuumed; PostgreSQL's conversation tables get VACUUM FULL (it locks them meanwhile;
        old WAL segments are recycled by PostgreSQL itself)."""
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.exec_driver_sql("VACUUM")
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM FULL messages, feedback, reviews, conversations")
            conn.exec_driver_sql("CHECKPOINT")

    def purge(self, before: dt.datetime) -> dict[str, int]:
        """Delete the conversations untouched since ``before``, with their messages, feedback and reviews, in one
        transaction; returns how many rows of each went."""
        c, m, f, r = schema.conversations, schema.messages, schema.feedback, schema.reviews
        old = select(c.c.id).where(c.c.updated_at < before)
        old_messages = select(m.c.id).where(m.c.conversation_id.in_(old))
        with self.engine.begin() as conn:
            counts = {
                "feedback": conn.execute(delete(f).where(f.c.message_id.in_(old_messages))).rowcount,
                "reviews": conn.execute(delete(r).where(r.c.message_id.in_(old_messages))).rowcount,
                "messages": conn.execute(delete(m).where(m.c.conversation_id.in_(old))).rowcount,
                "conversations": conn.execute(delete(c).where(c.c.updated_at < before)).rowcount,
            }
        return counts

    def add_feedback(self, message_id: str, rating: str, comment: str | None = None) -> str:
        if rating not in ("up", "down"):
            raise ValueError("rating must be 'up' or 'down'")
        self.get_message(message_id)
        fid = new_id("f")
        with self.engine.begin() as conn:
            conn.execute(
                schema.feedback.insert().values(
                    id=fid, message_id=message_id, created_at=now(), rating=rating, comment=comment
                )
            )
        return fid
