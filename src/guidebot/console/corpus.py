"""Corpus status for the content team: articles not updated for a long time, articles no answer cited in the
period, and the articles most often cited in answers members gave a thumbs down."""

from __future__ import annotations

import datetime as dt
from typing import Any

from guidebot.store.content import CitationCounts

THUMBS_DOWN_LISTED = 10


def _document(doc_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "title": entry.get("title", doc_id),
        "url": entry.get("url"),
        "lang": entry.get("lang"),
        "source": entry.get("source"),
        "updated": entry.get("updated"),
    }


def _updated(entry: dict[str, Any]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(entry.get("updated", ""))[:10])
    except ValueError:
        return None


def corpus_usage(
    documents: dict[str, dict[str, Any]], counts: CitationCounts, today: dt.date, stale_after_days: int
) -> dict[str, Any]:
    """The three lists of the corpus status, from the served index's documents and the period's citations."""
    stale = []
    for doc_id, entry in documents.items():
        updated = _updated(entry)
        if updated is not None and (today - updated).days > stale_after_days:
            stale.append({**_document(doc_id, entry), "age_days": (today - updated).days})
    stale.sort(key=lambda d: (-d["age_days"], d["doc_id"]))
    never = [_document(d, e) for d, e in documents.items() if not counts.cited.get(d)]
    never.sort(key=lambda d: (str(d["title"]).casefold(), d["doc_id"]))
    down = [
        {**_document(d, documents[d]), "thumbs_down": n, "cited": counts.cited.get(d, n)}
        for d, n in counts.thumbs_down.items()
        if d in documents and n
    ]
    down.sort(key=lambda d: (-d["thumbs_down"], -d["cited"], d["doc_id"]))
    return {
        "stale_after_days": stale_after_days,
        "stale": stale,
        "never_cited": never,
        "thumbs_down": down[:THUMBS_DOWN_LISTED],
    }
