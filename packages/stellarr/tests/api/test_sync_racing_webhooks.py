"""A `clear=true` library sync and the webhooks that arrive while it runs, on every store.

plex-sync scans Plex, then posts the whole list; a title that lands in Plex meanwhile comes
as a webhook while that list is still on its way. The list is older than the webhook, so the
webhook's title must survive the replace.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from stellarr.domain.models import MediaType
from stellarr_testing.harness import Harness
from stellarr_testing.webhooks import TOKEN, plex_movie, post_plex

MATRIX = plex_movie("The Matrix", 1999, ["imdb://tt0133093", "tmdb://603"])
SYNC = {"media_type": "movie", "clear": "true", "token": TOKEN}


async def test_a_webhook_answered_while_a_sync_reads_its_body_survives_the_sync(
    hooks: Harness,
) -> None:
    await hooks.services.ready()
    await hooks.services.store.replace_library(MediaType.MOVIE, [1, 550])
    reading = asyncio.Event()
    release = asyncio.Event()

    async def body() -> AsyncIterator[bytes]:
        yield b'[{"tmdb_id": 1}, '
        reading.set()  # the app has the first chunk and asks for the next
        await release.wait()
        yield b'{"tmdb_id": 2}]'

    sync = asyncio.create_task(
        hooks.client.post(
            "/sync/library",
            params=SYNC,
            content=body(),
            headers={"content-type": "application/json"},
        )
    )
    await reading.wait()
    hook = await post_plex(hooks, MATRIX)
    assert hook.json()["added_to_library"] is True, hook.text
    release.set()
    answer = await sync
    assert answer.status_code == 200, answer.text
    assert answer.json()["synced"] == 2
    # 550 was only in the old library; 603 came after the sync began.
    assert await hooks.services.store.library_ids(MediaType.MOVIE) == [1, 2, 603]


async def test_a_refused_sync_leaves_the_library_and_later_syncs_alone(hooks: Harness) -> None:
    await hooks.services.ready()
    await hooks.services.store.replace_library(MediaType.MOVIE, [1, 550])
    refused = await hooks.client.post(
        "/sync/library", params=SYNC, content=b"[{}]", headers={"content-type": "application/json"}
    )
    assert refused.status_code == 422, refused.text
    assert await hooks.services.store.library_ids(MediaType.MOVIE) == [1, 550]
    await post_plex(hooks, MATRIX)
    synced = await hooks.client.post(
        "/sync/library", params=SYNC, content=json.dumps([{"tmdb_id": 7}]).encode()
    )
    assert synced.status_code == 200, synced.text
    assert await hooks.services.store.library_ids(MediaType.MOVIE) == [7]
