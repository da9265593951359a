"""Retention: `ConversationStore.purge` on SQLite and PostgreSQL, `guidebot store purge`, and the server's
own daily purge."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select, update

from guidebot.store import ConversationStore, schema
from guidebot.store.accounts import AccountStore
from guidebot.store.retention import purge_older_than
from test_store import StoreFactory, make_result


def _age(store: ConversationStore, conversation_id: str, days: int) -> None:
    at = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    with store.engine.begin() as conn:
        conn.execute(
            update(schema.conversations).where(schema.conversations.c.id == conversation_id).values(updated_at=at)
        )


def _counts(store: ConversationStore) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (schema.conversations, schema.messages, schema.feedback, schema.reviews)
        }


def _conversation(store: ConversationStore, age_days: int) -> str:
    cid, mid = store.add_answer(None, "Combien coûte une part ?", make_result())
    store.add_answer(cid, "Et deux parts ?", make_result())
    store.add_feedback(mid, "down", "pas clair")
    with store.engine.begin() as conn:
        conn.execute(
            schema.reviews.insert().values(
                id=f"r_{cid}",
                message_id=mid,
                reviewer_email="a@smart.coop",
                created_at=dt.datetime.now(dt.UTC),
                verdict="correct",
                expected_doc_ids=[],
            )
        )
    _age(store, cid, age_days)
    return cid


def test_purge_deletes_old_conversations_with_everything_they_hold(make_store: StoreFactory) -> None:
    store = make_store()
    old, recent = _conversation(store, 400), _conversation(store, 10)
    accounts = AccountStore(store.engine, "x" * 32)
    counts = purge_older_than(store, accounts, 365)
    assert counts == {"feedback": 1, "reviews": 1, "messages": 2, "conversations": 1}
    assert not store.exists(old) and store.exists(recent)
    assert _counts(store) == {"conversations": 1, "messages": 2, "feedback": 1, "reviews": 1}
    entries, _ = accounts.audit_entries("purge")
    assert entries[0].detail == counts and entries[0].target == "older than 365 days"
    assert purge_older_than(store, accounts, 365) == {"feedback": 0, "reviews": 0, "messages": 0, "conversations": 0}


def _cli(db: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "guidebot.cli", "store", "purge", *args],
        env={**os.environ, "GUIDEBOT_DATABASE_URL": f"sqlite:///{db}", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_purges_by_days_or_by_the_retention_setting(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    store = ConversationStore(f"sqlite:///{db}")
    try:
        _conversation(store, 40)
        _conversation(store, 5)
        done = _cli(db, "--older-than", "30")
        assert done.returncode == 0, done.stderr
        assert "1 conversations" in done.stdout and "2 messages" in done.stdout
        assert _counts(store)["conversations"] == 1
        refused = _cli(db, GUIDEBOT_RETENTION_DAYS="0")
        assert refused.returncode != 0 and "--older-than" in refused.stderr + refused.stdout
        done = _cli(db, GUIDEBOT_RETENTION_DAYS="3")
        assert done.returncode == 0 and _counts(store)["conversations"] == 0
        assert _cli(db, "--older-than", "0").returncode != 0  # at least one day
    finally:
        store.close()


def test_the_server_purges_at_start(tmp_path: Path) -> None:
    """A worker deletes what is past the retention as soon as it is ready (then once a day)."""
    import time
    from types import SimpleNamespace

    from guidebot.api import ChatService
    from guidebot.config import Settings

    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = ConversationStore(url)
    old, recent = _conversation(store, 40), _conversation(store, 5)
    index = SimpleNamespace(searcher=SimpleNamespace(snapshot=SimpleNamespace(build_id="b1")))
    settings = Settings(database_url=url, retention_days=30, index_dir=tmp_path / "indexes", cache_dir=tmp_path / "c")
    service = ChatService(settings, embedder=object(), engine_factory=lambda *_: index)  # type: ignore[arg-type]
    try:
        service.load()
        assert service.ready, service.error
        deadline = time.monotonic() + 30
        while store.exists(old) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not store.exists(old) and store.exists(recent)
    finally:
        service.close()
        store.close()


def test_the_command_masks_what_was_stored_before_masking(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    store = ConversationStore(f"sqlite:///{db}")
    try:
        cid, mid = store.add_answer(
            None, "Mon IBAN BE68 5390 0754 7034 est-il bon ?", make_result(query="iban BE68 5390 0754 7034")
        )
        store.add_feedback(mid, "down", "appelez-moi au 0475 12 34 56")
        store.add_answer(cid, "Combien coûte une part ?", make_result())
        done = subprocess.run(
            [sys.executable, "-m", "guidebot.cli", "store", "mask"],
            env={**os.environ, "GUIDEBOT_DATABASE_URL": f"sqlite:///{db}"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        assert "1 messages and 1 feedback comments masked" in done.stdout
        message = store.get_message(mid)
        assert message.question == "Mon IBAN [IBAN] est-il bon ?" and message.query == "iban [IBAN]"
        with store.engine.connect() as conn:
            assert conn.execute(select(schema.feedback.c.comment)).scalar_one() == "appelez-moi au [téléphone]"
            vector = conn.execute(select(schema.messages.c.question_vector).where(schema.messages.c.id == mid))
            assert vector.scalar_one() is None
        files = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("store.sqlite3"))
        assert b"BE68 5390" not in files and b"0475 12 34 56" not in files
    finally:
        store.close()


def test_remask_and_compact_on_both_backends(make_store: StoreFactory) -> None:
    store = make_store()
    _, mid = store.add_answer(None, "Mail: marie.dubois@gmail.com", make_result(query="mail marie.dubois@gmail.com"))
    counts = store.remask(lambda text: text.replace("marie.dubois@gmail.com", "[e-mail]"))
    store.compact()
    assert counts == {"messages": 1, "feedback": 0}
    message = store.get_message(mid)
    assert (message.question, message.query) == ("Mail: [e-mail]", "mail [e-mail]")
    assert store.remask(lambda text: text) == {"messages": 0, "feedback": 0}
