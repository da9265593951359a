"""The golden set: questions written from the corpus, with what a good answer cites and says."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from guidebot.documents import MAX_QUESTION_CHARS, Lang

Kind = Literal[
    "simple",
    "multi_doc",
    "followup",
    "typo",
    "confused_terms",
    "dated",
    "unanswerable",
    "off_topic",
    "injection",
    "account",
    "yes_no",
    "how_to",
]


class GoldenCase(BaseModel):
    """One question of the golden set."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    split: Literal["train", "dev", "test"]
    lang: Lang
    kind: Kind
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    history: list[str] = Field(default_factory=list)
    expected_docs: list[str] = Field(default_factory=list)
    must_contain: list[str] = Field(default_factory=list)
    must_not_contain: list[str] = Field(default_factory=list)
    refuse: bool = False
    note: str | None = None
    file: str = ""

    @field_validator("must_contain", "must_not_contain")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            re.compile(p)
        return patterns

    @property
    def answerable(self) -> bool:
        return not self.refuse


class GoldenError(ValueError):
    """A golden file that cannot be used."""


def load_golden(folder: Path, split: str | None = None) -> list[GoldenCase]:
    """All cases of every ``*.yaml`` in folder (optionally one split); ids must be unique."""
    cases: list[GoldenCase] = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(data, list):
            raise GoldenError(f"{path.name}: expected a YAML list of questions")
        for i, item in enumerate(data):
            try:
                cases.append(GoldenCase(**{**item, "file": path.name}))
            except (ValidationError, TypeError) as exc:
                raise GoldenError(f"{path.name}, question {i + 1}: {exc}") from exc
    seen: set[str] = set()
    for c in cases:
        if c.id in seen:
            raise GoldenError(f"duplicate golden id {c.id}")
        seen.add(c.id)
    return [c for c in cases if split in (None, "all") or c.split == split]
