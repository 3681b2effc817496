"""Bulk library sync from a media server (`stellarr plex-sync` calls it).

`POST /sync/library?media_type=movie|tv&clear=true|false&token=<PLEX_WEBHOOK_TOKEN>` with a
JSON array of `{"tmdb_id", "tvdb_id"?, "imdb_id"?, "title"?}`. `clear=true` replaces that
media type's library atomically (what plex-sync sends: one replace per media type); the
default, false, only adds, so a partial push never empties anything.

The token and the parameters are checked before a byte of the body is read; the body is
refused while it arrives when it is over 32 MiB (the body limit) or holds more values than
100,000 items can (`SyncBodyCount`), and parsed whole only then: the replace stays atomic.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from stellarr.api.deps import (
    TOKEN_PARAMETER,
    check_webhook_token,
    get_services,
    get_settings,
    query_parameter,
)
from stellarr.domain.errors import BadRequest
from stellarr.domain.models import MediaType
from stellarr.domain.sync_items import (
    InvalidSyncItems,
    SyncBodyCount,
    SyncItems,
    parse_sync_items,
)

router = APIRouter()

FLAGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
# Bigger bodies are decoded off the event loop, so other requests keep being answered.
INLINE_BODY_BYTES = 256 * 1024


async def read_items(request: Request) -> SyncItems:
    count = SyncBodyCount()
    chunks = []
    try:
        async for chunk in request.stream():
            count.add(chunk)
            chunks.append(chunk)
    except InvalidSyncItems as exc:
        raise HTTPException(422, str(exc)) from None
    body = b"".join(chunks)
    if len(body) > INLINE_BODY_BYTES:
        return await run_in_threadpool(_items, body)
    return _items(body)


def _items(body: bytes) -> SyncItems:
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError):  # deep nesting ([[[[...]]]]) is bad input too
        raise BadRequest("The body is not valid JSON") from None
    try:
        return parse_sync_items(data)
    except InvalidSyncItems as exc:
        raise HTTPException(422, str(exc)) from None


SYNC_DOCS: dict[str, Any] = {
    "parameters": [
        query_parameter("media_type", "which library", ("movie", "tv")),
        query_parameter(
            "clear",
            "true: replace that library; false (default): add",
            ("true", "false"),
            required=False,
        ),
        TOKEN_PARAMETER,
    ]
}


@router.post("/sync/library", openapi_extra=SYNC_DOCS)
async def sync_library(request: Request) -> dict[str, object]:
    # Parameters read here rather than declared: the token is checked before anything else.
    services = await get_services(request)
    check_webhook_token(request, await get_settings(services))
    query = request.query_params
    try:
        media_type = MediaType(query.get("media_type", ""))
    except ValueError:
        raise HTTPException(422, "media_type must be movie or tv") from None
    clear = FLAGS.get(query.get("clear", "false").lower())
    if clear is None:
        raise HTTPException(422, "clear must be true or false")
    synced, marked = await services.fulfilment.sync(media_type, clear, lambda: read_items(request))
    return {
        "status": "success",
        "synced": synced,
        "marked_as_added": marked,
        "media_type": media_type.value,
    }
