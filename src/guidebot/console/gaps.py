"""Content gaps: questions the guide did not answer well, grouped by meaning and ranked by how often they come.

A question is a gap candidate when it was refused (but not an instruction or an account question: those are
refused on purpose, and the store leaves them out), reviewed by an adviser as incorrect or incomplete, given a
thumbs down, or answered with low confidence; asked again in the same words in one conversation, it counts
once. Candidates are embedded and grouped greedily around centroids (a question joins the most similar group at
or above ``gap_similarity``, else starts one); then each question is reassigned once to its nearest final
centroid, which undoes most order effects.

The content team can mark a group "out of scope" or "article planned" (``ContentStore``): the mark keeps the
group's questions and their mean vector, and a later group that shares a question with it, or whose centroid is
as close to it as two questions of one group, carries the mark too. Marked groups leave the default view.
The report stays a query: nothing is computed ahead, every call reads the period afresh.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from guidebot.index.embedders import Embedder, Vectors
from guidebot.store.content import GapMark, GapStatus

EXAMPLES_PER_GROUP = 5
PASSAGES_PER_GROUP = 3
COMMENTS_PER_GROUP = 5
TREND_DAYS = 7  # the trend counts a group's questions per week of the period
GROWTH = 256  # rows of the centroid arrays at first (doubled when the groups outgrow them)
# every group reports these three (older readers and the CSV expect them); the verdicts only when present
BASE_REASONS = ("refused", "thumbs_down", "low_confidence")
REASONS = (*BASE_REASONS, "incorrect", "incomplete")
GapView = Literal["open", "marked", "all"] | GapStatus  # open: no mark (the default view)


@dataclass
class GapGroup:
    id: int
    questions: list[dict[str, Any]]
    closest_passages: list[dict[str, Any]] = field(default_factory=list)
    trend: list[int] = field(default_factory=list)  # questions per week of the period, oldest week first
    mark: GapMark | None = None

    @property
    def count(self) -> int:
        return len(self.questions)

    def public(self) -> dict[str, Any]:
        counts = Counter(q["reason"] for q in self.questions)
        comments = [
            {"comment": text, **{k: q[k] for k in ("message_id", "conversation_id", "created_at")}}
            for q in self.questions
            for text in q.get("comments", [])
        ]
        return {
            "id": self.id,
            "count": self.count,
            "languages": dict(Counter(q["language"] for q in self.questions)),
            "reasons": {reason: counts[reason] for reason in REASONS if reason in BASE_REASONS or counts[reason]},
            "examples": [
                {
                    **{k: q[k] for k in ("question", "message_id", "conversation_id", "created_at", "reason")},
                    "comments": list(q.get("comments", [])),
                }
                for q in self.questions[:EXAMPLES_PER_GROUP]
            ],
            "comments": comments[:COMMENTS_PER_GROUP],
            "closest_passages": self.closest_passages,
            "message_ids": [q["message_id"] for q in self.questions],
            "trend": self.trend,
            "mark": self.mark.public() if self.mark else None,
        }


def question_matrix(questions: list[dict[str, Any]], embed: QuestionVectors) -> Vectors:
    """One vector per question: the one stored with its message while it was answered (float16), else (a message
    stored before m004) embedded now. The stored bytes are taken out of the question dicts."""
    stored = [q.pop("vector", None) for q in questions]
    missing = [q["question"] for q, v in zip(questions, stored, strict=True) if v is None]
    fresh = iter(embed(missing)) if missing else iter(())
    if not questions:
        return np.zeros((0, embed.embedder.dim), dtype=np.float32)
    if not missing and len({len(v) for v in stored}) == 1:  # the usual case: one buffer, one conversion
        joined = b"".join(v for v in stored if v is not None)
        return np.frombuffer(joined, dtype=np.float16).reshape(len(stored), -1).astype(np.float32)
    rows = [np.frombuffer(v, dtype=np.float16).astype(np.float32) if v is not None else next(fresh) for v in stored]
    return np.vstack(rows)


class QuestionVectors:
    """Embeds questions, remembering the ones already seen (the report is opened again and again)."""

    MAX_CACHED = 20_000

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._cache: OrderedDict[str, Vectors] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()

    def __call__(self, texts: Sequence[str]) -> Vectors:
        with self._lock:
            missing = sorted({t for t in texts if t not in self._cache})
        if missing:
            # question-to-question similarity with e5's query side: on the seeded test set, rewordings of one
            # question score 0.86-0.99 and different topics 0.75-0.86 (the passage side packs both near 0.85-0.9)
            vectors = np.vstack([self.embedder.embed_query(t) for t in missing])
            with self._lock:
                self._cache.update(zip(missing, vectors, strict=True))
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        with self._lock:
            found = {t: self._cache[t] for t in texts}
            for t in found:
                self._cache.move_to_end(t)
            while len(self._cache) > self.MAX_CACHED:
                self._cache.popitem(last=False)
        return np.vstack([found[t] for t in texts])


def group_gaps(
    candidates: list[dict[str, Any]], vectors: Vectors, similarity: float, min_count: int = 1
) -> list[GapGroup]:
    """Group candidate questions by meaning; biggest groups first."""
    if not candidates:
        return []
    vecs = np.asarray(vectors, dtype=np.float32)
    # centroids and their members' sums live in arrays filled in place (a centroid is its sum, normalised), grown
    # as groups start: there are far fewer groups than questions
    centroids = np.zeros((min(len(vecs), GROWTH), vecs.shape[1]), dtype=np.float32)
    sums = np.zeros_like(centroids)
    members: list[list[int]] = []
    for row, vec in enumerate(vecs):
        n = len(members)
        if n:
            sims = centroids[:n] @ vec
            best = int(sims.argmax())
            if sims[best] >= similarity:
                members[best].append(row)
                sums[best] += vec
                centroids[best] = _unit(sums[best])
                continue
        if n == len(centroids):
            centroids, sums = (np.concatenate([a, np.zeros_like(a)]) for a in (centroids, sums))
        centroids[n] = vec
        sums[n] = vec
        members.append([row])
    # one reassignment pass against the final centroids
    sims = vecs @ centroids[: len(members)].T
    nearest = sims.argmax(axis=1)
    assignment = np.where(sims.max(axis=1) >= similarity, nearest, _owners(members)).tolist()
    regrouped: dict[int, list[int]] = {}
    for row, g in enumerate(assignment):
        regrouped.setdefault(g, []).append(row)
    groups: list[GapGroup] = []
    for rows in regrouped.values():
        questions = sorted((candidates[r] for r in rows), key=lambda q: q["created_at"], reverse=True)
        if len(questions) >= min_count:
            groups.append(GapGroup(0, questions, _closest_passages(questions)))
    groups.sort(key=lambda g: (-g.count, g.questions[0]["question"]))
    for i, group in enumerate(groups, start=1):
        group.id = i
    return groups


def _owners(members: list[list[int]]) -> np.ndarray:
    owner = np.zeros(sum(len(x) for x in members), dtype=np.intp)
    for g, rows in enumerate(members):
        owner[rows] = g
    return owner


def _unit(vec: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm else vec


def _closest_passages(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The passages retrieval found for the group's questions, best dense similarity first, one per section."""
    best: dict[tuple[str, str], tuple[Any, str]] = {}  # (doc id, section) -> (best score, title)
    for q in questions:
        for p in q.get("passages", ()):
            score = p.get("dense_score")
            if score is None:
                continue
            key = (p.get("doc_id", ""), p.get("section", ""))
            held = best.get(key)
            if held is None or score > held[0]:
                best[key] = (score, p.get("title", ""))
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])[:PASSAGES_PER_GROUP]
    return [
        {"doc_id": doc_id, "title": title, "section": section, "score": round(float(score), 4)}
        for (doc_id, section), (score, title) in ranked
    ]


@dataclass
class GapReport:
    groups: list[GapGroup]
    total_questions: int  # the questions of the period in the groups this view shows (before min_count)


def gap_report(
    questions: list[dict[str, Any]],
    vectors: Vectors,
    marks: list[GapMark],
    similarity: float,
    period: tuple[dt.date, dt.date],
    min_count: int = 1,
    view: GapView = "open",
) -> GapReport:
    """The groups of the period with their weekly trend and mark, those the view asks for, biggest first."""
    vecs = np.asarray(vectors, dtype=np.float32)
    groups = group_gaps(questions, vecs, similarity)
    row_of = {q["message_id"]: i for i, q in enumerate(questions)}
    marked = _mark_vectors(marks, vecs.shape[1] if vecs.ndim == 2 else 0)
    shown: list[GapGroup] = []
    for group in groups:
        rows = [row_of[q["message_id"]] for q in group.questions]
        group.mark = _mark_of(group, _unit(vecs[rows].mean(axis=0)), marked, similarity)
        group.trend = weekly_trend([q["created_at"] for q in group.questions], *period)
        status = group.mark.status if group.mark else None
        if view == "all" or (view == "open" and status is None) or (view == "marked" and status) or view == status:
            shown.append(group)
    total = sum(g.count for g in shown)
    kept = [g for g in shown if g.count >= min_count]
    for i, group in enumerate(kept, start=1):
        group.id = i
    return GapReport(kept, total)


def group_centroid(vectors: Vectors) -> bytes | None:
    """The float16 bytes of the questions' mean direction (what a mark keeps), or None without questions."""
    vecs = np.asarray(vectors, dtype=np.float32)
    if vecs.ndim != 2 or not len(vecs):
        return None
    return np.asarray(_unit(vecs.mean(axis=0)), dtype=np.float16).tobytes()


def weekly_trend(created_at: list[str], since: dt.date, until: dt.date) -> list[int]:
    """Questions per week of the period (the first week starts on ``since``), oldest first."""
    weeks = max(1, -(-((until - since).days + 1) // TREND_DAYS))
    counts = [0] * weeks
    for at in created_at:
        day = dt.datetime.fromisoformat(at).date()
        counts[min(weeks - 1, max(0, (day - since).days // TREND_DAYS))] += 1
    return counts


def _mark_vectors(marks: list[GapMark], dim: int) -> list[tuple[GapMark, np.ndarray | None]]:
    out: list[tuple[GapMark, np.ndarray | None]] = []
    for mark in marks:
        vec = None
        if mark.centroid is not None and len(mark.centroid) == 2 * dim:  # another embedder's vector is ignored
            vec = np.frombuffer(mark.centroid, dtype=np.float16).astype(np.float32)
        out.append((mark, vec))
    return out


def _mark_of(
    group: GapGroup, centroid: np.ndarray, marks: list[tuple[GapMark, np.ndarray | None]], similarity: float
) -> GapMark | None:
    """The mark that shares the most questions with the group, else the one whose centroid is closest (at least
    ``similarity``, the bar two questions of one group pass); the newest wins a tie."""
    ids = {q["message_id"] for q in group.questions}
    best: tuple[int, float, int] = (0, 0.0, -1)
    for i, (mark, vec) in enumerate(marks):
        shared = len(ids & mark.message_ids)
        close = float(centroid @ vec) if vec is not None else 0.0
        if (shared or close >= similarity) and (shared, close, i) > best:
            best = (shared, close, i)
    return marks[best[2]][0] if best[2] >= 0 else None


def gaps_csv(groups: list[GapGroup]) -> str:
    """One row per group, for a spreadsheet (columns added later come last, so older sheets keep working)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "group",
            "count",
            "languages",
            "refused",
            "thumbs_down",
            "low_confidence",
            "example_questions",
            "closest_passages",
            "incorrect",
            "incomplete",
            "status",
            "weekly_trend",
            "thumbs_down_comments",
        ]
    )
    for g in groups:
        data = g.public()
        reasons = data["reasons"]
        writer.writerow(
            [
                g.id,
                g.count,
                " ".join(f"{lang}:{n}" for lang, n in sorted(data["languages"].items())),
                reasons["refused"],
                reasons["thumbs_down"],
                reasons["low_confidence"],
                _cell(" | ".join(" ".join(e["question"].split()) for e in data["examples"])),
                " | ".join(f"{p['doc_id']} > {p['section']} ({p['score']})" for p in data["closest_passages"]),
                reasons.get("incorrect", 0),
                reasons.get("incomplete", 0),
                g.mark.status if g.mark else "open",
                " ".join(str(n) for n in g.trend),
                _cell(" | ".join(" ".join(c["comment"].split()) for c in data["comments"])),
            ]
        )
    return buffer.getvalue()


def _cell(text: str) -> str:
    """Neutralise spreadsheet formulas: a member's question must not run in the content team's spreadsheet."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
