"""Request and response bodies of the HTTP contract (architecture.md), with the examples OpenAPI shows."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from guidebot.answer.public import CITATION_EXAMPLE, AnswerOut, CitationOut
from guidebot.documents import MAX_QUESTION_CHARS, Lang

MAX_MESSAGE_CHARS = MAX_COMMENT_CHARS = MAX_QUESTION_CHARS
# Control characters other than tab and newline: PostgreSQL cannot store NUL, and none of them means anything in
# a question.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Language = Lang

_ANSWER_EXAMPLE: dict[str, Any] = {
    "conversation_id": "c_5Hq0hZQ8y2xH7s3k",
    "message_id": "m_N1c4V7pQk2Lr8b0e",
    "language": "fr",
    "answer": "Une part de la coopérative coûte 30 € [1].",
    "citations": [CITATION_EXAMPLE],
    "refused": False,
    "refusal": None,
}
_REFUSAL_EXAMPLE: dict[str, Any] = {
    "conversation_id": "c_5Hq0hZQ8y2xH7s3k",
    "message_id": "m_W2d9Xk3pR7aQ1m5t",
    "language": "fr",
    "answer": "Le guide de Smart ne répond pas à cette question, et je préfère ne pas deviner. "
    "Votre conseiller·ère Smart peut vous aider.\n\nContacter un·e conseiller·ère : https://www.smart.coop",
    "citations": [],
    "refused": True,
    "refusal": "not_in_guide",
}


# Ids are made by the store (``c_``/``m_`` + URL-safe base64); anything else is refused before a query.
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


def clean_text(text: str) -> str:
    """Control characters become spaces; text that is not valid Unicode (a lone surrogate) is refused."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("the text is not valid Unicode") from exc
    return _CONTROL.sub(" ", text).strip()


def required_text(text: str, what: str, max_chars: int) -> str:
    """Cleaned text of 1..max_chars characters (a member's question, an editor's preview question)."""
    text = clean_text(text)
    if not text:
        raise ValueError(f"the {what} is empty")
    if len(text) > max_chars:
        raise ValueError(f"the {what} is longer than {max_chars:,} characters")
    return text


class ChatRequest(BaseModel):
    """A member's question; a known ``conversation_id`` makes it a follow-up."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"message": "Combien coûte une part ?", "conversation_id": None, "language": None},
                {"message": "et pour l'outil Activité ?", "conversation_id": "c_5Hq0hZQ8y2xH7s3k", "language": "fr"},
            ]
        },
    )

    message: str = Field(
        description="The question, 1 to 2,000 characters once control characters are removed and spaces trimmed: "
        "a message of spaces or control characters only is refused with 422 `invalid_request`.",
        json_schema_extra={"minLength": 1, "maxLength": MAX_MESSAGE_CHARS},
    )
    conversation_id: str | None = Field(
        None, pattern=ID_PATTERN, description="null starts a conversation; a known id continues it."
    )
    language: Language | None = Field(None, description="Answer language; null detects it from the question.")

    @field_validator("message")
    @classmethod
    def _message_length(cls, v: str) -> str:
        return required_text(v, "message", MAX_MESSAGE_CHARS)


class ChatResponse(AnswerOut):
    """An answer. Every ``[n]`` in ``answer`` has a citation ``n`` and every citation is used."""

    model_config = ConfigDict(json_schema_extra={"examples": [_ANSWER_EXAMPLE, _REFUSAL_EXAMPLE]})

    conversation_id: str
    message_id: str = Field(description="Id to give feedback on this answer.")


class FeedbackRequest(BaseModel):
    """A member's thumbs up or down on one answer, with an optional comment."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"message_id": "m_N1c4V7pQk2Lr8b0e", "rating": "up"},
                {"message_id": "m_N1c4V7pQk2Lr8b0e", "rating": "down", "comment": "Il manque le cas du 3en1."},
            ]
        },
    )

    message_id: str = Field(pattern=ID_PATTERN)
    rating: Literal["up", "down"]
    comment: str | None = Field(
        None, description="Optional, at most 2,000 characters.", json_schema_extra={"maxLength": MAX_COMMENT_CHARS}
    )

    @field_validator("comment")
    @classmethod
    def _comment(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = clean_text(v)
        if len(v) > MAX_COMMENT_CHARS:
            raise ValueError(f"the comment is longer than {MAX_COMMENT_CHARS:,} characters")
        return v or None


class FeedbackResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"feedback_id": "f_Zb3kQ9mW1xT5pL2v"}]})

    feedback_id: str


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. invalid_request, rate_limited.")
    message: str = Field(description="What was wrong, in English, for the developer.")


class ErrorResponse(BaseModel):
    """Every 4xx (and the rare 5xx) has this body."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"error": {"code": "invalid_request", "message": "message: the message is empty"}}]
        }
    )

    error: ErrorDetail


class HealthResponse(BaseModel):
    status: Literal["ok", "ready", "loading", "failed", "store_unavailable", "index_unavailable"]
    index_build: str | None = None
    detail: str | None = None


class AdviserOfficeOut(BaseModel):
    """An office where members reach an adviser; name and hours in each language (hours may be empty)."""

    name: dict[Language, str]
    phone: str
    email: str
    hours: dict[Language, str]


class WidgetConfig(BaseModel):
    """What the widget needs from the server's settings."""

    adviser_url: str
    adviser_contact: str
    adviser_offices: list[AdviserOfficeOut] = Field(
        description="GUIDEBOT_ADVISER_OFFICES; when empty, the widget shows adviser_contact."
    )
    examples: dict[str, list[str]]
    max_message_chars: int = Field(
        MAX_MESSAGE_CHARS, description="The longest question or feedback comment the chat API accepts."
    )


# What every console operation may answer besides its own result (the JSON error envelope).
CONSOLE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "The body is not JSON, or there is none."},
    401: {"model": ErrorResponse, "description": "No console session (log in first)."},
    403: {"model": ErrorResponse, "description": "The role may not do this, or the CSRF token or origin is wrong."},
    404: {"model": ErrorResponse, "description": "No such conversation, message, document or user."},
    422: {"model": ErrorResponse, "description": "A field is missing or invalid."},
    429: {"model": ErrorResponse, "description": "Too many login attempts; retry after the seconds in Retry-After."},
}


# --- console responses ---------------------------------------------------------------------------------------
class CsrfTokenOut(BaseModel):
    csrf_token: str


class ConsoleUserOut(BaseModel):
    email: str
    role: str


class ConsoleSessionOut(BaseModel):
    """Who is logged in, what their role may do, and the CSRF token their requests carry."""

    user: ConsoleUserOut
    csrf_token: str
    permissions: list[str]
    max_question_chars: int = Field(description="The longest question the preview (and the chat) accepts.")


class DoneOut(BaseModel):
    ok: bool


class ConversationPage(BaseModel):
    """One page of the conversations list (newest first), each with its first question and what became of it."""

    items: list[dict[str, Any]]
    page: int
    per_page: int
    total: int


class AuditEntryOut(BaseModel):
    at: str
    user: str
    action: str
    target: str | None
    detail: dict[str, Any]
    ip: str | None


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    page: int
    per_page: int
    total: int


class _ConsoleOut(BaseModel):
    """A console response: the fields named here are always there; the evidence inside them (passages, gate
    features, counts) is as open as the engine's, so nothing the store holds is dropped on the way out."""

    model_config = ConfigDict(extra="allow")


class ConversationOut(_ConsoleOut):
    id: str
    created_at: str
    updated_at: str
    language: str
    messages: list[dict[str, Any]] = Field(
        description="Each answer with its passages (each leg's rank and score), citations, the gate's features, "
        "the closest article, the sentence that says what decided, feedback and reviews."
    )


class ReviewOut(_ConsoleOut):
    verdict: str
    corrected_answer: str | None
    expected_doc_ids: list[str]
    note: str | None
    reviewer: str
    created_at: str


class DocumentOut(_ConsoleOut):
    doc_id: str
    title: str
    url: str
    lang: str
    source: str
    updated: str | None


class DocumentList(_ConsoleOut):
    items: list[DocumentOut]


class PreviewOut(_ConsoleOut):
    question: str
    query: str
    language: str
    retrieval_lang: str
    refused: bool
    reason: str
    answer: str
    citations: list[CitationOut]
    gate: dict[str, Any]
    passages: list[dict[str, Any]]
    latency_ms: float
    index_build: str | None


class GapsOut(_ConsoleOut):
    total_questions: int
    groups: list[dict[str, Any]]


class GapMarkOut(_ConsoleOut):
    id: str
    status: str
    by: str
    at: str
    questions: int


class StatusOut(_ConsoleOut):
    corpus: dict[str, Any]
    index: dict[str, Any]
    changes: dict[str, Any]
    errors: list[Any]
    serving_build: str | None


class EvalJobOut(_ConsoleOut):
    state: str
    split: str
    started_by: str
    started_at: str
    finished_at: str | None
    returncode: int | None
    run_id: str | None
    error: str | None


class EvalsOut(_ConsoleOut):
    job: EvalJobOut | None
    runs: list[dict[str, Any]]


class EvalStartOut(_ConsoleOut):
    job: EvalJobOut
