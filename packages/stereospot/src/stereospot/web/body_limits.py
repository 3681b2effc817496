"""Every request body has a ceiling, enforced where the bytes come in: a pure ASGI wrapper
around `receive`. A body declared (Content-Length) or counted past its route's limit is
refused with 413 the moment the app asks for it, so at most one chunk past the limit is
ever held.

This decides only *how much*; *when* a body is read is the routes' business: the API reads
its JSON only after the session and CSRF checks (deps.json_body), so an anonymous caller's
body is never read at all. Most routes take a small JSON call or a page form; two take
more, named by operation id: a part upload (the part size) and the completion that lists
every part.

Not FastAPI's own `max_body_size`: when a declared body is too large it puts a plain-text
413 in place of whatever the app answered (a 401 included), where every error here is
`{"detail": ...}` for the API and a page for people.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import HTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A JSON call (a new job is a file name and three numbers) or a page form.
DEFAULT_LIMIT = 16 * 1024
# schemas.Completion: at most 10,000 parts of a number, an etag of at most 200 characters
# and a size, each well under 256 bytes of JSON.
COMPLETION_LIMIT = 10_000 * 256


def route_limits(part_size: int) -> dict[str, int]:
    """operation id -> limit, for the routes whose bodies may exceed DEFAULT_LIMIT."""
    return {"upload_part": part_size, "complete_upload": COMPLETION_LIMIT}


class BodyTooLarge(HTTPException):
    # FastAPI's HTTPException, not Starlette's: FastAPI passes it on as it is from its own
    # body parsing, where any other exception would become a 400.
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class BodyLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        routes: Sequence[BaseRoute],
        limits: Mapping[str, int],
        default: int = DEFAULT_LIMIT,
    ) -> None:
        """routes: those whose operation ids `limits` names (the API router's)."""
        self.app = app
        self.routes = routes
        self.limits = dict(limits)
        self.default = default

    def limit_for(self, scope: Scope) -> int:
        for route in self.routes:
            operation = getattr(route, "operation_id", None)
            if operation in self.limits and route.matches(scope)[0] == Match.FULL:
                return self.limits[operation]
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _declared_length(scope)
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            # Once the answer has begun, a read only listens for the client leaving (and
            # drops what it gets): nothing is held, and there is no answer left to give.
            if not started and declared is not None and declared > limit:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request" and not started:
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, limited_receive, watched_send)
