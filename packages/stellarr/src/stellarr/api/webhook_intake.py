"""Every Plex, Jellyfin and Emby webhook is decided here, once, before routing.

Plex posts every play, pause, resume and scrobble to the webhook URL, most with a poster of
a few hundred KB attached, so events that change nothing are nearly all of the webhook
traffic. The decision, in this order:

1. the token in the query string, before a byte of the body is read: a stranger cannot make
   the server hold a body (10 MiB per connection) it will refuse anyway;
2. the body, read under the body limit (over it, the limit answers 413);
3. its parse (Plex's multipart, Jellyfin's and Emby's JSON) into one `WebhookEvent`;
4. whether the event changes anything here.

An event that changes nothing is answered here, skipping the router and FastAPI's request
handling, which cost more than the decision itself. A refusal or an addition goes on to the
route with the `Decision` in the scope: the route raises the refusal, so the app's error
handlers answer it like any other error, or fulfils the addition. The route decides nothing.

Sits inside the body limit and the security headers, so those hold here too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.responses import JSONResponse
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from stellarr.api.deps import check_webhook_token
from stellarr.domain.errors import StellarrError
from stellarr.domain.jellyfin_webhook import parse_jellyfin
from stellarr.domain.library_events import BadPayload, WebhookEvent
from stellarr.domain.plex_webhook import parse_plex
from stellarr.domain.webhook_body import payload_json
from stellarr.services.container import Services
from stellarr.settings import Settings

log = logging.getLogger(__name__)

Parser = Callable[[dict[str, Any]], WebhookEvent]
# Emby posts to its own path; one parser reads Jellyfin's plugin and Emby alike.
PARSERS: dict[str, Parser] = {
    "/webhook/plex": parse_plex,
    "/webhook/jellyfin": parse_jellyfin,
    "/webhook/emby": parse_jellyfin,
}
# Where the decision waits for the route, in the request's scope.
DECISION = "stellarr.webhook_decision"
# Echoed in answers and logs; a payload's own strings are cut to this.
SHORT = 80


@dataclass(frozen=True, slots=True)
class Decision:
    """What a webhook came to: exactly one field is set."""

    # Raised by the route, so the app's error handlers answer it.
    refusal: Exception | None = None
    # Fulfilled by the route.
    addition: WebhookEvent | None = None
    # Answered here, with this reason.
    ignored: str | None = None


class WebhookIntakeMiddleware:
    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        parse = PARSERS.get(scope["path"]) if scope["type"] == "http" else None
        if parse is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        decision = await self._decide(scope, receive, parse)
        if decision.ignored is None:
            scope[DECISION] = decision
            await self.app(scope, receive, send)
            return
        log.debug("WEBHOOK: %s event ignored: %s", source_of(scope["path"]), decision.ignored)
        answer = JSONResponse({"status": "ignored", "reason": decision.ignored})
        await answer(scope, receive, send)

    async def _decide(self, scope: Scope, receive: Receive, parse: Parser) -> Decision:
        request = Request(scope)
        try:
            await self.services.ready()
            settings = await self.services.current_settings()
        except Exception as exc:  # the error handlers log what deserves it
            return Decision(refusal=exc)
        try:
            check_webhook_token(request, settings)
        except StellarrError as exc:
            return refused(scope, exc)
        # Over the body limit this raises, and the limit answers 413.
        body = await read_body(receive)
        try:
            event = parse_body(request.headers.get("content-type"), body, parse)
        except StellarrError as exc:
            return refused(scope, exc)
        except Exception as exc:  # a bug: answered 500 and logged by the app's handler
            return Decision(refusal=exc)
        reason = why_ignored(event, settings)
        return Decision(ignored=reason) if reason is not None else Decision(addition=event)


def refused(scope: Scope, exc: StellarrError) -> Decision:
    # One line a person setting up Plex can find; the messages never hold the token.
    log.warning("WEBHOOK: %s refused: %s", source_of(scope["path"]), exc)
    return Decision(refusal=exc)


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away; what came is parsed, and the answer goes nowhere
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def source_of(path: str) -> str:
    return path.rpartition("/")[2]


def parse_body(content_type: str | None, body: bytes, parse: Parser) -> WebhookEvent:
    try:
        return parse(payload_json(content_type, body))
    except BadPayload:
        raise
    except (LookupError, TypeError, ValueError, AttributeError) as exc:
        # A shape no parser rule foresaw is still the sender's mistake, never a 500.
        log.debug("WEBHOOK: unreadable payload (%s)", type(exc).__name__)
        raise BadPayload("The payload is not a webhook Stellarr can read") from None


def plex_server_mismatch(event: WebhookEvent, settings: Settings) -> str | None:
    name, uuid = settings.plex_server_name, settings.plex_server_uuid
    if name and event.server_name != name:
        return f"server {str(event.server_name)[:SHORT]!r} is not PLEX_SERVER_NAME"
    if uuid and event.server_uuid != uuid:
        return "server uuid is not PLEX_SERVER_UUID"
    return None


def not_an_addition(event: WebhookEvent) -> str | None:
    if event.is_new and event.item is not None:
        return None
    return event.reason or f"event {event.event[:SHORT]!r} is not a library addition"


def why_ignored(event: WebhookEvent, settings: Settings) -> str | None:
    """Why this event changes nothing here, or None for an addition to act on."""
    reason = not_an_addition(event)
    if reason is None and event.source == "plex":
        return plex_server_mismatch(event, settings)
    return reason
