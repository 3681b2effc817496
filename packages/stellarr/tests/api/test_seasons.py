"""Season choices: a show requested for some of its seasons reaches Sonarr through the list
added with the matching Monitor option, and through no other (every store adapter)."""

from __future__ import annotations

from datetime import UTC, datetime

from stellarr.domain.models import MediaType
from stellarr_testing.harness import ADMIN_PASSWORD, Harness

from .conftest import MakeApi

LISTS = {"SONARR_SEASON_LISTS": "latest, first,future"}


async def request(
    api: Harness, tmdb_id: int, kind: str = "tv", who: str = "alice", **extra: str
) -> int:
    response = await api.client.post(
        "/api/request",
        json={"tmdb_id": tmdb_id, "media_type": kind, **extra},
        headers=await api.login(who),
    )
    return response.status_code


async def sonarr_ids(api: Harness, query: str = "") -> set[int]:
    response = await api.client.get(f"/list/sonarr{query}")
    assert response.status_code == 200, response.text
    return {item["tmdbId"] for item in response.json()}


async def test_each_show_is_on_exactly_the_list_of_its_choice(make_api: MakeApi) -> None:
    api = await make_api(**LISTS)
    options = await api.client.get("/api/request/options", headers=await api.login())
    assert options.json() == {"season_choices": ["all", "first", "latest", "future"]}
    assert await request(api, 66732, monitor="latest") == 201
    assert await request(api, 1855, monitor="first") == 201
    assert await request(api, 253) == 201  # no choice given: the whole show
    assert await sonarr_ids(api) == {253}
    assert await sonarr_ids(api, "?monitor=all") == {253}
    assert await sonarr_ids(api, "?monitor=latest") == {66732}
    assert await sonarr_ids(api, "?monitor=first") == {1855}
    assert await sonarr_ids(api, "?monitor=future") == set()
    mine = (await api.client.get("/api/requests", headers=await api.login())).json()
    assert {r["tmdb_id"]: r["monitor"] for r in mine["requests"]} == {
        66732: "latest",
        1855: "first",
        253: "all",
    }
    # A request that is added leaves its list like any other.
    await api.services.store.mark_added(MediaType.TV, 66732, datetime.now(UTC))
    assert await sonarr_ids(api, "?monitor=latest") == set()


async def test_with_the_setting_off_every_show_is_on_the_plain_list(make_api: MakeApi) -> None:
    api = await make_api(**LISTS)
    assert await request(api, 66732, monitor="latest") == 201
    assert await request(api, 253) == 201
    plain = await make_api(stores=api.services.stores)  # the same store, the setting taken away
    # A challenge is single-use across the shared store: go on from the first app's logins.
    plain.last_timestamp = api.last_timestamp
    options = await plain.client.get("/api/request/options", headers=await plain.login("carol"))
    assert options.json() == {"season_choices": []}
    assert await sonarr_ids(plain) == {66732, 253}
    refused = await plain.client.get("/list/sonarr?monitor=latest")
    assert refused.status_code == 404
    assert "SONARR_SEASON_LISTS" in refused.json()["detail"]
    # A choice nobody offers is refused, and nothing is stored.
    assert await request(plain, 1855, who="carol", monitor="first") == 400
    assert await plain.services.store.get_request(MediaType.TV, 1855) is None
    # A list the admin drops hands its shows to the plain list, never to none.
    fewer = await make_api(stores=api.services.stores, SONARR_SEASON_LISTS="first")
    fewer.last_timestamp = plain.last_timestamp
    assert await sonarr_ids(fewer) == {66732, 253}


async def test_bad_choices_are_clear_400s(make_api: MakeApi) -> None:
    api = await make_api(**LISTS)
    movie = await api.client.post(
        "/api/request",
        json={"tmdb_id": 272, "media_type": "movie", "monitor": "first"},
        headers=await api.login(),
    )
    assert movie.status_code == 400
    assert "Only shows have seasons" in movie.json()["detail"]
    assert await request(api, 66732, monitor="pilot") == 422
    assert (await api.client.get("/list/sonarr?monitor=pilot")).status_code == 400
    assert (await api.client.get("/api/requests", headers=await api.login())).json() == {
        "requests": []
    }


async def test_only_an_admin_changes_a_pending_choice(make_api: MakeApi) -> None:
    api = await make_api(**LISTS)
    assert await request(api, 66732, monitor="latest") == 201
    # The first requester's choice holds: a second request is a conflict, not a change.
    bob = await api.login("bob")
    again = await api.client.post(
        "/api/request", json={"tmdb_id": 66732, "media_type": "tv", "monitor": "first"}, headers=bob
    )
    assert again.status_code == 409
    change = {"monitor": "future"}
    for who in (bob, await api.login()):
        refused = await api.client.patch("/api/request/tv/66732", json=change, headers=who)
        assert refused.status_code == 403
    admin = await api.login("root", ADMIN_PASSWORD)
    changed = await api.client.patch("/api/request/tv/66732", json=change, headers=admin)
    assert changed.status_code == 200
    assert changed.json()["request"]["monitor"] == "future"
    assert await sonarr_ids(api, "?monitor=future") == {66732}
    assert await sonarr_ids(api, "?monitor=latest") == set()
    absent = await api.client.patch("/api/request/tv/1855", json=change, headers=admin)
    assert absent.status_code == 404
    await api.services.store.mark_added(MediaType.TV, 66732, datetime.now(UTC))
    late = await api.client.patch("/api/request/tv/66732", json={"monitor": "all"}, headers=admin)
    assert late.status_code == 409
    stored = await api.services.store.get_request(MediaType.TV, 66732)
    assert stored is not None and stored.monitor.value == "future"


async def test_the_feeds_page_lists_one_sonarr_list_per_choice(make_api: MakeApi) -> None:
    api = await make_api(
        FEED_TOKEN="feed-secret-123", PUBLIC_URL="https://req.example.com", **LISTS
    )
    admin = await api.login("root", ADMIN_PASSWORD)
    feeds = (await api.client.get("/api/feeds", headers=admin)).json()
    assert feeds["season_lists"] == ["first", "latest", "future"]
    assert "sonarr" not in feeds["feeds"]
    urls = {key: feed["url"] for key, feed in feeds["feeds"].items() if key.startswith("sonarr")}
    assert urls == {
        "sonarr_all": "https://req.example.com/list/sonarr?token=feed-secret-123",
        "sonarr_first": "https://req.example.com/list/sonarr?monitor=first&token=feed-secret-123",
        "sonarr_latest": "https://req.example.com/list/sonarr?monitor=latest&token=feed-secret-123",
        "sonarr_future": "https://req.example.com/list/sonarr?monitor=future&token=feed-secret-123",
    }
    assert feeds["feeds"]["sonarr_latest"]["setup"].endswith("Monitor: Last Season.")
    for url in urls.values():
        path = url.removeprefix("https://req.example.com")
        assert (await api.client.get(path)).status_code == 200
