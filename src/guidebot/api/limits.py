"""Request limits: body size (413) and a per-client rate limit (429 with Retry-After)."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """Refuse a request body over ``max_bytes`` with 413, whether it declares its length or streams it.

    The accepted body is read once and replayed to the app: bodies here are small JSON documents.
    """

    CONSOLE_MAX_BYTES = 65_536  # an adviser's corrected answer (10,000 characters) and note, in UTF-8 JSON

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.CONSOLE_MAX_BYTES if scope["path"].startswith("/api/console/") else self.max_bytes
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._too_large(send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._too_large(send, limit)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send, limit: int) -> None:
        payload = json.dumps(
            {"error": {"code": "body_too_large", "message": f"the body is larger than {limit:,} bytes"}}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": payload})


class RateLimiter:
    """A token bucket per client: ``per_minute`` requests in a burst, refilled at ``per_minute`` a minute."""

    MAX_CLIENTS = 50_000  # beyond this many tracked clients, the full (idle) buckets are forgotten

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, client: str) -> float:
        """Take one token; return 0 when allowed, else the seconds to wait before the next token."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                if len(self._buckets) > self.MAX_CLIENTS:
                    self._forget_idle(now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        full = [k for k, (t, last) in self._buckets.items() if t + (now - last) * self.rate >= self.capacity]
        for k in full:
            del self._buckets[k]

    @staticmethod
    def retry_after(wait_s: float) -> str:
        return str(max(1, math.ceil(wait_s)))


class SharedRateLimiter:
    """The same token buckets, kept in the store's database so that every worker on it shares them
    (``GUIDEBOT_RATE_LIMIT_STORE=database``). Until the store is loaded nothing is limited: the routes answer
    503 ``not_ready`` then anyway."""

    def __init__(self, per_minute: int, store: Callable[[], Any], clock: Callable[[], float] = time.time) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.store = store
        self.clock = clock

    def acquire(self, client: str) -> float:
        try:
            store = self.store()
        except RuntimeError:  # not loaded yet
            return 0.0
        return float(store.take_token(f"chat:{client}", self.capacity, self.rate, self.clock()))


def client_ip(request: Request) -> str | None:
    """The client's address (the member's, behind a proxy listed in forwarded_allow_ips)."""
    return request.client.host if request.client else None
