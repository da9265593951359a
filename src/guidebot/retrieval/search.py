"""Hybrid search: the dense leg (the index's embedder) and the BM25 leg fused by reciprocal rank fusion.

The BM25 leg searches passages in the question's own language only: stemmed French BM25 helps French
questions on French passages, while it hurts Dutch or English questions against French passages
(offline-stack.md), where the multilingual dense leg does the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guidebot.config import Settings
from guidebot.documents import Chunk
from guidebot.index.embedders import Embedder
from guidebot.index.reader import IndexSnapshot
from guidebot.retrieval.language import detect_language


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with the evidence for its rank."""

    chunk: Chunk
    score: float  # fused RRF score
    dense_score: float | None
    dense_rank: int | None
    lexical_score: float | None
    lexical_rank: int | None

    def to_dict(self) -> dict[str, Any]:
        c = self.chunk
        return {
            "chunk_id": c.id,
            "doc_id": c.doc_id,
            "title": c.title,
            "url": c.url,
            "section": c.section,
            "page": c.page,
            "lang": c.lang,
            "source": c.source,
            "score": round(self.score, 6),
            "dense_score": None if self.dense_score is None else round(self.dense_score, 6),
            "dense_rank": self.dense_rank,
            "lexical_score": None if self.lexical_score is None else round(self.lexical_score, 6),
            "lexical_rank": self.lexical_rank,
            "text": c.text,
        }


class HybridSearcher:
    """Searches one index snapshot."""

    def __init__(self, snapshot: IndexSnapshot, embedder: Embedder, settings: Settings) -> None:
        self.snapshot = snapshot
        self.embedder = embedder
        self.settings = settings

    def search(self, query: str, k: int | None = None, lang: str | None = None) -> list[Passage]:
        k = k or self.settings.search_k
        lang = lang or detect_language(query)
        n = max(self.settings.candidates_per_leg, k)
        dense = self.snapshot.vectors.query(self.embedder.embed_query(query), n)
        lexical = self.snapshot.lexical.search(query, lang, n)
        fused: dict[str, float] = {}
        for hits in (dense, lexical):
            for rank, (cid, _score) in enumerate(hits, start=1):
                fused[cid] = fused.get(cid, 0.0) + 1.0 / (self.settings.rrf_k + rank)
        dense_at = {cid: (r, s) for r, (cid, s) in enumerate(dense, start=1)}
        lex_at = {cid: (r, s) for r, (cid, s) in enumerate(lexical, start=1)}
        ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
        out: list[Passage] = []
        for cid, score in ranked:
            chunk = self.snapshot.chunks.get(cid)
            if chunk is None:
                continue
            d, lx = dense_at.get(cid), lex_at.get(cid)
            out.append(
                Passage(
                    chunk, score, d[1] if d else None, d[0] if d else None, lx[1] if lx else None, lx[0] if lx else None
                )
            )
            if len(out) >= k:
                break
        return out
