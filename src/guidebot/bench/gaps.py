"""``guidebot bench gaps``: a cold content-gaps report over many stored messages. Figures printed, not asserted.

A scratch SQLite store is filled with ``messages`` refused questions whose query vectors (as the chat stores
them) fall around ``topics`` meanings (one in ten with a thumbs down and a comment, one in fifty reviewed, two
groups marked by the content team; each with the eight passage records and the gate figures an answer stores),
then the report is computed three times from a cold start of the query, as the console's route computes it: read
the candidates, take their stored vectors, group them, match the marks, count each group's weeks, and write the
response. Target (serving issue): under 1 s for 10,000.
"""

from __future__ import annotations

import datetime as dt
import json
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
PASSAGES = 8  # what an answer keeps (answer_passages)
GATE = {
    "reason": "low_similarity",
    "top_dense": 0.8,
    "dense_margin": 0.0059,
    "best_unit_sim": 0.79,
    "agree": False,
    "coverage_known": True,
    "coverage": 0.5,
    "idf_coverage": 0.4,
    "ranker_best": 0.3,
    "key_terms": ["cout", "part"],
    "answer_type": "amount",
}


def _passages(i: int, topics: int) -> list[dict[str, object]]:
    """The passage records of an answer, as the chat stores them (``AnswerResult.passage_records``)."""
    return [
        {
            "rank": rank,
            "chunk_id": f"article-{(i + rank) % topics}#{rank % 3}",
            "doc_id": f"article-{(i + rank) % topics}",
            "title": f"Comment faire {(i + rank) % topics} avec Smart ?",
            "section": f"Section {rank % 3} de l'article",
            "score": 0.03278688524590164 / rank,
            "dense_score": 0.9131182432174683 - rank / 100,
            "dense_rank": rank,
            "lexical_score": 3.005596399307251 / rank,
            "lexical_rank": rank,
        }
        for rank in range(1, PASSAGES + 1)
    ]


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
                    "passages": _passages(i, topics),
                    "citations": [],
                    "gate": GATE,
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
            t0, cpu = time.perf_counter(), time.process_time()
            questions = reviews.gap_questions(0.82, *window)
            t1 = time.perf_counter()
            vectors = question_matrix(questions, _NothingToEmbed())  # type: ignore[arg-type]
            t2 = time.perf_counter()
            report = gap_report(questions, vectors, content.gap_marks(), 0.88, window)
            t3 = time.perf_counter()
            body = {"total_questions": report.total_questions, "groups": [g.public() for g in report.groups]}
            size = len(json.dumps(body, ensure_ascii=False))
            t4, cpu = time.perf_counter(), time.process_time() - cpu
            yield (
                f"report {run}           {len(questions)} questions in {len(report.groups)} open groups (2 marked "
                f"hidden): {t4 - t0:.2f} s, {cpu:.2f} s of CPU (read {t1 - t0:.2f}, vectors {t2 - t1:.2f}, grouping, "
                f"marks and trends {t3 - t2:.2f}, response {t4 - t3:.2f}: {size / 1e6:.1f} MB; target < 1 s)"
            )
        store.close()
