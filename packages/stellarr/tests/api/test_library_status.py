from __future__ import annotations

from datetime import UTC, datetime

from stellarr.domain.models import MediaType
from stellarr_testing.harness import Harness


async def test_library_status_lists_library_and_pending_requests(api: Harness) -> None:
    auth = await api.login()
    await api.services.store.replace_library(MediaType.MOVIE, [3, 1, 2])
    await api.services.store.replace_library(MediaType.TV, [9])
    for tmdb_id, kind in ((272, "movie"), (253, "tv")):
        await api.client.post(
            "/api/request", json={"tmdb_id": tmdb_id, "media_type": kind}, headers=auth
        )
    await api.services.store.mark_added(MediaType.TV, 253, datetime.now(UTC))
    response = await api.client.get("/api/library-status", headers=auth)
    body = response.json()
    assert body["library"] == {"movie": [1, 2, 3], "tv": [9]}
    assert [(r["tmdb_id"], r["status"]) for r in body["requests"]] == [(272, "pending")]
    assert response.headers["etag"].startswith('"')


async def test_etag_gives_304_until_something_changes(api: Harness) -> None:
    auth = await api.login()
    first = await api.client.get("/api/library-status", headers=auth)
    etag = first.headers["etag"]
    same = await api.client.get("/api/library-status", headers={**auth, "If-None-Match": etag})
    assert same.status_code == 304 and same.content == b""
    weak = await api.client.get(
        "/api/library-status", headers={**auth, "If-None-Match": f"W/{etag}"}
    )
    assert weak.status_code == 304
    await api.services.store.replace_library(MediaType.MOVIE, [42])
    changed = await api.client.get("/api/library-status", headers={**auth, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.json()["library"]["movie"] == [42]
    assert changed.headers["etag"] != etag
