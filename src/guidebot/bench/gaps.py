"""``guidebot bench gaps``: a cold content-gaps report over many stored messages. Figures printed, not asserted.

A scratch SQLite store is filled with ``messages`` refused questions whose query vectors (as the chat stores
them) fall around ``topics`` meanings (one in ten with a thumbs down and a comment, one in fifty reviewed, two
groups marked by the content team), then the report is computed three times from a cold start of the query, as
the console computes it: read the candidates, take their stored vectors, group them, match the marks, count
each group's weeks. Target (serving issue): under 1 s for 10,000.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from guidebot.console.gaps import gap_report, group_centroid, question_matrix
from guidebot.store import ConversationStore, schema
from guidebot.store.accounts import AccountStore
from guidebot.store.content import ContentStore
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
        feedback = [
            {"id": f"f_{i}", "message_id": f"m_{i}", "created_at": now, "rating": "down", "comment": f"pas clair {i}"}
            for i in range(0, messages, 10)
        ]
        verdicts = [
            {
                "id": f"r_{i}",
                "message_id": f"m_{i}",
                "reviewer_email": "bench@smart.test",
                "created_at": now,
                "verdict": "incomplete",
                "expected_doc_ids": [],
            }
            for i in range(0, messages, 50)
        ]
        with store.engine.begin() as conn:
            conn.execute(schema.conversations.insert(), conversations)
            conn.execute(schema.messages.insert(), rows)
            conn.execute(schema.feedback.insert(), feedback)
            conn.execute(schema.reviews.insert(), verdicts)
        reviews, content = ReviewStore(store.engine), ContentStore(store.engine)
        accounts = AccountStore(store.engine, "bench")
        accounts.add_user("bench@smart.test", "-", "editor")
        editor = accounts.get_user("bench@smart.test")
        assert editor is not None
        for topic, status in ((0, "out_of_scope"), (1, "article_planned")):
            marked = rows[topic : topic + 5 * topics : topics]
            vecs = np.vstack([np.frombuffer(r["question_vector"], dtype=np.float16) for r in marked]).astype(np.float32)
            ids = [r["id"] for r in marked]
            content.add_gap_mark(editor, status, marked[0]["question"], ids, group_centroid(vecs))
        yield f"store              {messages} refused messages around {topics} questions (SQLite, scratch)"
        window = ((now - dt.timedelta(days=90)).date(), now.date())
        for run in range(1, runs + 1):
            t0 = time.perf_counter()
            questions = reviews.gap_questions(0.82, *window)
            t1 = time.perf_counter()
            vectors = question_matrix(questions, _NothingToEmbed())  # type: ignore[arg-type]
            t2 = time.perf_counter()
            report = gap_report(questions, vectors, content.gap_marks(), 0.88, window)
            t3 = time.perf_counter()
            yield (
                f"report {run}           {len(questions)} questions in {len(report.groups)} open groups (2 marked "
                f"hidden): {t3 - t0:.2f} s (read {t1 - t0:.2f}, vectors {t2 - t1:.2f}, grouping, marks and trends "
                f"{t3 - t2:.2f}; target < 1 s)"
            )
        store.close()
