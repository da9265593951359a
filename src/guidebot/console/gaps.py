"""Content gaps: questions the guide did not answer well, grouped by meaning and ranked by how often they come.

A question is a gap candidate when it was refused (but not an instruction or an account question: those are
refused on purpose, and the store leaves them out), answered with low confidence, or given a thumbs down.
Candidates are embedded and grouped greedily around centroids (a question joins the most similar group at or
above ``gap_similarity``, else starts one); then each question is reassigned once to its nearest final
centroid, which undoes most order effects.
"""

from __future__ import annotations

import csv
import io
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from guidebot.index.embedders import Embedder, Vectors

EXAMPLES_PER_GROUP = 5
PASSAGES_PER_GROUP = 3


@dataclass
class GapGroup:
    id: int
    questions: list[dict[str, Any]]
    closest_passages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.questions)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "count": self.count,
            "languages": dict(Counter(q["language"] for q in self.questions)),
            "reasons": {
                reason: sum(q["reason"] == reason for q in self.questions)
                for reason in ("refused", "thumbs_down", "low_confidence")
            },
            "examples": [
                {k: q[k] for k in ("question", "message_id", "conversation_id", "created_at", "reason")}
                for q in self.questions[:EXAMPLES_PER_GROUP]
            ],
            "closest_passages": self.closest_passages,
        }


def question_matrix(questions: list[dict[str, Any]], embed: QuestionVectors) -> Vectors:
    """One vector per question: the one stored with its message while it was answered (float16), else (a message
    stored before m004) embedded now. The stored bytes are taken out of the question dicts."""
    stored = [q.pop("vector", None) for q in questions]
    missing = [q["question"] for q, v in zip(questions, stored, strict=True) if v is None]
    fresh = iter(embed(missing)) if missing else iter(())
    if not questions:
        return np.zeros((0, embed.embedder.dim), dtype=np.float32)
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
    # centroids and their members' sums live in arrays filled in place (a centroid is its sum, normalised)
    centroids = np.zeros_like(vecs)
    sums = np.zeros_like(vecs)
    members: list[list[int]] = []
    for row, vec in enumerate(vecs):
        n = len(members)
        if n:
            sims = centroids[:n] @ vec
            best = int(np.argmax(sims))
            if sims[best] >= similarity:
                members[best].append(row)
                sums[best] += vec
                centroids[best] = _unit(sums[best])
                continue
        centroids[n] = vec
        sums[n] = vec
        members.append([row])
    # one reassignment pass against the final centroids
    sims = vecs @ centroids[: len(members)].T
    owners = _owners(members)
    assignment = [int(np.argmax(s)) if s.max() >= similarity else owners[row] for row, s in enumerate(sims)]
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


def _owners(members: list[list[int]]) -> list[int]:
    owner = [0] * sum(len(x) for x in members)
    for g, rows in enumerate(members):
        for row in rows:
            owner[row] = g
    return owner


def _unit(vec: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm else vec


def _closest_passages(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The passages retrieval found for the group's questions, best dense similarity first, one per section."""
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for q in questions:
        for p in q.get("passages", []):
            score = p.get("dense_score")
            if score is None:
                continue
            key = (p.get("doc_id", ""), p.get("section", ""))
            if key not in best or score > best[key]["score"]:
                best[key] = {"doc_id": key[0], "title": p.get("title", ""), "section": key[1], "score": score}
    ranked = sorted(best.values(), key=lambda p: -p["score"])[:PASSAGES_PER_GROUP]
    return [{**p, "score": round(float(p["score"]), 4)} for p in ranked]


def gaps_csv(groups: list[GapGroup]) -> str:
    """One row per group, for a spreadsheet."""
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
        ]
    )
    for g in groups:
        data = g.public()
        writer.writerow(
            [
                g.id,
                g.count,
                " ".join(f"{lang}:{n}" for lang, n in sorted(data["languages"].items())),
                data["reasons"]["refused"],
                data["reasons"]["thumbs_down"],
                data["reasons"]["low_confidence"],
                _cell(" | ".join(" ".join(e["question"].split()) for e in data["examples"])),
                " | ".join(f"{p['doc_id']} > {p['section']} ({p['score']})" for p in data["closest_passages"]),
            ]
        )
    return buffer.getvalue()


def _cell(text: str) -> str:
    """Neutralise spreadsheet formulas: a member's question must not run in the content team's spreadsheet."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
