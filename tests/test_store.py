"""ConversationStore on SQLite and on a real PostgreSQL server (the ``store_url`` fixture runs each test on both)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url

from guidebot.answer.citations import Citation
from guidebot.answer.engine import AnswerResult
from guidebot.documents import Chunk
from guidebot.retrieval.search import Passage
from guidebot.store import ConversationStore, NotFoundError, schema
from guidebot.store.migrations import MIGRATIONS, migrate

StoreFactory = Callable[[], ConversationStore]


@pytest.fixture
def store(make_store: StoreFactory) -> ConversationStore:
    return make_store()


def chunk(doc_id: str, n: int, *, page: int | None = None, section: str = "Facturer > Délais de paiement") -> Chunk:
    return Chunk(
        id=f"{doc_id}#{n}",
        doc_id=doc_id,
        n=n,
        text=f"Texte du passage {n} de {doc_id}.",
        section=section,
        title=f"Titre {doc_id}",
        url=f"https://smartbe.be/fr/faq/{doc_id}/",
        source="guide",
        lang="fr",
        updated="2026-11-29",
        tokens=42,
        page=page,
    )


def make_result(
    *,
    query: str = "délai de paiement d'une facture",
    language: str = "fr",
    answer: str = "Le client a 30 jours pour payer [1]. Voir aussi le contrat [2].",
    refused: bool = False,
    reason: str = "answered",
    writer: str = "extractive",
    latency_ms: float = 123.456789,
) -> AnswerResult:
    passages = [
        # fused score, dense leg, lexical leg: both legs, dense only, lexical only
        Passage(chunk("facturer", 3), 0.032786885245901641, 0.8712345678901234, 1, 12.375, 2),
        Passage(chunk("contrat-cadre", 7, page=4, section=""), 0.016129032258064516, 0.5, 3, None, None),
        Passage(chunk("rapport-annuel", 1, page=12), 0.015873015873015872, None, None, 3.0625, 1),
    ]
    citations = [
        Citation(1, "facturer", "Titre facturer", "https://smartbe.be/fr/faq/facturer/", "Facturer", "30 jours",
                 None, "facturer#3"),
        Citation(2, "contrat-cadre", "Titre contrat", "https://smartbe.be/fr/contrat/", "", "article 4 « délai »",
                 4, "contrat-cadre#7"),
    ]  # fmt: skip
    gate = {
        "reason": reason,
        "top_score": 0.8712345678901234,
        "margin": -0.125,
        "ok": True,
        "nothing": None,
        "units": [0.5, 0.25, 1e-09],
        "terms": {"délai": 2, "facture": 1},
    }
    return AnswerResult(
        language=language,
        answer=answer,
        citations=citations,
        refused=refused,
        reason=reason,
        query=query,
        writer=writer,
        passages=passages,
        gate=gate,
        latency_ms=latency_ms,
    )


def message_row(store: ConversationStore, message_id: str) -> Any:
    with store.engine.connect() as conn:
        row = conn.execute(select(schema.messages).where(schema.messages.c.id == message_id)).one()
    return row


def count(store: ConversationStore, table: Any) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


# --- migrations ---------------------------------------------------------------------------------------------------


def test_migrations_applied_once_and_recorded(make_store: StoreFactory) -> None:
    store = make_store()
    tables = set(inspect(store.engine).get_table_names())
    assert {"schema_migrations", "conversations", "messages", "feedback"} <= tables
    with store.engine.connect() as conn:
        names = list(conn.execute(select(schema.schema_migrations.c.name).order_by(schema.schema_migrations.c.name)))
    assert [n for (n,) in names] == sorted(name for name, _ in MIGRATIONS)

    assert migrate(store.engine) == []  # nothing left to apply
    assert count(store, schema.schema_migrations) == len(MIGRATIONS)

    cid = store.new_conversation("fr")
    mid = store.add_message(cid, "Quel délai ?", make_result())

    # A second store on the same database neither re-applies a migration nor loses data, and it works.
    again = make_store()
    assert count(again, schema.schema_migrations) == len(MIGRATIONS)
    assert again.exists(cid)
    assert again.get_message(mid).question == "Quel délai ?"
    mid2 = again.add_message(cid, "Et ensuite ?", make_result())
    assert [t.question for t in store.history(cid)] == ["Quel délai ?", "Et ensuite ?"]
    assert store.get_message(mid2).conversation_id == cid


def test_concurrent_first_start_migrates_once(make_store: StoreFactory) -> None:
    """Several workers opening the store on a new database at once (e.g. uvicorn --workers 4)."""
    n = 6
    barrier = threading.Barrier(n)
    errors: list[str] = []
    stores: list[ConversationStore] = []

    def open_store() -> None:
        try:
            barrier.wait(timeout=10)
            stores.append(make_store())
        except Exception as exc:  # reported below, in the test's thread
            lines = str(exc).splitlines()
            sql = next((line for line in lines if line.startswith("[SQL")), "")  # which statement met the lock
            errors.append(f"{type(exc).__name__}: {lines[0]} {sql}")

    threads = [threading.Thread(target=open_store) for _ in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert errors == []
    assert len(stores) == n
    assert count(stores[0], schema.schema_migrations) == len(MIGRATIONS)
    cid = stores[1].new_conversation("fr")
    assert all(s.exists(cid) for s in stores)


# --- conversations and messages -----------------------------------------------------------------------------------


def test_new_conversation_and_exists(store: ConversationStore) -> None:
    a = store.new_conversation("fr")
    b = store.new_conversation("nl")
    assert a != b
    assert a.startswith("c_") and len(a) <= 40
    assert store.exists(a) and store.exists(b)
    assert not store.exists("c_unknown")
    assert not store.exists("")
    with store.engine.connect() as conn:
        rows = dict(conn.execute(select(schema.conversations.c.id, schema.conversations.c.language)).all())
    assert rows == {a: "fr", b: "nl"}
    assert store.history(a) == []


def test_add_message_stores_every_field(store: ConversationStore) -> None:
    cid = store.new_conversation("nl")
    with store.engine.connect() as conn:
        created = conn.execute(select(schema.conversations.c.updated_at)).scalar_one()
    result = make_result(refused=True, reason="low_score", writer="llm:gpt", latency_ms=987.654321)
    mid = store.add_message(cid, "Combien de jours pour payer ma facture ?", result)
    assert mid.startswith("m_") and len(mid) <= 40

    row = message_row(store, mid)
    assert row.conversation_id == cid
    assert row.question == "Combien de jours pour payer ma facture ?"
    assert row.query == "délai de paiement d'une facture"
    assert row.language == "fr"
    assert row.answer == "Le client a 30 jours pour payer [1]. Voir aussi le contrat [2]."
    assert row.refused is True
    assert row.reason == "low_score"
    assert row.writer == "llm:gpt"
    assert row.latency_ms == 987.654321
    assert row.passages == [
        {
            "rank": 1,
            "chunk_id": "facturer#3",
            "doc_id": "facturer",
            "title": "Titre facturer",
            "section": "Facturer > Délais de paiement",
            "score": 0.032786885245901641,
            "dense_score": 0.8712345678901234,
            "dense_rank": 1,
            "lexical_score": 12.375,
            "lexical_rank": 2,
        },
        {
            "rank": 2,
            "chunk_id": "contrat-cadre#7",
            "doc_id": "contrat-cadre",
            "title": "Titre contrat-cadre",
            "section": "",
            "score": 0.016129032258064516,
            "dense_score": 0.5,
            "dense_rank": 3,
            "lexical_score": None,
            "lexical_rank": None,
        },
        {
            "rank": 3,
            "chunk_id": "rapport-annuel#1",
            "doc_id": "rapport-annuel",
            "title": "Titre rapport-annuel",
            "section": "Facturer > Délais de paiement",
            "score": 0.015873015873015872,
            "dense_score": None,
            "dense_rank": None,
            "lexical_score": 3.0625,
            "lexical_rank": 1,
        },
    ]
    expected_citations = [
        {
            "n": 1,
            "doc_id": "facturer",
            "title": "Titre facturer",
            "url": "https://smartbe.be/fr/faq/facturer/",
            "section": "Facturer",
            "snippet": "30 jours",
            "chunk_id": "facturer#3",
            "page": None,
        },
        {
            "n": 2,
            "doc_id": "contrat-cadre",
            "title": "Titre contrat",
            "url": "https://smartbe.be/fr/contrat/",
            "section": "",
            "snippet": "article 4 « délai »",
            "chunk_id": "contrat-cadre#7",
            "page": 4,
        },
    ]
    assert row.citations == expected_citations
    assert row.gate == result.gate
    assert isinstance(row.gate["units"][2], float) and isinstance(row.gate["terms"]["délai"], int)

    stored = store.get_message(mid)
    assert (stored.id, stored.conversation_id, stored.question, stored.query) == (
        mid,
        cid,
        "Combien de jours pour payer ma facture ?",
        "délai de paiement d'une facture",
    )
    assert (stored.language, stored.answer, stored.refused) == ("fr", result.answer, True)
    assert stored.citations == expected_citations

    # The conversation takes the answer's language and the message's time.
    with store.engine.connect() as conn:
        conv = conn.execute(select(schema.conversations)).one()
    assert conv.language == "fr"
    assert conv.updated_at == row.created_at
    assert conv.updated_at > created


def test_add_message_without_passages_or_citations(store: ConversationStore) -> None:
    cid = store.new_conversation("fr")
    result = AnswerResult(
        language="en", answer="I can't answer that.", citations=[], refused=True, reason="off_topic", query="q",
        writer="extractive",
    )  # fmt: skip
    mid = store.add_message(cid, "What is the weather?", result)
    row = message_row(store, mid)
    assert (row.passages, row.citations, row.gate, row.latency_ms, row.refused) == ([], [], {}, 0.0, True)
    with pytest.raises(NotFoundError):
        store.get_message("m_unknown")


def test_history_returns_last_turns_oldest_first(store: ConversationStore) -> None:
    cid = store.new_conversation("fr")
    other = store.new_conversation("fr")
    for i in range(7):
        store.add_message(cid, f"question {i}", make_result(query=f"requête {i}", language="fr" if i % 2 else "nl"))
    store.add_message(other, "ailleurs", make_result())

    turns = store.history(cid)
    assert [t.question for t in turns] == [f"question {i}" for i in range(2, 7)]
    assert [t.query for t in turns] == [f"requête {i}" for i in range(2, 7)]
    assert [t.language for t in turns] == ["nl", "fr", "nl", "fr", "nl"]
    assert [t.question for t in store.history(cid, limit=2)] == ["question 5", "question 6"]
    assert [t.question for t in store.history(cid, limit=50)] == [f"question {i}" for i in range(7)]
    assert [t.question for t in store.history(other)] == ["ailleurs"]

    with pytest.raises(NotFoundError):
        store.history("c_unknown")


# --- feedback -----------------------------------------------------------------------------------------------------


def test_feedback(store: ConversationStore) -> None:
    cid = store.new_conversation("fr")
    mid = store.add_message(cid, "Quel délai ?", make_result())
    up = store.add_feedback(mid, "up", "Très clair, merci ! <b>👍</b>")
    down = store.add_feedback(mid, "down")
    assert up != down and up.startswith("f_")

    with store.engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(select(schema.feedback))}
    assert set(rows) == {up, down}
    assert (rows[up].message_id, rows[up].rating, rows[up].comment) == (mid, "up", "Très clair, merci ! <b>👍</b>")
    assert (rows[down].message_id, rows[down].rating, rows[down].comment) == (mid, "down", None)

    for bad in ("UP", "meh", "", "upvote"):
        with pytest.raises(ValueError):
            store.add_feedback(mid, bad)
    with pytest.raises(NotFoundError):
        store.add_feedback("m_unknown", "up")
    assert count(store, schema.feedback) == 2


# --- text and time ------------------------------------------------------------------------------------------------

NASTY = (
    "<script>alert('x')</script> <img src=x onerror=\"alert(1)\"> &amp; &lt;b&gt; \"quotes\" 'single' `tick` \\n "
    "'; DROP TABLE messages; -- %s %(x)s {0} ? :name $1 "
    "Délai — « guillemets » ½ € ß Ωμέγα Привет 你好 日本語 한국어 עברית العربية "
    "emoji 👩‍👩‍👧 🇧🇪 e\u0301 \u200b zero-width \t tab "
)


def test_unicode_and_long_question_round_trip(store: ConversationStore) -> None:
    question = (NASTY * (2000 // len(NASTY) + 1))[:2000]
    assert len(question) == 2000
    answer = "Réponse : " + NASTY + "\nligne 2\r\nligne 3"
    result = make_result(query=NASTY.strip(), answer=answer)
    result.gate["raw"] = NASTY
    cid = store.new_conversation("fr")
    mid = store.add_message(cid, question, result)

    stored = store.get_message(mid)
    assert stored.question == question
    assert stored.query == NASTY.strip()
    assert stored.answer == answer
    row = message_row(store, mid)
    assert row.question == question and len(row.question) == 2000
    assert row.gate["raw"] == NASTY
    assert store.history(cid)[-1].question == question
    fid = store.add_feedback(mid, "down", NASTY)
    with store.engine.connect() as conn:
        assert conn.execute(select(schema.feedback.c.comment).where(schema.feedback.c.id == fid)).scalar_one() == NASTY


def _assert_utc(value: dt.datetime, lo: dt.datetime, hi: dt.datetime) -> None:
    assert isinstance(value, dt.datetime)
    assert value.tzinfo is not None, f"naive datetime read back: {value!r}"
    assert value.utcoffset() == dt.timedelta(0), f"not UTC: {value!r}"
    assert lo <= value <= hi


def test_timestamps_are_timezone_aware_utc(store_url: str, make_store: StoreFactory) -> None:
    if store_url.startswith("postgresql"):
        # A server whose TimeZone is not UTC (as a Belgian deployment may well be): reads must still be UTC.
        import psycopg

        import pgserver

        with psycopg.connect(pgserver.admin_conninfo(store_url), autocommit=True) as conn:
            conn.execute(f"ALTER DATABASE \"{make_url(store_url).database}\" SET timezone = 'Europe/Brussels'")
    store = make_store()
    lo = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    cid = store.new_conversation("fr")
    mid = store.add_message(cid, "Quel délai ?", make_result())
    store.add_feedback(mid, "up")
    hi = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    with store.engine.connect() as conn:
        conv = conn.execute(select(schema.conversations)).one()
        msg = conn.execute(select(schema.messages.c.created_at)).scalar_one()
        fb = conn.execute(select(schema.feedback.c.created_at)).scalar_one()
        applied = conn.execute(select(schema.schema_migrations.c.applied_at)).scalars().all()
    for value in (conv.created_at, conv.updated_at, msg, fb):
        _assert_utc(value, lo, hi)
    for value in applied:
        _assert_utc(value, lo - dt.timedelta(minutes=5), hi)


# --- concurrency --------------------------------------------------------------------------------------------------


def test_concurrent_writers_lose_no_rows(make_store: StoreFactory) -> None:
    store = make_store()
    cid = store.new_conversation("fr")
    threads_n, per_thread = 6, 8
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []
    ids: list[str] = []
    lock = threading.Lock()

    def writer(t: int) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(per_thread):
                mid = store.add_message(cid, f"t{t} q{i}", make_result(query=f"t{t} q{i}"))
                with lock:
                    ids.append(mid)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(threads_n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not any(th.is_alive() for th in threads), "a writer thread hung"
    assert errors == []

    expected = {f"t{t} q{i}" for t in range(threads_n) for i in range(per_thread)}
    assert len(ids) == len(set(ids)) == len(expected)
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(schema.messages.c.id, schema.messages.c.question).where(schema.messages.c.conversation_id == cid)
        ).all()
    assert {r.id for r in rows} == set(ids)
    assert {r.question for r in rows} == expected
    history = store.history(cid, limit=1000)
    assert {t.question for t in history} == expected
    # Each thread's own messages come back in the order that thread wrote them.
    for t in range(threads_n):
        mine = [turn.question for turn in history if turn.question.startswith(f"t{t} ")]
        assert mine == [f"t{t} q{i}" for i in range(per_thread)]


def test_shared_token_buckets_refill_and_say_how_long_to_wait(store_url: str) -> None:
    store = ConversationStore(store_url)
    try:
        take = store.take_token
        assert [take("a", 2, 1.0, 100.0), take("a", 2, 1.0, 100.0)] == [0.0, 0.0]
        assert take("a", 2, 1.0, 100.0) == pytest.approx(1.0)  # empty: the next token in one second
        assert take("b", 2, 1.0, 100.0) == 0.0  # another client has its own bucket
        assert take("a", 2, 1.0, 100.5) == pytest.approx(0.5)  # half a token back; a refusal takes nothing
        assert take("a", 2, 1.0, 101.0) == 0.0
        assert take("a", 2, 1.0, 111.0) == 0.0 and take("a", 2, 1.0, 111.0) == 0.0  # never above capacity
        assert take("a", 2, 1.0, 111.0) > 0
    finally:
        store.close()
