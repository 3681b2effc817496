"""Plex, Jellyfin and Emby webhooks: what landed in the library.

`WebhookIntakeMiddleware` (webhook_intake.py) decides every webhook before routing: it checks
the token, reads and parses the body, and answers the events that change nothing. What it
hands on arrives here as its `Decision`: a refusal, raised so the app's error handlers answer
it, or an addition, fulfilled (services/fulfilment.py). Emby posts to `/webhook/emby`, read
by the Jellyfin parser.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from stellarr.api.deps import TOKEN_PARAMETER, get_services
from stellarr.api.webhook_intake import DECISION, PARSERS, Decision, source_of

router = APIRouter()

WEBHOOK_DOCS: dict[str, Any] = {"parameters": [TOKEN_PARAMETER]}


async def answer(request: Request) -> JSONResponse:
    decision = request.scope.get(DECISION)
    if isinstance(decision, Decision) and decision.refusal is not None:
        raise decision.refusal
    if not isinstance(decision, Decision) or decision.addition is None:
        raise RuntimeError("a webhook reached its route without the intake's decision")
    services = await get_services(request)
    outcome = await services.fulfilment.fulfil(decision.addition, services.show_ids)
    return JSONResponse(
        {
            "status": "success",
            "title": outcome.title,
            "media_type": outcome.media_type.value,
            "plex_type": outcome.kind.value,
            "tmdb_id": outcome.tmdb_id,
            "added_to_library": outcome.added_to_library,
            "matched_request": outcome.matched_request,
            "notification_sent": outcome.notification_sent,
        }
    )


for _path in PARSERS:
    router.add_api_route(
        _path,
        answer,
        methods=["POST"],
        name=f"{source_of(_path)}_webhook",
        openapi_extra=WEBHOOK_DOCS,
    )
