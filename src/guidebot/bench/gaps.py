"""``guidebot bench gaps``: a cold content-gaps report over many stored messages. Figures printed, not asserted.

A scratch SQLite store is filled with ``messages`` refused questions whose query vectors (as the chat stores
them) fall around ``topics`` meanings, then the report is computed three times from a cold start of the query:
read the candidates, take their stored vectors, group them. Target (serving issue): under 1 s for 10,000.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from guidebot.console.gaps import group_gaps, question_matrix
from guidebot.store import ConversationStore, schema
from guidebot.store.review import ReviewStore

DIM = 384
SPREAD = 0.015  # rewordings of one question sit at cosine 0.9 and more from each other


class _NothingToEmbed:
    """Every message has its stored vector: embedding one would be a bug in the report."""

    class embedder:  # noqa: N801 - the attribute QuestionVectors has
        dim = DIM

    def __call__(self, texts: list[str]) -> np.ndarray:
        raise AssertionError(f"{len(texts)} questions embedded although their vectors are stored")


def run_gaps_benchmark(*, messages: int = 10_000, topics: int = 300, runs: int = 3) -> Iterator[str]:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(topics, DIM))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    now = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(prefix="guidebot-gaps-") as scratch:
        store = ConversationStore(f"sqlite:///{Path(scratch) / 'gaps.sqlite3'}")
        conversations, rows = [], []
        for i in range(messages):
            vec = centres[i % topics] + SPREAD * rng.normal(size=DIM)
            vec /= np.linalg.norm(vec)
            at = now - dt.timedelta(minutes=i)
            conversations.append({"id": f"c_{i}", "created_at": at, "updated_at": at, "language": "fr"})
            rows.append(
                {
                    "id": f"m_{i}",
                    "conversation_id": f"c_{i}",
                    "created_at": at,
                    "question": f"question {i}",
                    "query": f"question {i}",
                    "language": "fr",
                    "answer": "-",
                    "refused": True,
                    "reason": "low_similarity",
                    "writer": "extractive",
                    "latency_ms": 1.0,
                    "passages": [],
                    "citations": [],
                    "gate": {"top_dense": 0.8},
                    "question_vector": vec.astype(np.float16).tobytes(),
                }
            )
        with store.engine.begin() as conn:
            conn.execute(schema.conversations.insert(), conversations)
            conn.execute(schema.messages.insert(), rows)
        reviews = ReviewStore(store.engine)
        yield f"store              {messages} refused messages around {topics} questions (SQLite, scratch)"
        for run in range(1, runs + 1):
            t0 = time.perf_counter()
            questions = reviews.gap_questions(0.82, (now - dt.timedelta(days=90)).date(), None)
            t1 = time.perf_counter()
            vectors = question_matrix(questions, _NothingToEmbed())  # type: ignore[arg-type]
            t2 = time.perf_counter()
            groups = group_gaps(questions, vectors, 0.88)
            t3 = time.perf_counter()
            yield (
                f"report {run}           {len(questions)} questions in {len(groups)} groups: {t3 - t0:.2f} s "
                f"(read {t1 - t0:.2f}, vectors {t2 - t1:.2f}, grouping {t3 - t2:.2f}; target < 1 s)"
            )
        store.close()
