"""NOTIFY_URLS through the app: new requests and fulfilment reach an Apprise notify_target."""

from __future__ import annotations

from stellarr.domain.models import MediaType, utcnow
from stellarr_testing.fake_notify import FakeNotifyTarget

from .conftest import MakeApi


async def test_a_new_request_is_announced(
    make_api: MakeApi, notify_target: FakeNotifyTarget
) -> None:
    api = await make_api(NOTIFY_URLS=f" {notify_target.url('/requests')} ,")
    auth = await api.login("alice")
    response = await api.client.post(
        "/api/request", json={"tmdb_id": 66732, "media_type": "tv"}, headers=auth
    )
    assert response.status_code == 201
    [message] = notify_target.messages()
    assert message.body["title"] == "New request: Stranger Things (2016)"
    assert message.body["message"] == "alice requested the TV show Stranger Things (2016)."


async def test_a_failing_channel_never_fails_the_request(
    make_api: MakeApi, notify_target: FakeNotifyTarget
) -> None:
    notify_target.status = 503
    api = await make_api(NOTIFY_URLS=notify_target.url())
    response = await api.client.post(
        "/api/request",
        json={"tmdb_id": 66732, "media_type": "tv"},
        headers=await api.login("alice"),
    )
    assert response.status_code == 201
    assert len(notify_target.messages()) == 1
    listed = await api.client.get("/api/requests", headers=await api.login("alice"))
    assert [r["tmdb_id"] for r in listed.json()["requests"]] == [66732]


async def test_fulfilment_reaches_the_channels(
    make_api: MakeApi, notify_target: FakeNotifyTarget
) -> None:
    api = await make_api(NOTIFY_URLS=notify_target.url("/done"))
    auth = await api.login("alice")
    await api.client.post("/api/request", json={"tmdb_id": 66732, "media_type": "tv"}, headers=auth)
    assert await api.services.store.mark_added(MediaType.TV, 66732, utcnow())
    request = await api.services.store.get_request(MediaType.TV, 66732)
    assert request is not None
    assert await api.services.notifier.fulfilled(request) is True
    done = [m.body for m in notify_target.messages() if m.path == "/done"]
    assert done[-1]["title"] == "TV Show Available"
    assert done[-1]["message"] == "Stranger Things has been added to the library!"


async def test_without_channels_or_browsers_nobody_is_told(make_api: MakeApi) -> None:
    api = await make_api()
    auth = await api.login("alice")
    await api.client.post("/api/request", json={"tmdb_id": 66732, "media_type": "tv"}, headers=auth)
    request = await api.services.store.get_request(MediaType.TV, 66732)
    assert request is not None
    assert await api.services.notifier.fulfilled(request) is False
