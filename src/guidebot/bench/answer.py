"""`guidebot bench answer`: retrieval and extractive-answer latency, warm, in process, printed, not asserted."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from guidebot.config import Settings
from guidebot.index.embedders import load_embedder


def run_answer_benchmark(settings: Settings, *, golden: Path, rounds: int = 3) -> Iterator[str]:
    """Retrieval and full extractive-answer latency, warm, in process, on the golden questions."""
    from guidebot.answer.build import build_engine
    from guidebot.evals.golden import load_golden
    from guidebot.evals.metrics import percentile

    embedder = load_embedder(settings)
    engine = build_engine(settings, embedder, "extractive")
    questions = [c.question for c in load_golden(golden) if not c.history]
    for q in questions[:20]:  # warm-up: language detector, caches
        engine.ask(q)
    retrieval: list[float] = []
    answers: list[float] = []
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            engine.searcher.retrieve(q, k=settings.answer_passages)
            retrieval.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            engine.ask(q)
            answers.append((time.perf_counter() - t) * 1000)
    yield f"questions          {len(questions)} golden questions x {rounds} rounds, warm, in process"
    yield (
        f"retrieval          p50 {percentile(retrieval, 0.5):.1f} ms, p95 {percentile(retrieval, 0.95):.1f} ms "
        f"(target p95 < 40 ms)"
    )
    yield (
        f"extractive answer  p50 {percentile(answers, 0.5):.1f} ms, p95 {percentile(answers, 0.95):.1f} ms "
        f"(target p95 < 150 ms; retrieval, gate, writer and citation check)"
    )
