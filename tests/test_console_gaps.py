"""The gaps report's grouping at the size of a busy quarter: the same groups as the plain greedy loop it replaced
(centroid arrays that grow, a vectorised reassignment, the closest passages kept by score), and the store's
JSON reader that the report's reads go through."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from guidebot.console.gaps import GROWTH, group_gaps
from guidebot.store.store import _json_loads

DIM = 32


def _reference_groups(vecs: np.ndarray, similarity: float) -> list[list[int]]:
    """The grouping as first written: one centroid array of the candidates' size, a reassignment row by row."""
    centroids, sums = np.zeros_like(vecs), np.zeros_like(vecs)
    members: list[list[int]] = []
    for row, vec in enumerate(vecs):
        n = len(members)
        if n:
            sims = centroids[:n] @ vec
            best = int(np.argmax(sims))
            if sims[best] >= similarity:
                members[best].append(row)
                sums[best] += vec
                norm = float(np.linalg.norm(sums[best]))
                centroids[best] = sums[best] / norm if norm else sums[best]
                continue
        centroids[n], sums[n] = vec, vec
        members.append([row])
    owner = {row: g for g, rows in enumerate(members) for row in rows}
    sims = vecs @ centroids[: len(members)].T
    assignment = [int(np.argmax(s)) if s.max() >= similarity else owner[row] for row, s in enumerate(sims)]
    regrouped: dict[int, list[int]] = {}
    for row, g in enumerate(assignment):
        regrouped.setdefault(g, []).append(row)
    return sorted(sorted(rows) for rows in regrouped.values())


def _candidates(n: int, topics: int, rng: np.random.Generator) -> tuple[list[dict[str, Any]], np.ndarray]:
    centres = rng.normal(size=(topics, DIM))
    vecs = centres[np.arange(n) % topics] + 0.25 * rng.normal(size=(n, DIM))
    vecs = (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)
    candidates = [
        {
            "message_id": f"m_{i}",
            "question": f"question {i}",
            "created_at": f"2026-11-{1 + i % 28:02d}T10:00:00+00:00",
            "passages": [
                {"doc_id": f"doc-{(i + k) % 7}", "section": f"s{k % 2}", "title": f"T{(i + k) % 7}", "dense_score": s}
                for k, s in enumerate(rng.uniform(0.7, 0.95, size=4).round(3))
            ]
            + [{"doc_id": "lexical-only", "section": "", "title": "", "dense_score": None}],
        }
        for i in range(n)
    ]
    return candidates, vecs


def test_grouping_is_the_greedy_loop_it_replaced() -> None:
    rng = np.random.default_rng(11)
    candidates, vecs = _candidates(1500, 2 * GROWTH + 40, rng)  # more groups than the arrays hold at first
    groups = group_gaps(candidates, vecs, similarity=0.9)
    got = sorted(sorted(int(q["message_id"][2:]) for q in g.questions) for g in groups)
    want = _reference_groups(vecs, 0.9)
    assert got == want
    assert len(want) > 2 * GROWTH
    for group in groups:
        best: dict[tuple[str, str], float] = {}
        for q in group.questions:
            for p in q["passages"]:
                if p["dense_score"] is not None:
                    key = (p["doc_id"], p["section"])
                    best[key] = max(best.get(key, -1.0), p["dense_score"])
        top = sorted(best.values(), reverse=True)[:3]
        assert [p["score"] for p in group.closest_passages] == [round(s, 4) for s in top]
        assert all(p["doc_id"] != "lexical-only" for p in group.closest_passages)
        for p in group.closest_passages:
            assert p["title"] == "T" + p["doc_id"].removeprefix("doc-")


def test_the_store_reads_json_as_json_does() -> None:
    for text in ('[1, 2.5, 0.9131182432174683, null, true, "é\\u00e9"]', '{"a": {"b": [1, -2e-5]}, "a2": ""}', "[]"):
        assert _json_loads(text) == json.loads(text)
    assert math.isnan(_json_loads('{"top_dense": NaN}')["top_dense"])  # what json.dumps writes for a NaN
