from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from stellarr.domain.errors import StoreError
from stellarr.domain.models import MediaType
from stellarr.store.memory import MemoryStore
from stellarr_testing.harness import ADMIN_PASSWORD, Harness

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


class BrokenStore(MemoryStore):
    async def list_requests(self, media_type: MediaType | None = None) -> list:  # type: ignore[type-arg]
        raise StoreError("disk on fire")


@pytest.mark.parametrize("path", FEEDS)
async def test_store_failure_is_5xx_never_an_empty_list(make_api: MakeApi, path: str) -> None:
    api = await make_api(store=BrokenStore())
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
