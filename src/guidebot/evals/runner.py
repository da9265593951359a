"""Run the golden set through the answer engine and score every question."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from guidebot.answer.engine import AnswerEngine, AnswerResult
from guidebot.documents import Turn
from guidebot.evals.golden import GoldenCase
from guidebot.evals.metrics import (
    aggregate,
    citation_metrics,
    doc_ranking,
    facts_found,
    first_paragraph,
    has_repeat,
    retrieval_metrics,
    speaks_language,
    word_count,
)
from guidebot.privacy import Masker, NoMasker

Progress = Callable[[int, int], None]
RANK_DEPTH = 10


def evaluate_case(
    engine: AnswerEngine, case: GoldenCase, writer: str = "extractive", masker: Masker | None = None
) -> dict[str, Any]:
    """Ask the case's history then its question, masked as the chat API masks them; return the per-question row
    of the run file (``masked`` says whether masking changed the question: a golden question is no member's
    personal data, so each change is a word of the guide masked by mistake, or a name the question asks about)."""
    masker = masker or NoMasker()
    history: list[Turn] = []
    for previous in case.history:
        previous = masker.mask(previous)
        r = engine.ask(previous, history, writer=writer)
        history.append(Turn(previous, r.query, r.language))
    question = masker.mask(case.question)
    start = time.perf_counter()
    result = engine.ask(question, history, writer=writer)
    latency = (time.perf_counter() - start) * 1000
    row = score(engine, case, result, latency)
    row["masked"] = question if question != case.question else None
    return row


def score(engine: AnswerEngine, case: GoldenCase, result: AnswerResult, latency_ms: float) -> dict[str, Any]:
    ranked = engine.searcher.retrieve(result.query, k=RANK_DEPTH, lang=result.retrieval_lang or None)
    ranking = doc_ranking(ranked.passages)
    row: dict[str, Any] = {
        "id": case.id,
        "lang": case.lang,
        "kind": case.kind,
        "split": case.split,
        "file": case.file,
        "question": case.question,
        "history": case.history,
        "query": result.query,
        "refuse": case.refuse,
        "refused": result.refused,
        "reason": result.reason,
        "answer": result.answer,
        "citations": [c.public() for c in result.citations],
        "ranking": ranking,
        "expected_docs": case.expected_docs,
        "latency_ms": round(latency_ms, 1),
        "gate": result.gate,
    }
    if case.expected_docs:
        row.update(retrieval_metrics(ranking, set(case.expected_docs)))
    found, missing = facts_found(result.answer, case.must_contain) if not result.refused else ([], case.must_contain)
    row["facts_missing"] = missing
    row["facts_ok"] = (not result.refused) and not missing if case.answerable else result.refused
    if not result.refused:
        lead = first_paragraph(result.answer)
        row["lead_ok"] = case.answerable and not facts_found(lead, case.must_contain)[1]
        row["repeat"] = has_repeat(result.answer, result.language, f"{case.question} {result.query}")
        row["words"] = word_count(result.answer)
        row["lead_lang_ok"] = speaks_language(lead, case.lang)
    forbidden, _ = facts_found(result.answer, case.must_not_contain)
    row["forbidden"] = forbidden
    by_n = {c.n: p for c in result.citations for p in result.passages if p.chunk.id == c.chunk_id}
    row.update(citation_metrics(result.answer, by_n, result.language))
    return row


def run_golden(
    engine: AnswerEngine,
    cases: list[GoldenCase],
    writer: str = "extractive",
    progress: Progress | None = None,
    masker: Masker | None = None,
) -> dict[str, Any]:
    """Rows for every case, the overall summary, and the summary by language and by kind."""
    rows = []
    for i, case in enumerate(cases, start=1):
        rows.append(evaluate_case(engine, case, writer, masker))
        if progress:
            progress(i, len(cases))
    return {
        "summary": aggregate(rows),
        "by_lang": _grouped(rows, "lang"),
        "by_kind": _grouped(rows, "kind"),
        "rows": rows,
    }


def _grouped(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[str(r[key])].append(r)
    return {k: aggregate(v) for k, v in sorted(groups.items())}
