"""What the console reads and writes in the conversation store: filtered conversation lists, a conversation
with its evidence, advisers' reviews, and the questions behind content gaps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, exists, false, func, not_, or_, select, true

from guidebot.errors import ConversationNotFoundError, MessageNotFoundError
from guidebot.store import schema
from guidebot.store.accounts import User, record_audit
from guidebot.store.store import new_id, now

VERDICTS = ("correct", "incorrect", "incomplete")
DELIBERATE_REFUSALS = ("instruction", "account")
m, c, f, r = schema.messages, schema.conversations, schema.feedback, schema.reviews


@dataclass(frozen=True)
class ConversationFilters:
    refused: bool | None = None
    feedback: str | None = None  # up | down
    language: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None  # inclusive
    tool: str | None = None
    reviewed: bool | None = None
    q: str | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def period(column: Any, since: dt.date | None, until: dt.date | None) -> list[Any]:
    conditions = []
    if since:
        conditions.append(column >= _day_start(since))
    if until:
        conditions.append(column < _day_start(until + dt.timedelta(days=1)))
    return conditions


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class ReviewStore:
    """The console's reads and writes over conversations, messages, feedback and reviews."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- conversations ------------------------------------------------------------------------------------
    def list_conversations(
        self, filters: ConversationFilters, offset: int = 0, limit: int = 25
    ) -> tuple[list[dict[str, Any]], int]:
        """Conversations with a message matching every filter, newest first, and how many there are."""
        cond: list[Any] = period(m.c.created_at, filters.since, filters.until)
        if filters.refused is not None:
            cond.append(m.c.refused == (true() if filters.refused else false()))
        if filters.language:
            cond.append(m.c.language == filters.language)
        if filters.tool:
            cond.append(m.c.tool == filters.tool)
        if filters.q:
            pattern = _like(filters.q.strip())
            cond.append(or_(m.c.question.ilike(pattern, escape="\\"), m.c.answer.ilike(pattern, escape="\\")))
        if filters.feedback:
            cond.append(exists().where(and_(f.c.message_id == m.c.id, f.c.rating == filters.feedback)))
        if filters.reviewed is True:
            cond.append(exists().where(r.c.message_id == m.c.id))
        matching = select(m.c.conversation_id).where(*cond)
        if filters.reviewed is False:
            reviewed_conversations = select(m.c.conversation_id).join(r, r.c.message_id == m.c.id)
            matching = matching.where(not_(m.c.conversation_id.in_(reviewed_conversations)))
        where = c.c.id.in_(matching)
        with self.engine.connect() as conn:
            total = int(conn.execute(select(func.count()).select_from(c).where(where)).scalar_one())
            ids = list(
                conn.execute(
                    select(c.c.id).where(where).order_by(c.c.updated_at.desc(), c.c.id).offset(offset).limit(limit)
                ).scalars()
            )
            return [self._summary(conn, cid) for cid in ids], total

    def _summary(self, conn: Any, conversation_id: str) -> dict[str, Any]:
        conv = conn.execute(select(c).where(c.c.id == conversation_id)).one()
        rows = conn.execute(
            select(m.c.id, m.c.question, m.c.refused, m.c.tool)
            .where(m.c.conversation_id == conversation_id)
            .order_by(m.c.created_at)
        ).all()
        ids = [row.id for row in rows]
        ratings = dict(
            conn.execute(select(f.c.rating, func.count()).where(f.c.message_id.in_(ids)).group_by(f.c.rating)).all()
        )
        reviewed = conn.execute(select(func.count()).select_from(r).where(r.c.message_id.in_(ids))).scalar_one()
        return {
            "id": conv.id,
            "created_at": conv.created_at.isoformat(),
            "updated_at": conv.updated_at.isoformat(),
            "language": conv.language,
            "messages": len(rows),
            "first_question": rows[0].question if rows else "",
            "refused": any(row.refused for row in rows),
            "thumbs_up": int(ratings.get("up", 0)),
            "thumbs_down": int(ratings.get("down", 0)),
            "reviewed": reviewed > 0,
            "tools": sorted({row.tool for row in rows if row.tool}),
        }

    def conversation(self, conversation_id: str) -> dict[str, Any]:
        """A conversation with every message's evidence, feedback and newest review."""
        with self.engine.connect() as conn:
            conv = conn.execute(select(c).where(c.c.id == conversation_id)).first()
            if conv is None:
                raise ConversationNotFoundError(f"unknown conversation {conversation_id}")
            rows = conn.execute(select(m).where(m.c.conversation_id == conversation_id).order_by(m.c.created_at)).all()
            ids = [row.id for row in rows]
            feedback: dict[str, list[dict[str, Any]]] = {}
            for fb in conn.execute(select(f).where(f.c.message_id.in_(ids)).order_by(f.c.created_at)).all():
                feedback.setdefault(fb.message_id, []).append(
                    {"rating": fb.rating, "comment": fb.comment, "created_at": fb.created_at.isoformat()}
                )
            reviews = self._latest_reviews(conn, ids)
        return {
            "id": conv.id,
            "created_at": conv.created_at.isoformat(),
            "updated_at": conv.updated_at.isoformat(),
            "language": conv.language,
            "messages": [
                {
                    "id": row.id,
                    "created_at": row.created_at.isoformat(),
                    "question": row.question,
                    "query": row.query,
                    "language": row.language,
                    "answer": row.answer,
                    "refused": row.refused,
                    "reason": row.reason,
                    "writer": row.writer,
                    "latency_ms": round(row.latency_ms, 1),
                    "tool": row.tool,
                    "passages": list(row.passages),
                    "citations": [
                        {k: cit.get(k) for k in ("n", "doc_id", "title", "url", "section", "snippet")}
                        for cit in row.citations
                    ],
                    "gate": dict(row.gate),
                    "feedback": feedback.get(row.id, []),
                    "review": reviews.get(row.id),
                }
                for row in rows
            ],
        }

    # --- reviews -------------------------------------------------------------------------------------------
    def _latest_reviews(self, conn: Any, message_ids: list[str]) -> dict[str, dict[str, Any]]:
        latest: dict[str, dict[str, Any]] = {}
        query = select(r).where(r.c.message_id.in_(message_ids)).order_by(r.c.created_at, r.c.id)
        for row in conn.execute(query).all():
            latest[row.message_id] = _review(row)
        return latest

    def add_review(
        self,
        message_id: str,
        reviewer: User,
        verdict: str,
        corrected_answer: str | None,
        expected_doc_ids: list[str],
        note: str | None,
        ip: str | None = None,
    ) -> dict[str, Any]:
        """Store a review and its audit entry together: "review" for a correct answer, "correct" otherwise."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}")
        with self.engine.begin() as conn:
            if conn.execute(select(m.c.id).where(m.c.id == message_id)).first() is None:
                raise MessageNotFoundError(f"unknown message {message_id}")
            values = {
                "id": new_id("r"),
                "message_id": message_id,
                "reviewer_id": reviewer.id,
                "reviewer_email": reviewer.email,
                "created_at": now(),
                "verdict": verdict,
                "corrected_answer": corrected_answer,
                "expected_doc_ids": expected_doc_ids,
                "note": note,
            }
            conn.execute(r.insert().values(**values))
            action = "review" if verdict == "correct" else "correct"
            detail = {"verdict": verdict, "expected_doc_ids": expected_doc_ids}
            record_audit(conn, reviewer, action, message_id, detail, ip)
            row = conn.execute(select(r).where(r.c.id == values["id"])).one()
        return _review(row)

    def reviewed_messages(self, since: dt.date | None = None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(message, newest review) for every reviewed message, oldest review first."""
        with self.engine.connect() as conn:
            ids = list(conn.execute(select(r.c.message_id).where(*period(r.c.created_at, since, None))).scalars())
            reviews = self._latest_reviews(conn, sorted(set(ids)))
            rows = conn.execute(select(m).where(m.c.id.in_(list(reviews)))).all()
            history: dict[str, list[str]] = {}
            for row in rows:
                earlier = conn.execute(
                    select(m.c.question)
                    .where(m.c.conversation_id == row.conversation_id, m.c.created_at < row.created_at)
                    .order_by(m.c.created_at)
                ).scalars()
                history[row.id] = list(earlier)
        out = [
            (
                {
                    "id": row.id,
                    "conversation_id": row.conversation_id,
                    "question": row.question,
                    "language": row.language,
                    "answer": row.answer,
                    "refused": row.refused,
                    "cited_docs": list(dict.fromkeys(cit["doc_id"] for cit in row.citations)),
                    "history": history[row.id],
                },
                reviews[row.id],
            )
            for row in rows
        ]
        return sorted(out, key=lambda pair: pair[1]["created_at"])

    # --- content gaps ----------------------------------------------------------------------------------------
    def gap_questions(
        self, low_confidence: float, since: dt.date | None = None, until: dt.date | None = None
    ) -> list[dict[str, Any]]:
        """Questions that were refused, reviewed as incorrect or incomplete, given a thumbs down, or answered with
        low confidence; a question asked again in the same words in one conversation counts once."""
        thumbs_down = exists().where(and_(f.c.message_id == m.c.id, f.c.rating == "down"))
        window = period(m.c.created_at, since, until)
        # the passages (the bulk of a row) are read only for the questions kept
        query = (
            select(m.c.id, m.c.conversation_id, m.c.question, m.c.query, m.c.language, m.c.created_at)
            .add_columns(m.c.refused, m.c.reason, m.c.gate, m.c.question_vector, thumbs_down.label("thumbs_down"))
            .where(*window)
            .order_by(m.c.created_at, m.c.id)
        )
        out = []
        seen: set[tuple[str, str]] = set()
        with self.engine.connect() as conn:
            verdicts: dict[str, str] = {}  # the newest review of each message of the period
            reviewed = select(r.c.message_id, r.c.verdict).join(m, m.c.id == r.c.message_id).where(*window)
            for mid, verdict in conn.execute(reviewed.order_by(r.c.created_at, r.c.id)):
                verdicts[mid] = verdict
            for row in conn.execute(query).all():
                mid, cid, question, asked, language, created_at, refused, why, gate, vector, down = row
                if refused and why in DELIBERATE_REFUSALS:
                    continue  # an instruction or an account question is refused on purpose: no gap there
                verdict = verdicts.get(mid)
                reason = _gap_reason(refused, gate, bool(down), verdict, low_confidence)
                if reason is None:
                    continue
                same = (cid, " ".join(question.casefold().split()))
                if same in seen:
                    continue  # the member asked again in the same words: one question, not two
                seen.add(same)
                out.append(
                    {
                        "message_id": mid,
                        "conversation_id": cid,
                        "question": question,
                        "query": asked,
                        "language": language,
                        "created_at": created_at.isoformat(),
                        "reason": reason,
                        "refusal_reason": why if refused else None,
                        "verdict": verdict,
                        "thumbs_down": bool(down),
                        "vector": vector,  # float16 bytes, or None for a message stored before m004
                    }
                )
            passages: dict[str, list[Any]] = {}
            comments: dict[str, list[str]] = {}
            ids = [q["message_id"] for q in out]
            down_ids = [q["message_id"] for q in out if q["thumbs_down"]]
            for i in range(0, len(ids), 500):
                for mid, stored in conn.execute(select(m.c.id, m.c.passages).where(m.c.id.in_(ids[i : i + 500]))):
                    passages[mid] = list(stored or [])
            for i in range(0, len(down_ids), 500):
                said = (
                    select(f.c.message_id, f.c.comment)
                    .where(f.c.message_id.in_(down_ids[i : i + 500]), f.c.rating == "down", f.c.comment.is_not(None))
                    .order_by(f.c.created_at, f.c.id)
                )
                for mid, comment in conn.execute(said):
                    if comment.strip():
                        comments.setdefault(mid, []).append(comment)
        for q in out:
            q["passages"] = passages.get(q["message_id"], [])
            q["comments"] = comments.get(q["message_id"], [])
        return out


def _gap_reason(
    refused: bool, gate: dict[str, Any] | None, thumbs_down: bool, verdict: str | None, low_confidence: float
) -> str | None:
    """Why a message is a gap candidate (the first that applies), or None. An adviser's verdict outranks the
    member's thumbs; a low-confidence answer an adviser found correct is no gap."""
    if refused:
        return "refused"
    if verdict in ("incorrect", "incomplete"):
        return str(verdict)
    if thumbs_down:
        return "thumbs_down"
    top = (gate or {}).get("top_dense")
    if isinstance(top, int | float) and top < low_confidence and verdict != "correct":
        return "low_confidence"
    return None


def _review(row: Any) -> dict[str, Any]:
    return {
        "verdict": row.verdict,
        "corrected_answer": row.corrected_answer,
        "expected_doc_ids": list(row.expected_doc_ids or []),
        "note": row.note,
        "reviewer": row.reviewer_email,
        "created_at": row.created_at.isoformat(),
    }
