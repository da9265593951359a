"""The evidence behind an answer in words an adviser reads: the closest article, and the facts the console
turns into one sentence saying why guidebot answered or refused (the sentence itself is written in the
console's language, from its strings table)."""

from __future__ import annotations

from typing import Any


def closest_article(passages: list[dict[str, Any]], documents: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The retrieved passage most similar in meaning to the question (the fused first when no dense score), with
    its article's link from the served index (none when the article has left the index since)."""
    if not passages:
        return None
    scored = [p for p in passages if isinstance(p.get("dense_score"), int | float)]
    best = max(scored, key=lambda p: p["dense_score"]) if scored else min(passages, key=lambda p: p.get("rank", 0))
    doc = documents.get(str(best.get("doc_id")), {})
    return {
        "doc_id": best.get("doc_id"),
        "title": best.get("title") or doc.get("title") or best.get("doc_id"),
        "section": best.get("section"),
        "url": doc.get("url"),
    }


def explanation(message: dict[str, Any]) -> dict[str, Any]:
    """What decided the answer, read from the gate's stored features and the message's reason."""
    gate = message.get("gate") or {}
    terms = [str(t) for t in gate.get("key_terms") or []]
    coverage = gate.get("coverage")
    found = (
        round(float(coverage) * len(terms))
        if gate.get("coverage_known") and isinstance(coverage, int | float) and terms
        else None
    )
    return {
        "reason": message.get("reason"),
        "refused": bool(message.get("refused")),
        "gate_reason": gate.get("reason"),
        "key_terms": len(terms),
        "terms_found": found,
        "missing_figures": [str(x) for x in gate.get("missing_figures") or []],
        "legs_agree": gate.get("agree"),
        "answer_type": gate.get("answer_type"),
    }
