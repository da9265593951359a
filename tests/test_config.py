"""Settings: read from GUIDEBOT_* variables, validated, and every one documented in the README."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from conftest import ROOT
from guidebot.config import Settings


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIDEBOT_CHUNK_TOKENS", "400")
    monkeypatch.setenv("GUIDEBOT_CHROMA_URL", "")
    monkeypatch.setenv("GUIDEBOT_EMBEDDER", "sentence-transformers")
    s = Settings()
    assert (s.chunk_tokens, s.chroma_url, s.embedder) == (400, None, "sentence-transformers")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GUIDEBOT_EMBEDDER", "openai"),
        ("GUIDEBOT_CHUNK_TOKENS", "10"),
        ("GUIDEBOT_CRAWL_CONCURRENCY", "8"),
        ("GUIDEBOT_INDEX_NAME", "../escape"),
        ("GUIDEBOT_KEEP_VERSIONS", "1"),
    ],
)
def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


def test_every_setting_is_in_the_readme_table() -> None:
    from guidebot.config import settings_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert settings_table() in readme, "README settings table is stale: paste `guidebot settings --markdown`"
    for name, field in Settings.model_fields.items():
        assert f"`GUIDEBOT_{name.upper()}`" in readme, name
        assert field.description, name


def test_readme_opens_with_the_two_commands() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```bash") + 1 : lines.index("```")]
    assert [ln.split("#")[0].strip() for ln in block] == ["make run", "make test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
