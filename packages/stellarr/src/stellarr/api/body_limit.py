"""Refuse request bodies over a limit with 413, whether or not Content-Length is honest.

One limit for every route, except where a path prefix names its own: Plex sends a poster
with each webhook, and a library sync carries a whole library.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 1024 * 1024
ROUTE_LIMITS = {"/webhook/": 10 * 1024 * 1024, "/sync/library": 32 * 1024 * 1024}


class BodyTooLarge(HTTPException):
    """An HTTPException so the router's body parsing passes it through as a 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request body over {limit} bytes")


class BodyLimitMiddleware:
    def __init__(
        self, app: ASGIApp, limit: int = MAX_BODY_BYTES, routes: Mapping[str, int] | None = None
    ) -> None:
        """`routes`: path prefix -> the limit for paths that start with it."""
        self.app = app
        self.limit = limit
        self.routes = tuple((routes or {}).items())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = next((size for prefix, size in self.routes if path.startswith(prefix)), self.limit)
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await self._refuse(send, limit)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, limit)

    async def _refuse(self, send: Send, limit: int) -> None:
        body = json.dumps({"detail": f"Request body over {limit} bytes"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
