"""Headers every console answer carries, whatever route or error produced it.

- ``X-Content-Type-Options: nosniff`` on every console page, asset and API answer;
- ``Cache-Control: no-store`` on the console's JSON (members' words and advisers' reviews stay out of caches);
- ``X-Frame-Options: DENY`` on console pages, the 403 page included (its CSP is set where it is made).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ConsoleHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        api = path.startswith("/api/console")
        page = path == "/console" or path.startswith("/console/")
        if not (api or page):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if api:
                    headers["Cache-Control"] = "no-store"
                elif not path.startswith("/console/assets/"):
                    headers.setdefault("X-Frame-Options", "DENY")
            await send(message)

        await self.app(scope, receive, send_with_headers)
