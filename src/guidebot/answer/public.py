"""The answer as clients read it, defined once: the HTTP contract's answer and citation (architecture.md),
which the chat API, `guidebot ask --json` and the eval's run files all write."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from guidebot.answer.messages import RefusalKind
from guidebot.documents import Lang

CITATION_EXAMPLE: dict[str, Any] = {
    "n": 1,
    "doc_id": "societariat-prix-part",
    "title": "Combien coûte une part de Smart ?",
    "url": "https://smartbe.be/fr/devenir-associe/",
    "section": "Combien coûte une part ?",
    "snippet": "Une part de la coopérative coûte 30 €.",
}


class CitationOut(BaseModel):
    """A source an answer cites: ``[n]`` in the answer points here."""

    model_config = ConfigDict(json_schema_extra={"examples": [CITATION_EXAMPLE]})

    n: int = Field(description="The marker number used in the answer.", ge=1)
    doc_id: str = Field(description="Stable id of the source document.")
    title: str
    url: str = Field(description="The page where the member can read the source.")
    section: str = Field(description="Heading of the cited passage (may be empty).")
    snippet: str = Field(description="The start of the cited passage, as plain text.")


class AnswerOut(BaseModel):
    """What a member reads: the answer, its sources, and whether (and why) it is a refusal."""

    language: Lang
    answer: str = Field(description="Markdown with citation markers [n].")
    citations: list[CitationOut]
    refused: bool = Field(description="True when the sources do not answer: the answer points to an adviser.")
    refusal: RefusalKind | None = Field(
        None,
        description="Why it is refused, null when answered (added to the contract; a client may ignore it): "
        "`off_topic` (outside what guidebot answers: no adviser is offered), `not_in_guide` (the guide does not "
        "answer it), `account` (the member's own account or case), `instruction` (a message aimed at the "
        "assistant). Every kind but off_topic ends its answer with a paragraph that names the adviser page and "
        "the offices' contact lines.",
    )
