"""`guidebot bench answer`: retrieval and extractive-answer latency, warm, in process, and the CPU time of one
answer as the server computes it (masked, answered, stored) with its query embedding apart: CPU time, unlike
latency, hardly moves when the machine is shared. Printed, not asserted."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from guidebot.config import Settings
from guidebot.index.embedders import Embedder, Vectors, load_embedder


class _TimedEmbedder:
    """An embedder that adds up the CPU time its query embeddings take."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name, self.dim = inner.name, inner.dim
        self.cpu_s = 0.0

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> Vectors:
        start = time.process_time()
        try:
            return self.inner.embed_query(text)
        finally:
            self.cpu_s += time.process_time() - start


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
    yield _served_cpu(settings, list(dict.fromkeys(questions)))


def _served_cpu(settings: Settings, questions: list[str]) -> str:
    """CPU time per answer over the distinct questions, each once, as a server worker computes it: the question
    masked, answered (with the server's embedder threads) and stored in a scratch SQLite store."""
    from guidebot.answer.build import build_engine
    from guidebot.privacy import load_masker
    from guidebot.store import ConversationStore

    served = settings.model_copy(update={"embed_threads": settings.serve_embed_threads})
    embedder = _TimedEmbedder(load_embedder(served))
    engine = build_engine(settings, embedder, "extractive")
    masker = load_masker(settings)
    with tempfile.TemporaryDirectory(prefix="guidebot-bench-") as scratch:
        store = ConversationStore(f"sqlite:///{Path(scratch) / 'answers.sqlite3'}")
        for q in questions:  # warm: each chunk's units analysed once, as a server does over its first answers
            engine.ask(masker.mask(q))
        embedder.cpu_s, start = 0.0, time.process_time()
        for q in questions:
            masked = masker.mask(q)
            store.add_answer(None, masked, engine.ask(masked))
        total = (time.process_time() - start) / len(questions) * 1000
        store.close()
    embedding = embedder.cpu_s / len(questions) * 1000
    return (
        f"served answer CPU  {total:.1f} ms a distinct question ({len(questions)}), of which the query embedding "
        f"{embedding:.1f} ms and the rest (masking, retrieval, evidence, gate, writer, store) "
        f"{total - embedding:.1f} ms"
    )
