"""What the content team keeps and reads in the store: its decisions on content-gap groups (out of scope, an
article planned) and how often each document was cited, overall and in answers given a thumbs down."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal, get_args

from sqlalchemy import Engine, and_, delete, exists, false, select

from guidebot.errors import GapMarkNotFoundError
from guidebot.store import schema
from guidebot.store.accounts import User, record_audit
from guidebot.store.review import period
from guidebot.store.store import new_id, now

GapStatus = Literal["out_of_scope", "article_planned"]
GAP_STATUSES: tuple[str, ...] = get_args(GapStatus)
m, f, g = schema.messages, schema.feedback, schema.gap_marks
BATCH = 500


@dataclass(frozen=True)
class GapMark:
    id: str
    status: str
    created_at: dt.datetime
    user: str
    label: str
    message_ids: frozenset[str]
    centroid: bytes | None  # float16 query vectors' mean, or None when no question of the group had one

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "by": self.user, "at": self.created_at.isoformat()}


@dataclass(frozen=True)
class CitationCounts:
    """Per document: answers citing it in the period, and those of them given a thumbs down."""

    cited: Counter[str]
    thumbs_down: Counter[str]


class ContentStore:
    """Gap marks and citation counts, in the conversation store's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- marks on content-gap groups --------------------------------------------------------------------------
    def gap_marks(self) -> list[GapMark]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(g).order_by(g.c.created_at, g.c.id)).all()
        return [
            GapMark(r.id, r.status, r.created_at, r.user_email, r.label, frozenset(r.message_ids or []), r.centroid)
            for r in rows
        ]

    def mark_questions(self, message_ids: list[str]) -> list[dict[str, Any]]:
        """The stored messages among these ids, newest first: id, question and query vector (for the mark)."""
        out: list[dict[str, Any]] = []
        with self.engine.connect() as conn:
            for i in range(0, len(message_ids), BATCH):
                query = select(m.c.id, m.c.question, m.c.question_vector, m.c.created_at).where(
                    m.c.id.in_(message_ids[i : i + BATCH])
                )
                out.extend(
                    {"message_id": r.id, "question": r.question, "vector": r.question_vector, "at": r.created_at}
                    for r in conn.execute(query)
                )
        out.sort(key=lambda q: (q["at"], q["message_id"]), reverse=True)
        return out

    def add_gap_mark(
        self,
        user: User,
        status: str,
        label: str,
        message_ids: list[str],
        centroid: bytes | None,
        ip: str | None = None,
    ) -> GapMark:
        """Mark a group and write its audit entry together; a message keeps at most one mark (the newest)."""
        if status not in GAP_STATUSES:
            raise ValueError(f"status must be one of {', '.join(GAP_STATUSES)}")
        mark = GapMark(new_id("g"), status, now(), user.email, label, frozenset(message_ids), centroid)
        with self.engine.begin() as conn:
            conn.execute(
                g.insert().values(
                    id=mark.id,
                    status=status,
                    created_at=mark.created_at,
                    user_id=user.id,
                    user_email=user.email,
                    label=label,
                    message_ids=message_ids,
                    centroid=centroid,
                )
            )
            record_audit(conn, user, "mark_gap", mark.id, {"status": status, "questions": len(message_ids)}, ip)
        return mark

    def remove_gap_mark(self, mark_id: str, user: User, ip: str | None = None) -> None:
        """Take a mark off (its group shows in the default view again), audited."""
        with self.engine.begin() as conn:
            row = conn.execute(select(g.c.status).where(g.c.id == mark_id)).first()
            if row is None:
                raise GapMarkNotFoundError(f"unknown gap mark {mark_id}")
            conn.execute(delete(g).where(g.c.id == mark_id))
            record_audit(conn, user, "unmark_gap", mark_id, {"status": row.status}, ip)

    # --- citations ---------------------------------------------------------------------------------------------
    def citation_counts(self, since: dt.date | None, until: dt.date | None) -> CitationCounts:
        """How many answers of the period cite each document (once per answer), and how many of those answers
        were given a thumbs down."""
        thumbs_down = exists().where(and_(f.c.message_id == m.c.id, f.c.rating == "down"))
        query = select(m.c.citations, thumbs_down.label("down")).where(
            m.c.refused == false(), *period(m.c.created_at, since, until)
        )
        cited: Counter[str] = Counter()
        down: Counter[str] = Counter()
        with self.engine.connect() as conn:
            for citations, was_down in conn.execute(query):
                docs = {c.get("doc_id") for c in citations or [] if c.get("doc_id")}
                cited.update(docs)
                if was_down:
                    down.update(docs)
        return CitationCounts(cited, down)
