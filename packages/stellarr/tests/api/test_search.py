from __future__ import annotations

import logging

import pytest

from stellarr.domain.models import MediaType
from stellarr_testing.fake_tmdb import API_KEY, READ_TOKEN, FakeTMDB
from stellarr_testing.harness import Harness

from .conftest import MakeApi

RESULT_KEYS = {
    "id",
    "title",
    "year",
    "overview",
    "poster_path",
    "media_type",
    "vote_average",
    "requested",
    "in_library",
    "number_of_seasons",
}


async def search(api: Harness, body: dict[str, object], **headers: str) -> dict:
    auth = await api.login()
    response = await api.client.post("/api/search", json=body, headers={**auth, **headers})
    assert response.status_code == 200, response.text
    return response.json()


async def test_multi_search_filters_people_and_normalises_shapes(
    api: Harness, fake_tmdb: FakeTMDB
) -> None:
    body = await search(api, {"query": "star trek", "page": 2})
    assert (body["page"], body["total_pages"], body["total_results"]) == (2, 7, 133)
    assert all(set(r) == RESULT_KEYS for r in body["results"])
    assert {r["media_type"] for r in body["results"]} == {"movie", "tv"}
    assert len(body["results"]) == 20  # the injected person is gone
    first = body["results"][0]
    assert (first["id"], first["title"], first["year"], first["media_type"]) == (
        253,
        "Star Trek",
        1966,
        "tv",
    )
    assert isinstance(first["number_of_seasons"], int)
    movie = next(r for r in body["results"] if r["media_type"] == "movie")
    assert movie["number_of_seasons"] is None
    assert fake_tmdb.calls("/3/search/multi")[0].query["page"] == ["2"]


async def test_typed_searches_use_their_endpoint_and_set_media_type(
    api: Harness, fake_tmdb: FakeTMDB
) -> None:
    movies = await search(api, {"query": "batman", "media_type": "movie"})
    assert [r["media_type"] for r in movies["results"]] == ["movie", "movie"]
    assert movies["results"][0]["title"] == "Batman Begins"
    shows = await search(api, {"query": "stranger things", "media_type": "tv"})
    stranger = shows["results"][0]
    assert (stranger["id"], stranger["number_of_seasons"], stranger["year"]) == (66732, 4, 2016)
    assert fake_tmdb.calls("/3/search/movie") and fake_tmdb.calls("/3/search/tv")


async def test_season_counts_cost_one_details_call_per_show_per_period(
    api: Harness, fake_tmdb: FakeTMDB
) -> None:
    first = await search(api, {"query": "star trek"})
    shows = {r["id"] for r in first["results"] if r["media_type"] == "tv"}
    assert len(fake_tmdb.calls("/3/tv/")) == len(shows)
    await search(api, {"query": "star trek"})
    await search(api, {"query": "star trek", "page": 3})
    assert len(fake_tmdb.calls("/3/tv/")) == len(shows)


async def test_flags_requested_and_in_library(api: Harness) -> None:
    auth = await api.login()
    await api.client.post("/api/request", json={"tmdb_id": 1855, "media_type": "tv"}, headers=auth)
    await api.services.store.replace_library(MediaType.MOVIE, [13475])
    body = await search(api, {"query": "star trek"})
    flags = {r["id"]: (r["requested"], r["in_library"]) for r in body["results"]}
    assert flags[1855] == (True, False)
    assert flags[13475] == (False, True)
    assert flags[253] == (False, False)


async def test_language_comes_from_body_or_accept_language(
    api: Harness, fake_tmdb: FakeTMDB
) -> None:
    await search(api, {"query": "x", "language": "pt-BR"})
    await search(api, {"query": "y"}, **{"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    await search(api, {"query": "z"})
    languages = [c.query.get("language") for c in fake_tmdb.calls("/3/search/")]
    assert languages == [["pt-BR"], ["de-DE"], None]


async def test_v4_read_token_goes_in_a_header_never_the_url(
    make_api: MakeApi, fake_tmdb: FakeTMDB
) -> None:
    api = await make_api(TMDB_API_KEY="", TMDB_READ_TOKEN=READ_TOKEN)
    await search(api, {"query": "batman", "media_type": "movie"})
    call = fake_tmdb.calls("/3/search/movie")[0]
    assert call.headers["Authorization"] == f"Bearer {READ_TOKEN}"
    assert "api_key" not in call.query


async def test_retries_429_and_5xx_then_succeeds(api: Harness, fake_tmdb: FakeTMDB) -> None:
    auth = await api.login()
    fake_tmdb.fail_next(429, retry_after="0")
    fake_tmdb.fail_next(503)
    response = await api.client.post(
        "/api/search", json={"query": "batman", "media_type": "movie"}, headers=auth
    )
    assert response.status_code == 200
    assert len(fake_tmdb.calls("/3/search/movie")) == 3


async def test_tmdb_down_is_502_without_leaking_the_key(
    api: Harness, fake_tmdb: FakeTMDB, caplog: pytest.LogCaptureFixture
) -> None:
    auth = await api.login()
    fake_tmdb.fail_next(500, times=3)
    with caplog.at_level(logging.DEBUG):
        response = await api.client.post("/api/search", json={"query": "x"}, headers=auth)
    assert response.status_code == 502
    assert response.json() == {"detail": "TMDB answered 500"}
    assert API_KEY not in response.text
    assert API_KEY not in caplog.text


async def test_unreachable_tmdb_is_502_and_bad_key_is_explained(
    make_api: MakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    nowhere = await make_api(TMDB_BASE_URL="http://127.0.0.1:9/3")
    auth = await nowhere.login()
    with caplog.at_level(logging.DEBUG):
        response = await nowhere.client.post("/api/search", json={"query": "x"}, headers=auth)
    assert response.status_code == 502 and "unreachable" in response.json()["detail"]
    assert "fake-v3-api-key" not in caplog.text + response.text

    wrong = await make_api(TMDB_API_KEY="wrong-key-123")
    auth = await wrong.login()
    response = await wrong.client.post("/api/search", json={"query": "x"}, headers=auth)
    assert response.status_code == 502 and "credentials" in response.json()["detail"]
    assert "wrong-key-123" not in response.text


async def test_missing_tmdb_credentials_is_503(make_api: MakeApi) -> None:
    api = await make_api(TMDB_API_KEY="")
    auth = await api.login()
    response = await api.client.post("/api/search", json={"query": "x"}, headers=auth)
    # People in the UI are told what is going on, not which variables the admin must set.
    assert response.status_code == 503
    assert response.json()["detail"] == "Search is not set up yet: ask the admin to add a TMDB key"
