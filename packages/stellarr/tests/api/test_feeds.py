from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import httpx
import pytest

from stellarr.domain.errors import StoreError
from stellarr.domain.models import MediaRequest, MediaType
from stellarr_testing.harness import ADMIN_PASSWORD, Harness
from stellarr_testing.memory_store import MemoryMediaStore, memory_stores

from .conftest import MakeApi

FEEDS = ["/list/radarr", "/list/radarr/tmdb", "/list/sonarr", "/rss/movies", "/rss/tv", "/rss/all"]


async def request_some(api: Harness) -> None:
    auth = await api.login()
    for tmdb_id, kind in ((823464, "movie"), (272, "movie"), (66732, "tv"), (1855, "tv")):
        response = await api.client.post(
            "/api/request", json={"tmdb_id": tmdb_id, "media_type": kind}, headers=auth
        )
        assert response.status_code == 201


async def test_feeds_publish_pending_requests_in_each_format(api: Harness) -> None:
    await request_some(api)
    await api.services.store.mark_added(MediaType.MOVIE, 272, datetime.now(UTC))
    radarr = await api.client.get("/list/radarr")
    assert radarr.headers["content-type"] == "application/json"
    assert radarr.json() == [
        {
            "title": "Godzilla e Kong: O Novo Império (2024)",
            "imdb_id": "tt14539740",
            "poster_url": "https://image.tmdb.org/t/p/w300/qPLQIVTVkhSm0tmhPMX0OeEuG0P.jpg",
        }
    ]
    assert [m["id"] for m in (await api.client.get("/list/radarr/tmdb")).json()] == [823464]
    sonarr = (await api.client.get("/list/sonarr")).json()
    assert {s["tmdbId"] for s in sonarr} == {66732, 1855}
    stranger = next(s for s in sonarr if s["tmdbId"] == 66732)
    assert stranger == {
        "title": "Stranger Things",
        "tvdbId": 305288,
        "tmdbId": 66732,
        "imdbId": "tt4574334",
    }
    rss = await api.client.get("/rss/all")
    assert rss.headers["content-type"].startswith("application/rss+xml")
    items = ET.fromstring(rss.content).findall("./channel/item")
    assert len(items) == 3
    assert {i.findtext("guid") for i in items} == {
        "stellarr-movie-823464",
        "stellarr-tv-66732",
        "stellarr-tv-1855",
    }
    movie_rss = ET.fromstring((await api.client.get("/rss/movies")).content)
    link = movie_rss.find("./channel/item/link")
    assert link is not None and link.text == "https://www.imdb.com/title/tt14539740/"
    assert len(ET.fromstring((await api.client.get("/rss/tv")).content).findall(".//item")) == 2


async def test_movies_without_imdb_id_only_in_the_tmdb_list(api: Harness) -> None:
    auth = await api.login()
    await api.client.post(
        "/api/request", json={"tmdb_id": 272, "media_type": "movie"}, headers=auth
    )
    # a title TMDB knows no IMDb id for
    api.services.tmdb.details_cache.put(
        ("movie", 498471, None), {"id": 498471, "title": "No IMDb", "imdb_id": None}
    )
    await api.client.post(
        "/api/request", json={"tmdb_id": 498471, "media_type": "movie"}, headers=auth
    )
    assert [m["imdb_id"] for m in (await api.client.get("/list/radarr")).json()] == ["tt0000272"]
    assert {m["id"] for m in (await api.client.get("/list/radarr/tmdb")).json()} == {272, 498471}


async def test_feed_token_is_required_when_set(make_api: MakeApi) -> None:
    api = await make_api(FEED_TOKEN="feed-secret-123")
    for path in FEEDS:
        assert (await api.client.get(path)).status_code == 401
        assert (await api.client.get(f"{path}?token=wrong")).status_code == 401
        assert (await api.client.get(f"{path}?token=ünï")).status_code == 401
        assert (await api.client.get(f"{path}?token=feed-secret-123")).status_code == 200


async def test_feed_list_shows_the_token_only_to_admins(make_api: MakeApi) -> None:
    api = await make_api(FEED_TOKEN="feed-secret-123", PUBLIC_URL="https://req.example.com")
    user = (await api.client.get("/api/feeds", headers=await api.login())).json()
    assert user["token_required"] is True
    assert set(user["feeds"]) == {
        "radarr",
        "radarr_tmdb",
        "sonarr",
        "rss_movies",
        "rss_tv",
        "rss_all",
    }
    assert "feed-secret-123" not in str(user)
    radarr = user["feeds"]["radarr"]
    assert radarr["url"].startswith("https://req.example.com/list/radarr?token=")
    assert (
        radarr["format"] == "json" and radarr["name"] and radarr["setup"] and radarr["description"]
    )
    admin = (
        await api.client.get("/api/feeds", headers=await api.login("root", ADMIN_PASSWORD))
    ).json()
    assert (
        admin["feeds"]["sonarr"]["url"]
        == "https://req.example.com/list/sonarr?token=feed-secret-123"
    )


async def test_feeds_follow_writes_and_revalidate(api: Harness) -> None:
    first = await api.client.get("/list/radarr/tmdb")
    assert first.json() == []
    etag = first.headers["etag"]
    assert (
        await api.client.get("/list/radarr/tmdb", headers={"If-None-Match": etag})
    ).status_code == 304
    await request_some(api)
    second = await api.client.get("/list/radarr/tmdb", headers={"If-None-Match": etag})
    assert second.status_code == 200 and len(second.json()) == 2
    await api.client.delete("/api/request/movie/272", headers=await api.login())
    assert [m["id"] for m in (await api.client.get("/list/radarr/tmdb")).json()] == [823464]


class BrokenMediaStore(MemoryMediaStore):
    async def list_requests(self, media_type: MediaType | None = None) -> list:  # type: ignore[type-arg]
        raise StoreError("disk on fire")


@pytest.mark.parametrize("path", FEEDS)
async def test_store_failure_is_5xx_never_an_empty_list(make_api_with: MakeApi, path: str) -> None:
    api = await make_api_with(stores=memory_stores(BrokenMediaStore()))
    response = await api.client.get(path)
    assert response.status_code == 503
    assert response.json() == {"detail": "Storage is unavailable; try again shortly"}


async def test_host_headers_do_not_multiply_cached_renderings(api: Harness) -> None:
    await request_some(api)
    for n in range(15):
        response = await api.client.get("/list/radarr", headers={"Host": f"h{n}.example"})
        assert response.status_code == 200
        await api.client.get("/rss/all", headers={"Host": f"h{n}.example"})
    snapshot = await api.services.snapshots.current()
    assert len(snapshot._rendered) == 2


# Content coding ---------------------------------------------------------------------------

IDENTITY = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}


async def request_many(api: Harness, n: int = 60, first: int = 1) -> None:
    """Enough pending requests that every feed is worth compressing."""
    await api.services.ready()  # the app opens its store on first use
    when = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(first, first + n):
        movie = i % 2 == 1
        await api.services.store.add_request(
            MediaRequest(
                media_type=MediaType.MOVIE if movie else MediaType.TV,
                tmdb_id=i,
                title=f"Requested title number {i}",
                requested_by="alice",
                requested_at=when,
                year=2000 + i % 25,
                overview="An overview long enough to look like one from TMDB.",
                poster_path=f"/poster{i}.jpg",
                imdb_id=f"tt{i:07d}",
                tvdb_id=None if movie else 300000 + i,
            )
        )


async def wire(
    api: Harness, path: str, headers: dict[str, str] | list[tuple[str, str]]
) -> tuple[httpx.Response, bytes]:
    """The response and its body exactly as sent, before httpx undoes any content coding."""
    async with api.client.stream("GET", path, headers=headers) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, raw


@pytest.mark.parametrize("path", FEEDS)
async def test_feeds_are_gzipped_for_clients_that_accept_it(api: Harness, path: str) -> None:
    await request_many(api)
    plain, plain_body = await wire(api, path, IDENTITY)
    zipped, zipped_body = await wire(api, path, GZIP)
    assert plain.status_code == zipped.status_code == 200
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(zipped_body) == plain_body
    assert len(zipped_body) < len(plain_body) / 2
    assert zipped.headers["content-length"] == str(len(zipped_body))
    assert zipped.headers["content-type"] == plain.headers["content-type"]
    assert plain.headers["vary"] == zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.headers["etag"] != plain.headers["etag"]
    # httpx's own decoding (it asks for gzip by default) gives the same bytes
    assert (await api.client.get(path)).content == plain_body


async def test_each_encoding_revalidates_against_its_own_etag(api: Harness) -> None:
    await request_many(api)
    path = "/list/sonarr"
    plain, plain_body = await wire(api, path, IDENTITY)
    zipped, _ = await wire(api, path, GZIP)
    plain_etag, gzip_etag = plain.headers["etag"], zipped.headers["etag"]

    same, body = await wire(api, path, {**GZIP, "If-None-Match": gzip_etag})
    assert same.status_code == 304 and body == b""
    assert same.headers["etag"] == gzip_etag and same.headers["vary"] == "Accept-Encoding"
    weak_in_a_list, _ = await wire(api, path, {**GZIP, "If-None-Match": f'"x", W/{gzip_etag}'})
    assert weak_in_a_list.status_code == 304
    same_plain, _ = await wire(api, path, {**IDENTITY, "If-None-Match": plain_etag})
    assert same_plain.status_code == 304 and same_plain.headers["vary"] == "Accept-Encoding"
    assert same_plain.headers["etag"] == plain_etag

    # Holding one encoding never validates the other: the client gets the bytes it asked for.
    crossed, body = await wire(api, path, {**IDENTITY, "If-None-Match": gzip_etag})
    assert crossed.status_code == 200 and "content-encoding" not in crossed.headers
    assert crossed.headers["etag"] == plain_etag and body == plain_body
    crossed, body = await wire(api, path, {**GZIP, "If-None-Match": plain_etag})
    assert crossed.status_code == 200 and crossed.headers["content-encoding"] == "gzip"
    assert crossed.headers["etag"] == gzip_etag and gzip.decompress(body) == plain_body


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("gzip;q=0", None),
        ("gzip;q=0, identity", None),
        ("*, gzip;q=0", None),
        ("br, zstd, compress", None),  # codings we do not offer: the plain body
        ("identity;q=0", None),  # nothing acceptable: still a feed, never a 406
        ("gzip;q=0.4, identity;q=0.9", None),
        ("*", "gzip"),
        ("identity;q=0.5, gzip", "gzip"),
        ("x-gzip", "gzip"),
    ],
)
async def test_accept_encoding_weights_and_refusals(
    api: Harness, accept: str, coding: str | None
) -> None:
    await request_many(api)
    _, plain_body = await wire(api, "/rss/all", IDENTITY)
    response, body = await wire(api, "/rss/all", {"Accept-Encoding": accept})
    assert response.status_code == 200 and response.headers["vary"] == "Accept-Encoding"
    assert response.headers.get("content-encoding") == coding
    assert (gzip.decompress(body) if coding else body) == plain_body


async def test_repeated_accept_encoding_lines_count_as_one_list(api: Harness) -> None:
    await request_many(api)
    lines = [("Accept-Encoding", "identity;q=0.5"), ("Accept-Encoding", "gzip")]
    response, _ = await wire(api, "/list/radarr", lines)
    assert response.headers["content-encoding"] == "gzip"


async def test_a_new_revision_gives_every_encoding_a_new_etag(api: Harness) -> None:
    await request_many(api)
    before_plain, _ = await wire(api, "/list/radarr", IDENTITY)
    before, _ = await wire(api, "/list/radarr", GZIP)
    await request_many(api, n=2, first=1001)
    after, body = await wire(api, "/list/radarr", {**GZIP, "If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] not in (before.headers["etag"], before_plain.headers["etag"])
    assert after.headers["etag"].endswith('-gzip"')
    assert b"tt0001001" in gzip.decompress(body)


async def test_small_feeds_go_out_plain_but_still_vary(api: Harness) -> None:
    plain, plain_body = await wire(api, "/list/radarr", IDENTITY)
    response, body = await wire(api, "/list/radarr", GZIP)
    assert body == plain_body == b"[]"
    assert "content-encoding" not in response.headers
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.headers["etag"] == plain.headers["etag"]


async def test_the_feed_token_is_in_the_api_schema(api: Harness) -> None:
    """The routes read `?token=` by hand (cheaper than a declared parameter), so the schema
    must name it, or /api/docs shows a feed that needs no token."""
    paths = (await api.client.get("/api/openapi.json")).json()["paths"]
    for path in FEEDS:
        parameters = paths[path]["get"].get("parameters", [])
        token = [p for p in parameters if p["name"] == "token"]
        assert len(token) == 1, (path, parameters)
        assert (token[0]["in"], token[0]["required"]) == ("query", False)
        assert "FEED_TOKEN" in token[0]["description"]
