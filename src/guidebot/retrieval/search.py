"""Hybrid search: the dense leg (the index's embedder) and the BM25 leg fused by reciprocal rank fusion.

The BM25 leg searches passages in the question's own language, stemmed for that language: stemmed French
BM25 helps French questions on French passages, while French BM25 cannot help a Dutch or English question
(offline-stack.md); the multilingual dense leg carries those. Which question languages use the lexical leg
is a setting (``lexical_languages``), chosen on the eval. After fusion, at most ``max_passages_per_doc``
passages come from one document and a passage nearly identical to one already taken is skipped, so the
writer sees several sources rather than one source several times.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from guidebot.config import Settings
from guidebot.documents import Chunk
from guidebot.index.embedders import Embedder
from guidebot.index.reader import IndexSnapshot
from guidebot.retrieval.language import detect_language
from guidebot.retrieval.rerank import Reranker


@dataclass(frozen=True)
class SearchFilters:
    """Restrict search to documents about a tool, from a source, or in a language."""

    tool: str | None = None  # "3en1" | "activite": documents about that tool or both
    source: str | None = None
    lang: str | None = None

    def where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.tool:
            clauses.append({"tool": {"$in": [self.tool, "both"]}})
        if self.source:
            clauses.append({"source": self.source})
        if self.lang:
            clauses.append({"lang": self.lang})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accepts(self, chunk: Chunk) -> bool:
        return (
            (not self.tool or chunk.tool in (self.tool, "both"))
            and (not self.source or chunk.source == self.source)
            and (not self.lang or chunk.lang == self.lang)
        )


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with the evidence for its rank."""

    chunk: Chunk
    score: float  # fused RRF score
    dense_score: float | None
    dense_rank: int | None
    lexical_score: float | None
    lexical_rank: int | None
    unit_sims: tuple[float, ...] = ()  # similarity of each unit (split_units order) to the query

    def to_dict(self, *, full: bool = True) -> dict[str, Any]:
        """The passage as JSON: ids, title, section and each leg's score and rank (what the store keeps), and
        with ``full`` its url, page, language, source and text."""
        c = self.chunk
        record: dict[str, Any] = {
            "chunk_id": c.id,
            "doc_id": c.doc_id,
            "title": c.title,
            "section": c.section,
            "score": self.score,
            "dense_score": self.dense_score,
            "dense_rank": self.dense_rank,
            "lexical_score": self.lexical_score,
            "lexical_rank": self.lexical_rank,
        }
        if full:
            record.update(url=c.url, page=c.page, lang=c.lang, source=c.source, text=c.text)
        return record


@dataclass
class SearchResult:
    """Ranked passages and what each leg found (the refusal gate reads both)."""

    query: str
    lang: str
    passages: list[Passage]
    dense: list[tuple[str, float]] = field(default_factory=list)
    lexical: list[tuple[str, float]] = field(default_factory=list)
    lexical_used: bool = True
    query_vector: np.ndarray | None = None  # the dense query vector (the gate's scope router reads it)


class HybridSearcher:
    """Searches one index snapshot."""

    def __init__(
        self, snapshot: IndexSnapshot, embedder: Embedder, settings: Settings, reranker: Reranker | None = None
    ) -> None:
        self.snapshot = snapshot
        self.embedder = embedder
        self.settings = settings
        self.reranker = reranker
        self._words: dict[str, frozenset[str]] = {}  # each chunk's word set (the snapshot never changes)

    def search(
        self, query: str, k: int | None = None, lang: str | None = None, filters: SearchFilters | None = None
    ) -> list[Passage]:
        """The ranked passages alone (see retrieve)."""
        return self.retrieve(query, k, lang, filters).passages

    def retrieve(
        self,
        query: str,
        k: int | None = None,
        lang: str | None = None,
        filters: SearchFilters | None = None,
        query_vector: np.ndarray | None = None,
    ) -> SearchResult:
        """Ranked passages with each leg's raw hits; ``settings.retrieval_legs`` turns a leg off (baselines).
        ``query_vector`` is the query's embedding when the caller has it already."""
        k = k or self.settings.search_k
        lang = lang or detect_language(query)
        filters = filters or SearchFilters()
        n = max(self.settings.candidates_per_leg, k)
        legs = self.settings.retrieval_legs
        use_lexical = legs == "lexical" or (legs == "hybrid" and lang in self.settings.lexical_languages)
        dense_hits: list[tuple[str, float]] = []
        qvec = query_vector if query_vector is not None else self.embedder.embed_query(query)
        if legs != "lexical":
            dense_hits = self.snapshot.vectors.query(qvec, n, where=filters.where())
        lexical_hits: list[tuple[str, float]] = []
        if use_lexical:
            raw = self.snapshot.lexical.search(query, lang, n * 3 if filters.where() else n)
            lexical_hits = [(cid, s) for cid, s in raw if (c := self.snapshot.chunks.get(cid)) and filters.accepts(c)][
                :n
            ]
        fused: dict[str, float] = {}
        for hits in (dense_hits, lexical_hits):
            for rank, (cid, _score) in enumerate(hits, start=1):
                fused[cid] = fused.get(cid, 0.0) + 1.0 / (self.settings.rrf_k + rank)
        dense_at = {cid: (r, s) for r, (cid, s) in enumerate(dense_hits, start=1)}
        lex_at = {cid: (r, s) for r, (cid, s) in enumerate(lexical_hits, start=1)}
        ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
        if self.reranker is not None:
            ranked = self._rerank(query, ranked)
        passages = self._diverse(ranked, k, dense_at, lex_at, qvec)
        return SearchResult(query, lang, passages, dense_hits, lexical_hits, use_lexical, qvec)

    def _rerank(self, query: str, ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """Reorder the first candidates by the reranker's scores (kept as the passages' score)."""
        head = [(cid, s) for cid, s in ranked[: self.settings.rerank_candidates] if cid in self.snapshot.chunks]
        assert self.reranker is not None
        scores = self.reranker.scores(query, [self.snapshot.chunks[cid].embed_text for cid, _ in head])
        reordered = sorted(zip((cid for cid, _ in head), scores, strict=True), key=lambda x: -x[1])
        return reordered + ranked[self.settings.rerank_candidates :]

    def _diverse(
        self,
        ranked: list[tuple[str, float]],
        k: int,
        dense_at: dict[str, tuple[int, float]],
        lex_at: dict[str, tuple[int, float]],
        qvec: np.ndarray,
    ) -> list[Passage]:
        per_doc: Counter[str] = Counter()
        out: list[Passage] = []
        kept_texts: list[frozenset[str]] = []
        for cid, score in ranked:
            chunk = self.snapshot.chunks.get(cid)
            if chunk is None or per_doc[chunk.doc_id] >= self.settings.max_passages_per_doc:
                continue
            words = self._words.get(cid)
            if words is None:
                words = self._words[cid] = frozenset(chunk.text.lower().split())
            if any(jaccard(words, other) >= self.settings.duplicate_jaccard for other in kept_texts):
                continue
            d, lx = dense_at.get(cid), lex_at.get(cid)
            units = self.snapshot.units_of(cid)
            sims = tuple(float(x) for x in units @ qvec) if units is not None and len(units) else ()
            out.append(
                Passage(
                    chunk,
                    score,
                    d[1] if d else None,
                    d[0] if d else None,
                    lx[1] if lx else None,
                    lx[0] if lx else None,
                    sims,
                )
            )
            per_doc[chunk.doc_id] += 1
            kept_texts.append(words)
            if len(out) >= k:
                break
        return out


def jaccard(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    """Word overlap of two texts' word sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
