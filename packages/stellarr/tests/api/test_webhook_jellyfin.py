"""POST /webhook/jellyfin (Jellyfin's Webhook plugin, and Emby, which may also post to its
alias /webhook/emby) on every store adapter: each item type, other events, malformed bodies.
Matching is the Plex route's (test_webhook_plex.py); these check each server's shapes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stellarr.domain.models import MediaType, RequestStatus
from stellarr_testing.fake_tmdb import FakeTMDB
from stellarr_testing.harness import Harness
from stellarr_testing.webhooks import (
    TOKEN,
    emby_library_new,
    jellyfin_item_added,
    request_status,
    seed,
    webhook_answer,
)

from .conftest import MakeApi

SERIES_ID = "5b4a39281706f5e4d3c2b1a098765432"


async def post(
    api: Harness,
    payload: dict[str, Any] | bytes,
    path: str = "/webhook/jellyfin",
    content_type: str = "application/json",
    token: str | None = TOKEN,
) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return await api.client.post(
        path,
        content=body,
        headers={"content-type": content_type},
        params={"token": token} if token is not None else {},
    )


# --- Jellyfin ItemAdded, each item type ----------------------------------------------------


async def test_jellyfin_movie(hooks: Harness) -> None:
    await seed(hooks, MediaType.MOVIE, 603, "The Matrix", 1999)
    payload = jellyfin_item_added(
        "Movie", "The Matrix", 1999, Provider_tmdb=603, Provider_imdb="tt0133093"
    )
    response = await post(hooks, payload)
    assert response.json() == webhook_answer("The Matrix", "movie", "movie", 603)
    assert await request_status(hooks, MediaType.MOVIE, 603) is RequestStatus.ADDED


async def test_jellyfin_series_then_its_episode_through_the_cached_series(
    hooks: Harness, fake_tmdb: FakeTMDB
) -> None:
    series = jellyfin_item_added(
        "Series", "Stranger Things", 2016, Provider_tvdb=305288, Provider_tmdb=66732
    )
    series["ItemId"] = SERIES_ID
    first = await post(hooks, series)
    assert first.json() == webhook_answer("Stranger Things", "tv", "show", 66732, matched=False)

    await seed(hooks, MediaType.TV, 66732, "Stranger Things", 2016)
    episode = jellyfin_item_added(
        "Episode",
        "Chapter One",
        2016,
        SeriesName="Stranger Things",
        SeriesId=SERIES_ID,
        Provider_tvdb=5468124,
        Provider_tmdb=1198665,
    )
    fake_tmdb.reset()
    response = await post(hooks, episode)
    assert response.json() == webhook_answer("Stranger Things", "tv", "episode", 66732)
    assert fake_tmdb.calls("/3/find") == []  # the series was known by its Jellyfin id


async def test_jellyfin_episode_resolved_by_tmdb_find(hooks: Harness, fake_tmdb: FakeTMDB) -> None:
    await seed(hooks, MediaType.TV, 66732, "Stranger Things", 2016)
    # An episode TMDB id that is also some show's id must not be taken for the show.
    await seed(hooks, MediaType.TV, 1198665, "Not this one")
    fake_tmdb.add_episode(66732, 1, 1, tvdb_id=5468124)
    episode = jellyfin_item_added(
        "Episode",
        "Chapter One",
        2016,
        SeriesName="Stranger Things",
        Provider_tvdb=5468124,
        Provider_tmdb=1198665,
    )
    response = await post(hooks, episode)
    assert response.json() == webhook_answer("Stranger Things", "tv", "episode", 66732)
    assert await request_status(hooks, MediaType.TV, 1198665) is not RequestStatus.ADDED


async def test_jellyfin_season_without_ids_matches_by_series_title(hooks: Harness) -> None:
    await seed(hooks, MediaType.TV, 66732, "Stranger Things", 2016)
    season = jellyfin_item_added("Season", "Season 1", 2016, SeriesName="Stranger Things")
    response = await post(hooks, season)
    assert response.json() == webhook_answer("Stranger Things", "tv", "season", 66732)


@pytest.mark.parametrize(
    "payload",
    [
        {"NotificationType": "PlaybackStart", "ItemType": "Movie", "Provider_tmdb": "603"},
        {"NotificationType": "UserDataSaved", "ItemType": "Episode", "Name": "x"},
        {"NotificationType": "ItemAdded", "ItemType": "Audio", "Name": "Song"},
        {"NotificationType": "ItemAdded", "ItemType": "MusicAlbum", "Name": "Album"},
        {"NotificationType": "Generic", "Name": "test notification"},
    ],
)
async def test_jellyfin_other_events_are_ignored_without_touching_anything(
    hooks: Harness, fake_tmdb: FakeTMDB, payload: dict[str, Any]
) -> None:
    await hooks.services.ready()
    revision = await hooks.services.store.revision()
    response = await post(hooks, payload)
    assert response.status_code == 200
    assert response.json()["status"] == "ignored" and response.json()["reason"]
    assert await hooks.services.store.revision() == revision
    assert fake_tmdb.seen == []


# --- Emby library.new --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/webhook/jellyfin", "/webhook/emby"])
async def test_emby_movie_as_json(hooks: Harness, path: str) -> None:
    await seed(hooks, MediaType.MOVIE, 603, "The Matrix", 1999)
    payload = emby_library_new(
        {
            "Name": "The Matrix",
            "Type": "Movie",
            "ProductionYear": 1999,
            "ProviderIds": {"Tmdb": "603", "Imdb": "tt0133093"},
        }
    )
    response = await post(hooks, payload, path=path)
    assert response.json() == webhook_answer("The Matrix", "movie", "movie", 603)


async def test_emby_multipart_data_field(hooks: Harness) -> None:
    await seed(hooks, MediaType.TV, 66732, "Stranger Things", 2016, tvdb_id=305288)
    payload = emby_library_new(
        {"Name": "Stranger Things", "Type": "Series", "ProviderIds": {"Tvdb": "305288"}}
    )
    boundary = "embyboundary0123"
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="data"\r\n\r\n'
        f"{json.dumps(payload)}\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    response = await post(hooks, body, "/webhook/emby", f"multipart/form-data; boundary={boundary}")
    assert response.json() == webhook_answer("Stranger Things", "tv", "show", 66732)


async def test_emby_episode_is_matched_to_its_show(hooks: Harness, fake_tmdb: FakeTMDB) -> None:
    await seed(hooks, MediaType.TV, 66732, "Stranger Things", 2016)
    fake_tmdb.add_episode(66732, 1, 2, imdb_id="tt4593118")
    payload = emby_library_new(
        {
            "Name": "Chapter Two",
            "Type": "Episode",
            "SeriesName": "Stranger Things",
            "SeriesId": "1234",
            "ProviderIds": {"Imdb": "tt4593118"},
        }
    )
    response = await post(hooks, payload, path="/webhook/emby")
    assert response.json() == webhook_answer("Stranger Things", "tv", "episode", 66732)


@pytest.mark.parametrize("event", ["playback.start", "item.rate", "library.deleted"])
async def test_emby_other_events_are_ignored(hooks: Harness, event: str) -> None:
    payload = emby_library_new({"Name": "The Matrix", "Type": "Movie"}, event=event)
    response = await post(hooks, payload, path="/webhook/emby")
    assert response.json()["status"] == "ignored"


# --- malformed bodies and the token --------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "application/json"),
        (b"   ", "application/json"),
        (b'{"NotificationType": ', "application/json"),
        (b"[]", "application/json"),
        (b"{}", "application/json"),  # neither NotificationType nor Event
        (b'{"NotificationType": 5}', "application/json"),
        (b'{"Event": "library.new", "Item": "x"}', "application/json"),
        (b"\x00\x01\x02", "application/octet-stream"),
        (b"--b\r\n\r\n", "multipart/form-data; boundary=b"),
    ],
)
@pytest.mark.parametrize("path", ["/webhook/jellyfin", "/webhook/emby"])
async def test_malformed_bodies_are_400(
    hooks: Harness, body: bytes, content_type: str, path: str
) -> None:
    response = await post(hooks, body, path, content_type)
    assert response.status_code == 400, response.text
    assert response.json()["detail"]


async def test_odd_values_are_answered_never_crashed(hooks: Harness) -> None:
    for payload in (
        {"NotificationType": "ItemAdded", "ItemType": "Movie", "Name": None, "Year": "soon"},
        {"NotificationType": "ItemAdded", "ItemType": "Episode", "SeriesName": ["x"]},
        {"Event": "library.new", "Item": {"Type": "Movie", "ProviderIds": "tmdb=603"}},
        {"Event": "library.new", "Item": {"Type": "Episode", "ProviderIds": {"Tvdb": -3}}},
    ):
        response = await post(hooks, payload)
        assert response.status_code in (200, 400), response.text


async def test_a_body_over_10_mib_is_413(hooks: Harness) -> None:
    payload = jellyfin_item_added("Movie", "x" * (10 * 1024 * 1024))
    response = await post(hooks, payload)
    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/webhook/jellyfin", "/webhook/emby"])
async def test_the_token_guards_these_routes_too(
    hooks: Harness, make_api: MakeApi, path: str
) -> None:
    payload = jellyfin_item_added("Movie", "The Matrix", 1999, Provider_tmdb=603)
    assert (await post(hooks, payload, path, token=None)).status_code == 401
    assert (await post(hooks, payload, path, token="nope")).status_code == 401
    unset = await make_api()
    refused = await post(unset, payload, path)
    assert (refused.status_code, refused.json()) == (403, {"detail": "webhook not configured"})
