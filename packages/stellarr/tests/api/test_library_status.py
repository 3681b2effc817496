from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import httpx

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


async def wire(api: Harness, path: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
    """The response and its body exactly as sent, before httpx undoes any content coding."""
    async with api.client.stream("GET", path, headers=headers) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, raw


async def test_library_status_is_gzipped_and_revalidated_per_encoding(api: Harness) -> None:
    auth = await api.login()
    await api.services.store.replace_library(MediaType.MOVIE, range(1, 3000))
    plain, plain_body = await wire(api, "/api/library-status", {**auth, "Accept-Encoding": ""})
    zipped, body = await wire(api, "/api/library-status", {**auth, "Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == plain_body and len(body) < len(plain_body) / 2
    assert plain.headers["vary"] == zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.headers["cache-control"] == "private, no-cache"
    gzip_etag = zipped.headers["etag"]
    assert gzip_etag != plain.headers["etag"]

    headers = {**auth, "Accept-Encoding": "gzip", "If-None-Match": gzip_etag}
    same, same_body = await wire(api, "/api/library-status", headers)
    assert same.status_code == 304 and same_body == b""
    assert same.headers["vary"] == "Accept-Encoding" and same.headers["etag"] == gzip_etag
    plain_again, _ = await wire(api, "/api/library-status", {**headers, "Accept-Encoding": ""})
    assert plain_again.status_code == 200 and "content-encoding" not in plain_again.headers

    await api.services.store.replace_library(MediaType.TV, range(1, 500))
    changed, changed_body = await wire(api, "/api/library-status", headers)
    assert changed.status_code == 200 and changed.headers["etag"] != gzip_etag
    assert b'"tv":[1,2,3' in gzip.decompress(changed_body).replace(b" ", b"")


async def test_request_list_is_gzipped_and_revalidated_too(api: Harness) -> None:
    auth = await api.login()
    for tmdb_id, kind in ((823464, "movie"), (272, "movie"), (66732, "tv"), (1855, "tv")):
        await api.client.post(
            "/api/request", json={"tmdb_id": tmdb_id, "media_type": kind}, headers=auth
        )
    plain, plain_body = await wire(api, "/api/requests", {**auth, "Accept-Encoding": "identity"})
    zipped, body = await wire(api, "/api/requests", {**auth, "Accept-Encoding": "gzip"})
    assert len(plain_body) > 1024 and len(json.loads(plain_body)["requests"]) == 4
    assert zipped.headers["content-encoding"] == "gzip" and gzip.decompress(body) == plain_body
    assert plain.headers["vary"] == "Accept-Encoding"
    assert plain.headers["cache-control"] == "private, no-cache"
    headers = {**auth, "Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]}
    assert (await api.client.get("/api/requests", headers=headers)).status_code == 304
    movies = await api.client.get("/api/requests?media_type=movie", headers=headers)
    assert movies.status_code == 200 and len(movies.json()["requests"]) == 2
