"""Media-server events that change nothing, answered before routing.

Plex posts every play, pause, resume and scrobble to the webhook URL, most with a poster of
a few hundred KB attached, so these answers are nearly all of the webhook traffic. They are
decided here with the route's own functions (token, parser, `why_ignored`), skipping the
router and FastAPI's request handling, which cost more than the decision itself. Anything
else (an addition, a wrong token, a bad body, a failure) is handed on to the route with the
body replayed, and the route decides it again and answers as it always does.

Sits inside the body limit and the security headers, so those hold here too.
"""

from __future__ import annotations

import logging

from fastapi.responses import JSONResponse
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stellarr.api.webhooks import (
    PARSERS,
    Parser,
    check_webhook_token,
    parse_body,
    source_of,
    why_ignored,
)
from stellarr.services.container import Services

log = logging.getLogger(__name__)


class IgnoredEventsMiddleware:
    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        parse = PARSERS.get(scope["path"]) if scope["type"] == "http" else None
        if parse is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        reason = await self._why_ignored(scope, body, parse)
        if reason is None:
            await self.app(scope, replay(body, receive), send)
            return
        log.debug("WEBHOOK: %s event ignored: %s", source_of(scope["path"]), reason)
        await JSONResponse({"status": "ignored", "reason": reason})(scope, receive, send)

    async def _why_ignored(self, scope: Scope, body: bytes, parse: Parser) -> str | None:
        request = Request(scope)
        try:
            await self.services.ready()
            settings = await self.services.current_settings()
            check_webhook_token(request, settings)
            event = parse_body(request.headers.get("content-type"), body, parse)
        except Exception:
            # Refusals and failures alike: the route meets them again, answers them with
            # the app's error handlers and logs them.
            return None
        return why_ignored(event, settings)


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away; the route sees an empty body and a disconnect
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed
