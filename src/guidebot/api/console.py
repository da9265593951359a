"""The adviser console: its API under ``/api/console/`` and its pages under ``/console``.

Routes are thin: check the session and role (``require``), call the stores or the engine, audit what changes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from guidebot.answer.engine import AnswerEngine
from guidebot.api.chat import get_service
from guidebot.api.console_auth import (
    PAGE_HEADERS,
    SHELL,
    CanAudit,
    CanPreview,
    CanReview,
    CanSeeGaps,
    CanSeeStatus,
    CanView,
    page_user,
)
from guidebot.api.errors import ApiError
from guidebot.api.limits import client_ip
from guidebot.api.schemas import (
    CONSOLE_ERRORS,
    ID_PATTERN,
    MAX_MESSAGE_CHARS,
    AuditPage,
    ConversationOut,
    ConversationPage,
    DocumentList,
    DoneOut,
    GapMarkOut,
    GapsOut,
    Language,
    PreviewOut,
    ReviewOut,
    StatusOut,
    clean_text,
    required_text,
)
from guidebot.api.service import ChatService
from guidebot.console.corpus import corpus_usage
from guidebot.console.evidence import closest_article, explanation
from guidebot.console.gaps import GapReport, GapView, gap_report, gaps_csv, group_centroid, question_matrix
from guidebot.documents import ToolName
from guidebot.store.content import GapStatus
from guidebot.store.review import VERDICTS, ConversationFilters

# Bounded dates (a date in year 9999 would overflow the day after it), text without control characters, store ids.
Day = Annotated[dt.date | None, Query(ge=dt.date(2000, 1, 1), le=dt.date(2999, 12, 31))]
SearchText = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
StoreId = Annotated[str, PathParam(pattern=ID_PATTERN)]

api = APIRouter(prefix="/api/console", tags=["console"], responses=CONSOLE_ERRORS)
pages = APIRouter(prefix="/console", include_in_schema=False)
GAP_WINDOW_DAYS = 90  # the gaps report and the corpus status read the last three months unless asked
MAX_GROUP_QUESTIONS = 5000
# The console's style sheet, and its script: the ES modules of web/console/js/, each served under its own file name
# (they import each other by relative path, so all of them sit directly under /console/assets/). A module name is
# lower case letters, digits and dashes, so no name reaches outside that folder.
ASSETS = {"console.css": "text/css"}
MODULES_DIR = "js"
MODULE_NAME = re.compile(r"[a-z][a-z0-9-]*\.js")


async def _engine(service: ChatService) -> AnswerEngine:
    """The engine on the newest index, fetched off the event loop (it may open a newly built version)."""
    return await run_in_threadpool(lambda: service.engine)


async def _documents(service: ChatService) -> dict[str, dict[str, Any]]:
    """The served index's documents by id (title, url, lang, source, updated)."""
    docs: dict[str, dict[str, Any]] = (await _engine(service)).searcher.snapshot.manifest["documents"]
    return docs


def _window(since: dt.date | None, until: dt.date | None) -> tuple[dt.date, dt.date]:
    """The period a report reads: the days asked, by default the last GAP_WINDOW_DAYS up to today."""
    today = dt.datetime.now(dt.UTC).date()
    return since or today - dt.timedelta(days=GAP_WINDOW_DAYS), until or today


def _folded(text: str) -> str:
    """Lower case without accents: "cout" finds "Combien coûte une part ?"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


# --- conversations and reviews ---------------------------------------------------------------------------------
@api.get(
    "/conversations", response_model=ConversationPage, summary="Conversations, filtered and paginated (newest first)"
)
async def conversations(
    request: Request,
    session: CanView,
    refused: bool | None = None,
    feedback: Literal["up", "down"] | None = None,
    language: Language | None = None,
    since: Day = None,
    until: Day = None,
    tool: ToolName | None = None,
    reviewed: bool | None = None,
    q: SearchText = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 25,
) -> dict[str, Any]:
    filters = ConversationFilters(refused, feedback, language, since, until, tool, reviewed, (q or "").strip() or None)
    items, total = await run_in_threadpool(
        get_service(request).reviews.list_conversations, filters, (page - 1) * per_page, per_page
    )
    return {"items": items, "page": page, "per_page": per_page, "total": total}


@api.get(
    "/conversations/{conversation_id}",
    response_model=ConversationOut,
    summary="A conversation with the evidence behind each answer",
)
async def conversation(conversation_id: StoreId, request: Request, session: CanView) -> dict[str, Any]:
    service = get_service(request)
    found = await run_in_threadpool(service.reviews.conversation, conversation_id)
    documents = await _documents(service)
    for message in found["messages"]:
        message["closest_article"] = closest_article(message["passages"], documents)
        message["explanation"] = explanation(message)
    # members' words: who read them is on record too
    await run_in_threadpool(
        service.accounts.audit, session.user, "view_conversation", conversation_id, {}, client_ip(request)
    )
    return found


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: Literal["correct", "incorrect", "incomplete"]
    corrected_answer: str | None = Field(None, max_length=10_000)
    expected_doc_ids: list[str] = Field(default_factory=list, max_length=20)
    note: str | None = Field(None, max_length=4000)

    @field_validator("corrected_answer", "note")
    @classmethod
    def _blank_is_none(cls, v: str | None) -> str | None:
        return clean_text(v) or None if v is not None else None

    @field_validator("expected_doc_ids")
    @classmethod
    def _ids(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(clean_text(d) for d in v if clean_text(d)))


@api.post(
    "/messages/{message_id}/review",
    response_model=ReviewOut,
    summary="Mark an answer correct, incorrect or incomplete; correct it",
)
async def review(
    message_id: StoreId,
    body: ReviewRequest,
    request: Request,
    session: CanReview,
) -> dict[str, Any]:
    service = get_service(request)
    engine = await _engine(service)
    known = set(engine.searcher.snapshot.manifest["documents"])
    unknown = [d for d in body.expected_doc_ids if d not in known]
    if unknown:
        raise ApiError(
            422,
            "invalid_request",
            f"unknown document id(s): {', '.join(unknown)}",
            details={"reason": "unknown_documents", "doc_ids": unknown},
        )
    if body.verdict == "incomplete" and not body.corrected_answer:
        # what is missing is the point of an "incomplete" verdict: the eval case takes its figures from it
        raise ApiError(422, "corrected_answer_required", "an incomplete answer needs the corrected, complete answer")
    if body.verdict != "correct" and not (body.corrected_answer or body.expected_doc_ids or body.note):
        raise ApiError(
            422,
            "invalid_request",
            "say what is wrong: a corrected answer, the right sources or a note",
            details={"reason": "review_needs_detail"},
        )
    assert body.verdict in VERDICTS
    return await run_in_threadpool(
        service.reviews.add_review,
        message_id,
        session.user,
        body.verdict,
        body.corrected_answer,
        body.expected_doc_ids,
        body.note,
        client_ip(request),
    )


@api.get(
    "/documents",
    response_model=DocumentList,
    summary="Documents of the served index (to name the sources an answer should cite)",
)
async def documents(
    request: Request,
    session: CanView,
    q: SearchText = None,
) -> dict[str, Any]:
    docs = await _documents(get_service(request))
    needle = _folded((q or "").strip())
    items = [
        {
            "doc_id": doc_id,
            "title": e["title"],
            "url": e["url"],
            "lang": e["lang"],
            "source": e["source"],
            "updated": e.get("updated"),
        }
        for doc_id, e in sorted(docs.items(), key=lambda item: (_folded(item[1]["title"]), item[0]))
        if not needle or needle in doc_id.lower() or needle in _folded(e["title"])
    ]
    return {"items": items[:200]}


# --- the content team ----------------------------------------------------------------------------------------
class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    language: Language | None = None

    @field_validator("question")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        return required_text(v, "question", MAX_MESSAGE_CHARS)


@api.post(
    "/preview",
    response_model=PreviewOut,
    summary="What production retrieval and the refusal gate decide for a question",
)
async def preview(body: PreviewRequest, request: Request, session: CanPreview) -> dict[str, Any]:
    service = get_service(request)
    engine = await _engine(service)
    loop = asyncio.get_running_loop()
    # the same engine, thresholds, writer and masking as the chat API; nothing is stored
    result = await loop.run_in_executor(
        service.executor,
        lambda: engine.ask(service.masker.mask(body.question), [], language=body.language, writer=service.writer),
    )
    settings = service.settings
    thresholds = {name: getattr(settings, name) for name in type(settings).model_fields if name.startswith("gate_")}
    return {
        "question": body.question,
        "query": result.query,
        "language": result.language,
        "retrieval_lang": result.retrieval_lang,
        "refused": result.refused,
        "reason": result.reason,
        "answer": result.answer,
        "citations": [c.public() for c in result.citations],
        "gate": {**result.gate, "answer": result.gate.get("reason") == "answered", "thresholds": thresholds},
        "passages": [{"rank": i, **p.to_dict()} for i, p in enumerate(result.passages, start=1)],
        "latency_ms": round(result.latency_ms, 1),
        "index_build": service.index_build,
    }


@dataclass(frozen=True)
class GapQuery:
    """The query parameters of the gaps report and of its CSV export."""

    since: Day = None
    until: Day = None
    min_count: Annotated[int, Query(ge=1, le=1000)] = 1
    view: GapView = "open"


async def _gap_report(request: Request, query: GapQuery) -> GapReport:
    """The report, computed in a worker thread: its reads and its grouping (0.6 s of CPU over 10,000 questions)
    never hold up the event loop, which keeps serving chat answers meanwhile."""
    service = get_service(request)
    window = _window(query.since, query.until)
    return await run_in_threadpool(_compute_gap_report, service, window, query)


def _compute_gap_report(service: ChatService, window: tuple[dt.date, dt.date], query: GapQuery) -> GapReport:
    settings = service.settings
    questions = service.reviews.gap_questions(settings.gap_low_confidence, *window)
    vectors = question_matrix(questions, service.question_vectors)
    marks = service.content.gap_marks()
    return gap_report(questions, vectors, marks, settings.gap_similarity, window, query.min_count, query.view)


@api.get(
    "/gaps",
    response_model=GapsOut,
    summary="Refused, reviewed-wrong, low-confidence and thumbs-down questions, grouped by meaning",
)
async def gaps(
    request: Request,
    session: CanSeeGaps,
    query: Annotated[GapQuery, Depends()],
) -> dict[str, Any]:
    report = await _gap_report(request, query)
    groups = await run_in_threadpool(lambda: [g.public() for g in report.groups])
    return {"total_questions": report.total_questions, "groups": groups}


@api.get("/gaps.csv", summary="The content-gap groups as CSV", response_class=Response)
async def gaps_export(
    request: Request,
    session: CanSeeGaps,
    query: Annotated[GapQuery, Depends()],
) -> Response:
    report = await _gap_report(request, query)
    since, until = query.since, query.until
    service = get_service(request)
    detail = {
        "since": str(since) if since else None,
        "until": str(until) if until else None,
        "groups": len(report.groups),
        "view": query.view,
    }
    await run_in_threadpool(service.accounts.audit, session.user, "export_gaps", "gaps.csv", detail, client_ip(request))
    name = f"guidebot-gaps-{dt.date.today().isoformat()}.csv"
    body = await run_in_threadpool(gaps_csv, report.groups)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


class GapMarkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: GapStatus
    message_ids: list[Annotated[str, Field(pattern=ID_PATTERN, max_length=40)]] = Field(
        min_length=1, max_length=MAX_GROUP_QUESTIONS
    )


@api.post(
    "/gaps/marks",
    response_model=GapMarkOut,
    summary="Mark a gap group out of scope or article planned (it leaves the default view)",
)
async def mark_gap(body: GapMarkRequest, request: Request, session: CanSeeGaps) -> dict[str, Any]:
    service = get_service(request)
    questions = await run_in_threadpool(service.content.mark_questions, list(dict.fromkeys(body.message_ids)))
    if not questions:
        raise ApiError(404, "message_not_found", "none of these messages is stored")
    label = questions[0]["question"]
    ids = [q["message_id"] for q in questions]
    centroid = group_centroid(await run_in_threadpool(question_matrix, questions, service.question_vectors))
    mark = await run_in_threadpool(
        service.content.add_gap_mark, session.user, body.status, label, ids, centroid, client_ip(request)
    )
    return {**mark.public(), "questions": len(ids)}


@api.delete(
    "/gaps/marks/{mark_id}",
    response_model=DoneOut,
    summary="Take a mark off a gap group (it shows in the default view again)",
)
async def unmark_gap(mark_id: StoreId, request: Request, session: CanSeeGaps) -> dict[str, bool]:
    service = get_service(request)
    await run_in_threadpool(service.content.remove_gap_mark, mark_id, session.user, client_ip(request))
    return {"ok": True}


@api.get(
    "/status",
    response_model=StatusOut,
    summary="The served index, its build, and how the period's answers used its articles",
)
async def status(
    request: Request,
    session: CanSeeStatus,
    since: Day = None,
    until: Day = None,
) -> dict[str, Any]:
    service = get_service(request)
    manifest = (await _engine(service)).searcher.snapshot.manifest
    counts = manifest.get("counts", {})
    window = _window(since, until)
    cited = await run_in_threadpool(service.content.citation_counts, *window)
    today = dt.datetime.now(dt.UTC).date()
    usage = corpus_usage(manifest["documents"], cited, today, service.settings.stale_after_days)
    return {
        "corpus": {"since": window[0].isoformat(), "until": window[1].isoformat(), **usage},
        "index": {
            "build_id": manifest["build_id"],
            "built_at": manifest.get("built_at"),
            "embedder": manifest.get("embedder", {}).get("name"),
            "documents": counts.get("documents"),
            "chunks": counts.get("chunks"),
            "by_lang": counts.get("by_lang", {}),
            "by_source": counts.get("by_source", {}),
            "build_seconds": manifest.get("build_seconds"),
        },
        "changes": manifest.get("changes", {}),
        "errors": manifest.get("errors", []),
        "serving_build": service.index_build,
    }


@api.get("/audit", response_model=AuditPage, summary="The audit log (admins)")
async def audit(
    request: Request,
    session: CanAudit,
    action: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]*$")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    entries, total = await run_in_threadpool(
        get_service(request).accounts.audit_entries, action or None, (page - 1) * per_page, per_page
    )
    items = [
        {"at": e.at.isoformat(), "user": e.user, "action": e.action, "target": e.target, "detail": e.detail, "ip": e.ip}
        for e in entries
    ]
    return {"items": items, "page": page, "per_page": per_page, "total": total}


# --- pages ---------------------------------------------------------------------------------------------------
def _page(request: Request, name: str) -> FileResponse:
    path: Path = request.app.state.settings.web_dir / "console" / name
    if not path.is_file():
        raise ApiError(404, "not_found", f"console page {name} is not installed")
    return FileResponse(path, media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


@pages.get("/login")
async def login_page(request: Request) -> FileResponse:
    return _page(request, "login.html")


@pages.get("/assets/{name}")
async def asset(name: str, request: Request) -> FileResponse:
    console: Path = request.app.state.settings.web_dir / "console"
    if name in ASSETS:
        path, media_type = console / name, ASSETS[name]
    elif MODULE_NAME.fullmatch(name):
        path, media_type = console / MODULES_DIR / name, "text/javascript"
    else:
        raise ApiError(404, "not_found", "no such asset")
    if not path.is_file():
        raise ApiError(404, "not_found", "no such asset")
    return FileResponse(path, media_type=f"{media_type}; charset=utf-8", headers={"Cache-Control": "no-cache"})


# Every page but the login is the same shell (the script reads the path); each has its own permission.
PAGES = {
    "": "view",
    "/": "view",
    "/conversations/{conversation_id}": "view",
    "/preview": "preview",
    "/gaps": "gaps",
    "/status": "status",
    "/evals": "evals",
    "/audit": "audit",
}


async def _shell(request: Request) -> FileResponse:
    return _page(request, SHELL)


for _path, _permission in PAGES.items():
    pages.add_api_route(_path, _shell, methods=["GET"], dependencies=[Depends(page_user(_permission))])
