"""Chat routes of the HTTP contract: ``POST /api/chat``, ``POST /api/chat/stream``, ``POST /api/feedback``."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from sse_starlette import EventSourceResponse, ServerSentEvent

from guidebot.api.errors import ApiError, as_api_error
from guidebot.api.limits import RateLimiter, SharedRateLimiter, client_ip
from guidebot.api.schemas import ChatRequest, ChatResponse, ErrorResponse, FeedbackRequest, FeedbackResponse
from guidebot.api.service import ChatService, Reply, Ticket
from guidebot.errors import NotReadyError

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["chat"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "The body is not JSON, or there is none."},
    413: {"model": ErrorResponse, "description": "The body is larger than GUIDEBOT_MAX_BODY_BYTES."},
    422: {"model": ErrorResponse, "description": "A field is missing or invalid (e.g. an empty or too long message)."},
    429: {
        "model": ErrorResponse,
        "description": "Too many requests from this client; retry after the seconds in Retry-After.",
        "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
    },
    503: {
        "model": ErrorResponse,
        "description": "`not_ready`: the index or the store is still loading; `overloaded`: as many answers as "
        "GUIDEBOT_CHAT_QUEUE are already being computed or waiting; `store_unavailable`: the database cannot be "
        "reached; `index_unavailable`: the Chroma server that holds the index (client/server mode) is down or does "
        "not answer within GUIDEBOT_CHROMA_TIMEOUT_S. Retry after the seconds in Retry-After.",
        "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
    },
}
CLIENT_CLOSED_REQUEST = 499  # nginx's code for a client that closed the connection before the answer
DISCONNECT_POLL_S = 0.05
_NOT_FOUND_CONVERSATION: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "Unknown conversation_id."}
}
_SSE_EXAMPLE = (
    'event: token\ndata: {"text": "Une "}\n\n'
    'event: token\ndata: {"text": "part "}\n\n'
    "...\n\n"
    'event: done\ndata: {"conversation_id": "c_5Hq0hZQ8y2xH7s3k", "message_id": "m_N1c4V7pQk2Lr8b0e", '
    '"language": "fr", "answer": "Une part de la coopérative coûte 30 € [1].", "citations": [...], '
    '"refused": false, "refusal": null}\n\n'
)


def get_service(request: Request) -> ChatService:
    service: ChatService = request.app.state.service
    return service


def rate_limited(request: Request) -> None:
    """One token of the client's bucket, or 429 with Retry-After."""
    limiter: RateLimiter | SharedRateLimiter = request.app.state.rate_limiter
    wait = limiter.acquire(client_ip(request) or "unknown")
    if wait > 0:
        retry = RateLimiter.retry_after(wait)
        raise ApiError(429, "rate_limited", f"too many requests; retry in {retry} s", {"Retry-After": retry})


Service = Annotated[ChatService, Depends(get_service)]
RateLimited = Depends(rate_limited)


def _ready(service: ChatService) -> None:
    if not service.ready:
        raise NotReadyError(f"guidebot is {service.state}: {service.error or 'try again shortly'}")


async def _unless_gone(request: Request, future: asyncio.Future[Any], ticket: Ticket) -> Any:
    """The worker's result; if the client leaves before a worker starts the answer, it is not computed."""
    while True:
        done, _pending = await asyncio.wait({future}, timeout=DISCONNECT_POLL_S)
        if done:
            return future.result()
        if not ticket.started.is_set() and await request.is_disconnected():
            ticket.abandoned.set()
            if not ticket.started.is_set():
                return None


@router.post(
    "/chat",
    response_model=ChatResponse,
    responses={**_ERRORS, **_NOT_FOUND_CONVERSATION},
    dependencies=[RateLimited],
    summary="Ask a question; get a cited answer (or a refusal that points to an adviser)",
)
async def chat(body: ChatRequest, service: Service, request: Request) -> Any:
    _ready(service)
    ticket = service.admit()
    loop = asyncio.get_running_loop()
    # the answer is computed and stored in a worker; a client that leaves once it has started does not cancel it
    future = loop.run_in_executor(
        service.executor,
        service.run_admitted,
        ticket,
        service.answer,
        body.message,
        body.conversation_id,
        body.language,
    )
    reply = await _unless_gone(request, future, ticket)
    if reply is None:  # the client left before its answer started: nobody to answer
        return Response(status_code=CLIENT_CLOSED_REQUEST)
    return reply.public()


def _error_event(exc: Exception) -> dict[str, Any]:
    """The ``error`` event of a stream that fails once its first event has gone."""
    error = as_api_error(exc) or ApiError(500, "internal_error", "the answer could not be completed")
    return {"error": {"code": error.code, "message": error.message}}


@router.post(
    "/chat/stream",
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": 'Server-Sent Events: `token` events (`{"text": ...}`), then one `done` event carrying '
            "the same object as POST /api/chat (its answer replaces the streamed text: the citation check may "
            'drop sentences and renumber markers), or one `error` event (`{"error": {"code", "message"}}`). A '
            "failure before the first event is an error status instead (e.g. 503 `index_unavailable`).",
            "content": {"text/event-stream": {"example": _SSE_EXAMPLE}},
        },
        **_ERRORS,
        **_NOT_FOUND_CONVERSATION,
    },
    dependencies=[RateLimited],
    summary="Ask a question; the answer streams in as Server-Sent Events",
)
async def chat_stream(body: ChatRequest, service: Service, request: Request) -> Response:
    _ready(service)
    # reaches the database: an unknown conversation is a 404, an outage a 503, before the stream starts
    await run_in_threadpool(service.check_conversation, body.conversation_id)
    ticket = service.admit()
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    def produce() -> None:
        # runs to the end even when the client has gone: the message is stored when the answer is complete
        try:
            for item in service.stream(body.message, body.conversation_id, body.language):
                event = ("done", item.public()) if isinstance(item, Reply) else ("token", {"text": item})
                loop.call_soon_threadsafe(queue.put_nowait, event)
        except Exception as exc:
            if as_api_error(exc) is None:
                log.exception("streamed answer failed")
            else:
                log.warning("streamed answer failed: %s", exc.__class__.__name__)
            loop.call_soon_threadsafe(queue.put_nowait, ("error", exc))

    service.executor.submit(service.run_admitted, ticket, produce)
    # the response starts with the first event, so that a failure before it (a Chroma server or a database that
    # is down) is an honest status, not a 200 carrying an error event
    first_event = asyncio.ensure_future(queue.get())
    try:
        first = await _unless_gone(request, first_event, ticket)
    finally:
        first_event.cancel()
    if first is None:  # the client left before its answer started: it is not computed
        return Response(status_code=CLIENT_CLOSED_REQUEST)
    if first[0] == "error":
        raise first[1]

    async def events() -> AsyncIterator[ServerSentEvent]:
        try:
            name, data = first
            while True:
                if name == "error":
                    data = _error_event(data)
                yield ServerSentEvent(data=json.dumps(data, ensure_ascii=False), event=name)
                if name in ("done", "error"):
                    return
                name, data = await queue.get()
        finally:
            # the client left: an answer not started yet is not computed (one started runs on and is stored)
            ticket.abandoned.set()

    return EventSourceResponse(events(), ping=15, headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.post(
    "/feedback",
    response_model=FeedbackResponse,
    responses={**_ERRORS, 404: {"model": ErrorResponse, "description": "Unknown message_id."}},
    dependencies=[RateLimited],
    summary="Thumbs up or down on an answer, with an optional comment",
)
async def feedback(body: FeedbackRequest, service: Service) -> dict[str, str]:
    _ready(service)
    loop = asyncio.get_running_loop()
    fid = await loop.run_in_executor(None, service.add_feedback, body.message_id, body.rating, body.comment)
    return {"feedback_id": fid}
