"""Plex, Jellyfin and Emby webhooks: what landed in the library.

Plex posts every play, pause and scrobble to the same URL, so anything but an addition is
answered after the token check and a parse, without touching the store or TMDB. That answer
is normally given before routing by `IgnoredEventsMiddleware`, with the functions here; the
route still decides everything itself, so it is whole without the middleware. Emby posts
to `/webhook/emby`, read by the Jellyfin parser.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from stellarr.api.deps import TOKEN_PARAMETER, check_query_token, get_services, get_settings
from stellarr.domain.errors import Forbidden, StellarrError
from stellarr.domain.jellyfin_webhook import parse_jellyfin
from stellarr.domain.library_events import BadPayload, WebhookEvent
from stellarr.domain.plex_webhook import parse_plex
from stellarr.domain.webhook_body import payload_json
from stellarr.services.container import Services
from stellarr.settings import Settings

router = APIRouter()
log = logging.getLogger(__name__)

Parser = Callable[[dict[str, Any]], WebhookEvent]
# Echoed in answers and logs; a payload's own strings are cut to this.
SHORT = 80


def check_webhook_token(request: Request, settings: Settings) -> None:
    """PLEX_WEBHOOK_TOKEN guards every media-server route (webhooks and library sync)."""
    expected = settings.plex_webhook_token
    if not expected:
        raise Forbidden("webhook not configured")
    check_query_token(
        request, expected, "This URL needs ?token=<PLEX_WEBHOOK_TOKEN>", "Wrong webhook token"
    )


def ignored(reason: str) -> JSONResponse:
    return JSONResponse({"status": "ignored", "reason": reason})


async def read_event(request: Request, parse: Parser) -> tuple[Services, Settings, WebhookEvent]:
    # The dependencies called directly, not declared: FastAPI's resolution costs more than
    # the whole route on a small request.
    services = await get_services(request)
    settings = await get_settings(services)
    try:
        check_webhook_token(request, settings)
        event = parse_body(request.headers.get("content-type"), await request.body(), parse)
    except StellarrError as exc:
        # One line a person setting up Plex can find; the messages never hold the token.
        log.warning("WEBHOOK: %s refused: %s", source_of(request.url.path), exc)
        raise
    return services, settings, event


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


async def fulfil(services: Services, event: WebhookEvent) -> JSONResponse:
    item = event.item
    assert item is not None
    log.info(
        "WEBHOOK: %s %s %s %r (server %r)",
        event.source,
        event.event[:SHORT],
        item.kind.value,
        item.title[:SHORT],
        (event.server_name or "")[:SHORT],
    )
    identity = await services.show_ids.identify(item)
    log.info("WEBHOOK: ids %s via %s", identity.ids.to_json(), identity.via)
    outcome = await services.fulfilment.record(item, identity.ids)
    # A title match is a guess about this one item: cached under the show's GUID it would
    # decide every later episode of the show for a month.
    if outcome.tmdb_id is not None and identity.guid and outcome.matched_by != "title":
        await services.show_ids.remember(identity.guid, outcome.ids)
    return JSONResponse(
        {
            "status": "success",
            "title": outcome.title,
            "media_type": outcome.media_type.value,
            "plex_type": item.kind.value,
            "tmdb_id": outcome.tmdb_id,
            "added_to_library": outcome.added_to_library,
            "matched_request": outcome.matched_request,
            "notification_sent": outcome.notification_sent,
        }
    )


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


# Emby posts to its own path; one parser reads Jellyfin's plugin and Emby alike.
PARSERS: dict[str, Parser] = {
    "/webhook/plex": parse_plex,
    "/webhook/jellyfin": parse_jellyfin,
    "/webhook/emby": parse_jellyfin,
}
WEBHOOK_DOCS: dict[str, Any] = {"parameters": [TOKEN_PARAMETER]}


async def answer(request: Request) -> JSONResponse:
    services, settings, event = await read_event(request, PARSERS[request.url.path])
    reason = why_ignored(event, settings)
    if reason is not None:
        log.debug("WEBHOOK: %s event ignored: %s", event.source, reason)
        return ignored(reason)
    return await fulfil(services, event)


for _path in PARSERS:
    router.add_api_route(
        _path,
        answer,
        methods=["POST"],
        name=f"{source_of(_path)}_webhook",
        openapi_extra=WEBHOOK_DOCS,
    )
