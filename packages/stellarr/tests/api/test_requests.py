from __future__ import annotations

import asyncio
from datetime import datetime

from stellarr_testing.fake_tmdb import FakeTMDB
from stellarr_testing.harness import ADMIN_PASSWORD, Harness


async def add(api: Harness, tmdb_id: int, media_type: str, name: str = "alice"):  # type: ignore[no-untyped-def]
    auth = await api.login(name)
    return await api.client.post(
        "/api/request", json={"tmdb_id": tmdb_id, "media_type": media_type}, headers=auth
    )


async def test_request_stores_details_and_external_ids(api: Harness, fake_tmdb: FakeTMDB) -> None:
    response = await add(api, 66732, "tv", name="bob")
    assert response.status_code == 201
    assert response.json() == {"success": True, "message": "Added Stranger Things to requests"}
    call = fake_tmdb.calls("/3/tv/66732")[-1]
    assert call.query["append_to_response"] == ["external_ids"]
    listed = await api.client.get("/api/requests", headers=await api.login("bob"))
    [item] = listed.json()["requests"]
    assert item["tmdb_id"] == 66732 and item["media_type"] == "tv"
    assert (item["title"], item["year"], item["imdb_id"], item["tvdb_id"]) == (
        "Stranger Things",
        2016,
        "tt4574334",
        305288,
    )
    assert item["poster_path"] == "/x2LSRK2Cm7MZhjluni1msVJ3wDF.jpg" and item["overview"]
    assert (item["status"], item["requested_by"], item["added_at"]) == ("pending", "bob", None)
    assert datetime.fromisoformat(item["requested_at"]).utcoffset() is not None


async def test_movie_imdb_id_comes_from_details(api: Harness) -> None:
    assert (await add(api, 823464, "movie")).status_code == 201
    [item] = (await api.client.get("/api/requests", headers=await api.login())).json()["requests"]
    assert item["imdb_id"] == "tt14539740" and item["tvdb_id"] is None


async def test_requester_comes_from_the_token_not_the_body(api: Harness) -> None:
    auth = await api.login("carol")
    response = await api.client.post(
        "/api/request",
        json={"tmdb_id": 272, "media_type": "movie", "requested_by": "mallory"},
        headers=auth,
    )
    assert response.status_code == 201
    [item] = (await api.client.get("/api/requests", headers=auth)).json()["requests"]
    assert item["requested_by"] == "carol"


async def test_duplicate_unknown_and_upstream_failures(api: Harness, fake_tmdb: FakeTMDB) -> None:
    assert (await add(api, 272, "movie")).status_code == 201
    again = await add(api, 272, "movie", name="bob")
    assert again.status_code == 409 and again.json()["detail"]
    missing = await add(api, 999999, "movie")
    assert missing.status_code == 404 and "999999" in missing.json()["detail"]
    fake_tmdb.fail_next(502, times=3)
    down = await add(api, 498471, "movie")
    assert down.status_code == 502


async def test_concurrent_duplicate_requests_leave_one(api: Harness) -> None:
    auth = await api.login()
    responses = await asyncio.gather(
        *(
            api.client.post("/api/request", json={"tmdb_id": 253, "media_type": "tv"}, headers=auth)
            for _ in range(6)
        )
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409, 409]
    assert len((await api.client.get("/api/requests", headers=auth)).json()["requests"]) == 1


async def test_list_is_newest_first_and_filters_by_type(api: Harness) -> None:
    for tmdb_id, kind in ((272, "movie"), (253, "tv"), (13475, "movie")):
        assert (await add(api, tmdb_id, kind)).status_code == 201
    auth = await api.login()
    everything = (await api.client.get("/api/requests", headers=auth)).json()["requests"]
    assert [r["tmdb_id"] for r in everything] == [13475, 253, 272]
    movies = await api.client.get("/api/requests?media_type=movie", headers=auth)
    assert [r["tmdb_id"] for r in movies.json()["requests"]] == [13475, 272]


async def test_only_the_requester_or_an_admin_may_remove(api: Harness) -> None:
    await add(api, 272, "movie", name="alice")
    await add(api, 253, "tv", name="alice")
    bob = await api.login("bob")
    refused = await api.client.delete("/api/request/movie/272", headers=bob)
    assert refused.status_code == 403
    own = await api.client.delete("/api/request/movie/272", headers=await api.login("alice"))
    assert own.status_code == 200
    admin = await api.login("root", ADMIN_PASSWORD)
    by_admin = await api.client.delete("/api/request/tv/253", headers=admin)
    assert by_admin.json() == {"success": True, "message": "Request removed"}
    absent = await api.client.delete("/api/request/tv/253", headers=admin)
    assert absent.status_code == 404
    assert (await api.client.get("/api/requests", headers=admin)).json() == {"requests": []}
