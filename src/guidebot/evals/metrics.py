"""Retrieval and answer metrics for one golden question, and their aggregation."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from guidebot.answer.analysis import is_table_row, restates, word_runs
from guidebot.answer.citations import supports as passage_supports  # the same test the engine applies
from guidebot.answer.messages import FRAMING
from guidebot.index.lexical import tokenize
from guidebot.retrieval.language import detect_language
from guidebot.retrieval.search import Passage

_MARKER = re.compile(r"\[(\d+)\]")


def doc_ranking(passages: Sequence[Passage]) -> list[str]:
    """Document ids in rank order, each once."""
    return list(dict.fromkeys(p.chunk.doc_id for p in passages))


def retrieval_metrics(ranking: list[str], expected: set[str]) -> dict[str, float]:
    """recall@1, recall@5 (any expected document in the top k), MRR@10, nDCG@10 (binary relevance)."""
    first = next((i for i, d in enumerate(ranking[:10]) if d in expected), None)
    gains = [1.0 if d in expected else 0.0 for d in ranking[:10]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(expected), 10)))
    return {
        "recall@1": 1.0 if first == 0 else 0.0,
        "recall@5": 1.0 if first is not None and first < 5 else 0.0,
        "mrr@10": 0.0 if first is None else 1.0 / (first + 1),
        "ndcg@10": dcg / ideal if ideal else 0.0,
    }


def answer_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """(claim, markers) for each cited or uncited sentence of an answer; framing lines are skipped."""
    out: list[tuple[str, list[int]]] = []
    for line in answer.splitlines():
        body = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", line).strip()
        if not body or body.endswith(":") and not _MARKER.search(body):
            continue
        for part in re.split(r"(?<=\])\s+(?=\S)", body):
            markers = [int(m) for m in _MARKER.findall(part)]
            claim = _MARKER.sub("", part).strip()
            if claim:
                out.append((claim, markers))
    return out


def citation_metrics(answer: str, cited_passages: dict[int, Passage], lang: str) -> dict[str, float]:
    """Share of markers naming a given citation whose passage supports the sentence; share of uncited sentences."""
    sentences = answer_sentences(answer)
    markers = [(claim, n) for claim, ns in sentences for n in ns]
    valid = [
        1.0 if n in cited_passages and passage_supports(claim, [cited_passages[n]], lang) else 0.0
        for claim, n in markers
    ]
    uncited = [1.0 if not ns else 0.0 for _claim, ns in sentences]
    return {
        "citation_validity": sum(valid) / len(valid) if valid else 1.0,
        "unsupported_share": sum(uncited) / len(uncited) if uncited else 0.0,
    }


def facts_found(answer: str, patterns: Iterable[str]) -> tuple[list[str], list[str]]:
    """(patterns found, patterns missing) in an answer, case-insensitive."""
    found: list[str] = []
    missing: list[str] = []
    for p in patterns:
        (found if re.search(p, answer, re.IGNORECASE) else missing).append(p)
    return found, missing


def first_paragraph(answer: str) -> str:
    """What a member reads first: the answer up to its first blank line."""
    return answer.strip().split("\n\n", 1)[0]


def answer_lines(answer: str) -> list[str]:
    """The lead and each point of an answer, markers and bullets removed; framing lines skipped."""
    lines = []
    for line in answer.splitlines():
        body = _MARKER.sub("", re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", line)).strip()
        for lead_in in (t for table in FRAMING.values() for t in table.values()):
            body = body.removeprefix(lead_in).strip()
        if body:
            lines.append(body)
    return lines


def has_repeat(answer: str, lang: str, question: str = "") -> bool:
    """Does one line of the answer restate another (the writer's own test, analysis.restates)? The question's
    own terms may recur: they name what was asked about."""
    topic = frozenset(tokenize(question, lang))
    lines = answer_lines(answer)
    tokens = [frozenset(tokenize(line, lang)) for line in lines]
    runs = [word_runs(line) for line in lines]
    rows = [is_table_row(line) for line in lines]
    for i in range(len(lines)):
        for j in range(i + 1, len(lines)):
            if rows[i] and rows[j]:  # two rows of one table share their headers, not a fact
                continue
            if restates(tokens[i], tokens[j], runs[i], runs[j], topic, lang):
                return True
    return False


def word_count(answer: str) -> int:
    """Words a member reads: markers left out."""
    return sum(1 for w in _MARKER.sub("", answer).split() if re.search(r"\w", w))


def speaks_language(paragraph: str, lang: str) -> bool:
    """Is the paragraph in the member's language, or opened by guidebot's line in that language saying the quote
    that follows is in another one?"""
    if any(paragraph.startswith(t) for t in (table.get(lang, "\0") for table in FRAMING.values())):
        return True
    return detect_language(_MARKER.sub("", paragraph)) == lang


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def mean(values: Iterable[float]) -> float | None:
    vals = list(values)
    return sum(vals) / len(vals) if vals else None


def aggregate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Summary figures over per-question rows (see runner.evaluate_case)."""
    answerable = [r for r in rows if not r["refuse"]]
    must_refuse = [r for r in rows if r["refuse"]]
    refused = [r for r in rows if r["refused"]]
    answered = [r for r in answerable if not r["refused"]]
    out: dict[str, Any] = {"questions": len(rows), "answerable": len(answerable), "must_refuse": len(must_refuse)}
    for key in ("recall@1", "recall@5", "mrr@10", "ndcg@10"):
        out[key] = mean(r[key] for r in answerable if key in r)
    out["fact_accuracy"] = mean(1.0 if r["facts_ok"] else 0.0 for r in answerable)
    out["lead_accuracy"] = mean(1.0 if r.get("lead_ok") else 0.0 for r in answerable)
    out["repeats"] = mean(1.0 if r.get("repeat") else 0.0 for r in answered)
    out["median_words"] = percentile([r["words"] for r in answered if "words" in r], 0.5) if answered else None
    out["lead_language"] = mean(1.0 if r.get("lead_lang_ok") else 0.0 for r in answered)
    out["fact_accuracy_when_answered"] = mean(1.0 if r["facts_ok"] else 0.0 for r in answered)
    out["forbidden_content"] = mean(1.0 if r["forbidden"] else 0.0 for r in rows)
    out["citation_validity"] = mean(r["citation_validity"] for r in rows if not r["refused"])
    out["unsupported_share"] = mean(r["unsupported_share"] for r in rows if not r["refused"])
    correct_refusals = sum(1 for r in refused if r["refuse"])
    out["refusal_precision"] = correct_refusals / len(refused) if refused else None
    out["refusal_recall"] = correct_refusals / len(must_refuse) if must_refuse else None
    out["false_refusals"] = (sum(1 for r in answerable if r["refused"]) / len(answerable)) if answerable else None
    out["masked_questions"] = mean(1.0 if r.get("masked") else 0.0 for r in rows)
    latencies = [r["latency_ms"] for r in rows]
    out["latency_p50_ms"] = percentile(latencies, 0.5)
    out["latency_p95_ms"] = percentile(latencies, 0.95)
    return out
