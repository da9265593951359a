"""Settings: read from GUIDEBOT_* variables, validated, and every one documented in the README."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsError

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


def test_adviser_offices_are_read_from_json(monkeypatch: pytest.MonkeyPatch) -> None:
    offices = [
        {"name": {"fr": "Liège", "nl": "Luik", "en": "Liège"}, "phone": "+32 4 000 00 00", "hours": "9:00-17:00"},
        {"name": "Gent", "email": "gent@example.org"},
    ]
    monkeypatch.setenv("GUIDEBOT_ADVISER_OFFICES", json.dumps(offices))
    first, second = Settings().adviser_offices
    assert first.name == {"fr": "Liège", "nl": "Luik", "en": "Liège"} and first.phone == "+32 4 000 00 00"
    assert first.hours == {"fr": "9:00-17:00", "nl": "9:00-17:00", "en": "9:00-17:00"}
    assert second.name["nl"] == "Gent" and second.email == "gent@example.org" and second.hours == {}
    assert Settings(adviser_offices=[]).adviser_offices == []


@pytest.mark.parametrize(
    "office",
    [
        {"name": "Gent"},  # neither a phone number nor an e-mail
        {"name": "", "phone": "+32 9 000 00 00"},
        {"name": {"fr": "Gand", "nl": "Gent"}, "phone": "+32 9 000 00 00"},  # no English name
        {"name": {"fr": "Gand", "nl": "Gent", "en": "Ghent", "de": "Gent"}, "phone": "+32 9 000 00 00"},
        {"name": "Gent", "phone": "call us"},
        {"name": "Gent", "phone": "javascript:alert(1)"},
        {"name": "Gent", "email": "gent at example.org"},
        {"name": "Gent", "email": "<a@b.be>"},
        {"name": "Gent" * 40, "email": "gent@example.org"},
        {"name": "Gent", "email": "gent@example.org", "fax": "+32 9 000 00 01"},
    ],
)
def test_bad_adviser_offices_are_refused(monkeypatch: pytest.MonkeyPatch, office: dict[str, object]) -> None:
    monkeypatch.setenv("GUIDEBOT_ADVISER_OFFICES", json.dumps([office]))
    with pytest.raises(ValidationError):
        Settings()


def test_adviser_offices_that_are_not_json_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIDEBOT_ADVISER_OFFICES", "Bruxelles 02 000 00 00")
    with pytest.raises(SettingsError, match="adviser_offices"):
        Settings()
