"""Web Push through the API and a push-service stand-in that verifies VAPID and decrypts.

The test plays the browser (fake_push.Browser); the stand-in is reached over TLS that the
app verifies against the test CA. Everything else is the real app on a real store.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from stellarr.clients.vapid import VapidKey
from stellarr.domain.models import MediaRequest, MediaType, utcnow
from stellarr.store.ports import PushSubscription
from stellarr_testing.fake_push import Browser, FakePushService, running_fake_push, running_trap

from .conftest import MakeApi

KEY = VapidKey.generate()
SUBJECT = "mailto:admin@stellarr.test"
NOT_ON_LIST = "https://push.attacker.example/wpush/v2/abc"


@pytest.fixture
def push_service() -> Iterator[FakePushService]:
    with running_fake_push() as service:
        yield service


@pytest.fixture
def trap() -> Iterator[FakePushService]:
    with running_trap() as server:
        yield server


def push_env(service: FakePushService, **extra: str) -> dict[str, str]:
    return {
        "VAPID_PRIVATE_KEY": KEY.private_b64,
        "VAPID_SUBJECT": SUBJECT,
        "PUSH_ALLOWED_HOSTS": f"fcm.googleapis.com,{service.host}",
        **extra,
    }


def movie_of(user: str, tmdb_id: int = 603, title: str = "The Matrix") -> MediaRequest:
    return MediaRequest(
        media_type=MediaType.MOVIE,
        tmdb_id=tmdb_id,
        title=title,
        requested_by=user,
        requested_at=utcnow(),
        year=1999,
        poster_path="/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg",
    )


async def subscribe(api: Any, user: str, body: dict[str, Any]) -> Any:
    return await api.client.post("/api/push/subscribe", json=body, headers=await api.login(user))


async def test_vapid_public_key_is_the_configured_one(
    make_api: MakeApi, push_service: FakePushService
) -> None:
    api = await make_api(**push_env(push_service))
    response = await api.client.get("/api/push/vapid-public-key", headers=await api.login())
    assert response.status_code == 200
    assert response.json() == {"public_key": KEY.public_b64}
    # What a browser passes as applicationServerKey: 65 bytes, uncompressed.
    assert "=" not in KEY.public_b64 and len(KEY.public_b64) == 87


async def test_without_a_key_push_is_not_set_up(make_api_with: MakeApi) -> None:
    from stellarr_testing.memory_store import memory_stores

    api = await make_api_with(stores=memory_stores())
    auth = await api.login()
    response = await api.client.get("/api/push/vapid-public-key", headers=auth)
    assert response.status_code == 503
    assert response.json()["detail"].startswith("Push notifications are not set up")
    status = await api.client.get("/api/push/status", headers=auth)
    assert status.json() == {"configured": False, "subscriptions": 0}


async def test_a_key_without_subject_or_https_public_url_is_not_enough(
    make_api_with: MakeApi,
) -> None:
    from stellarr_testing.memory_store import memory_stores

    api = await make_api_with(
        stores=memory_stores(), VAPID_PRIVATE_KEY=KEY.private_b64, PUBLIC_URL="http://nas.lan"
    )
    response = await api.client.get("/api/push/vapid-public-key", headers=await api.login())
    assert response.status_code == 503


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/push/vapid-public-key", None),
        ("GET", "/api/push/status", None),
        ("POST", "/api/push/subscribe", Browser().subscription("https://fcm.googleapis.com/x")),
        ("DELETE", "/api/push/subscribe", {"endpoint": "https://fcm.googleapis.com/x"}),
    ],
)
async def test_every_route_needs_a_token(
    make_api: MakeApi, push_service: FakePushService, method: str, path: str, body: Any
) -> None:
    api = await make_api(**push_env(push_service))
    for headers in ({}, {"Authorization": "Bearer not.a.token"}):
        response = await api.client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert "detail" in response.json()


async def test_subscribe_refresh_status_and_unsubscribe(
    make_api: MakeApi, push_service: FakePushService
) -> None:
    api = await make_api(**push_env(push_service))
    auth = await api.login("alice")
    browser = Browser()
    endpoint = push_service.subscribe(browser)

    first = await subscribe(api, "alice", browser.subscription(endpoint))
    assert (first.status_code, first.json()) == (201, {"status": "subscribed"})
    again = await subscribe(api, "alice", Browser().subscription(endpoint))  # new keys
    assert (again.status_code, again.json()) == (200, {"status": "updated"})

    status = await api.client.get("/api/push/status", params={"endpoint": endpoint}, headers=auth)
    assert status.json() == {"configured": True, "subscriptions": 1, "subscribed": True}
    other = await api.client.get(
        "/api/push/status", params={"endpoint": endpoint + "x"}, headers=auth
    )
    assert other.json()["subscribed"] is False

    gone = await api.client.request(
        "DELETE", "/api/push/subscribe", json={"endpoint": endpoint}, headers=auth
    )
    assert (gone.status_code, gone.json()) == (200, {"status": "unsubscribed"})
    twice = await api.client.request(
        "DELETE", "/api/push/subscribe", json={"endpoint": endpoint}, headers=auth
    )
    assert twice.status_code == 404
    status = await api.client.get("/api/push/status", headers=auth)
    assert status.json() == {"configured": True, "subscriptions": 0}


async def test_nobody_reads_replaces_or_deletes_another_users_subscription(
    make_api: MakeApi, push_service: FakePushService
) -> None:
    api = await make_api(**push_env(push_service))
    alice_browser = Browser()
    endpoint = push_service.subscribe(alice_browser)
    assert (await subscribe(api, "alice", alice_browser.subscription(endpoint))).status_code == 201
    bob = await api.login("bob")

    # Replace: bob registers alice's endpoint with keys of his own.
    taken = await subscribe(api, "bob", Browser().subscription(endpoint))
    assert taken.status_code == 409 and "detail" in taken.json()
    # Delete: answered exactly as for an endpoint that does not exist.
    deleted = await api.client.request(
        "DELETE", "/api/push/subscribe", json={"endpoint": endpoint}, headers=bob
    )
    missing = await api.client.request(
        "DELETE", "/api/push/subscribe", json={"endpoint": endpoint + "nope"}, headers=bob
    )
    assert deleted.status_code == missing.status_code == 404
    assert deleted.json() == missing.json()
    # Read: bob's status knows nothing of alice's browsers.
    status = await api.client.get("/api/push/status", params={"endpoint": endpoint}, headers=bob)
    assert status.json() == {"configured": True, "subscriptions": 0, "subscribed": False}

    # Alice's subscription is intact, keys included: her browser decrypts the next push.
    assert await api.services.notifier.fulfilled(movie_of("alice")) is True
    [delivery] = push_service.for_endpoint(endpoint)
    assert delivery.payload["title"] == "Movie Available"
    assert push_service.rejected == []


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.1/wpush",  # not https
        "https://169.254.169.254/latest/meta-data/",  # cloud metadata, an IP literal
        "https://127.0.0.1/wpush",  # loopback, not listed (only the stand-in's port is)
        "https://[::1]/wpush",
        NOT_ON_LIST,
        "https://fcm.googleapis.com.attacker.example/fcm/send/x",
        "https://user:pw@fcm.googleapis.com/fcm/send/x",
        "https://fcm.googleapis.com:8443/fcm/send/x",  # the allowed host, another port
        "https://fcm.googleapis.com/fcm/send/x#frag",
        "https://fcm.googleapis.com/fcm/send/ x",
        "file:///etc/passwd",
        "https://" + "a" * 2100,
    ],
)
async def test_endpoints_off_the_allow_list_are_refused(
    make_api: MakeApi, push_service: FakePushService, endpoint: str
) -> None:
    api = await make_api(**push_env(push_service))
    response = await subscribe(api, "alice", Browser().subscription(endpoint))
    assert response.status_code == 422, response.text
    assert "endpoint" in response.json()["detail"]
    status = await api.client.get("/api/push/status", headers=await api.login("alice"))
    assert status.json()["subscriptions"] == 0


def _bad_bodies() -> list[Any]:
    good = Browser().subscription("https://fcm.googleapis.com/fcm/send/abc")
    keys = good["keys"]
    compressed = "A" + keys["p256dh"][1:44]  # 33 bytes, not an uncompressed point
    return [
        {},
        {"endpoint": good["endpoint"]},
        {"endpoint": 42, "keys": keys},
        {**good, "keys": {"p256dh": keys["p256dh"]}},
        {**good, "keys": {**keys, "p256dh": compressed}},
        {**good, "keys": {**keys, "p256dh": "C" + keys["p256dh"][1:]}},  # not 0x04-prefixed
        {**good, "keys": {**keys, "p256dh": "!!not base64!!"}},
        {**good, "keys": {**keys, "auth": keys["auth"][:10]}},
        {**good, "keys": {**keys, "auth": "x" * 200}},
        [good],
        "endpoint",
    ]


@pytest.mark.parametrize("body", _bad_bodies())
async def test_bad_subscription_bodies_are_422(
    make_api_with: MakeApi, push_service: FakePushService, body: Any
) -> None:
    from stellarr_testing.memory_store import memory_stores

    api = await make_api_with(stores=memory_stores(), **push_env(push_service))
    response = await subscribe(api, "alice", body)
    assert response.status_code == 422, response.text
    assert isinstance(response.json()["detail"], str)


async def test_round_trip_delivers_exactly_the_payload_to_the_requester_only(
    make_api: MakeApi, push_service: FakePushService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api = await make_api(**push_env(push_service))
    phone, laptop, bobs = Browser(), Browser(), Browser()
    endpoints = [push_service.subscribe(b) for b in (phone, laptop)]
    for browser, endpoint in zip((phone, laptop), endpoints, strict=True):
        assert (await subscribe(api, "alice", browser.subscription(endpoint))).status_code == 201
    bob_endpoint = push_service.subscribe(bobs)
    assert (await subscribe(api, "bob", bobs.subscription(bob_endpoint))).status_code == 201

    request = movie_of("alice")
    await api.services.store.add_request(request)
    assert await api.services.store.mark_added(MediaType.MOVIE, 603, utcnow())
    assert await api.services.notifier.fulfilled(request) is True

    expected = {
        "title": "Movie Available",
        "body": "The Matrix has been added to the library!",
        "tag": "fulfilled-movie-603",
        "image": "https://image.tmdb.org/t/p/w500/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg",
        "icon": "/icons/icon-192.png",
        "url": "/",
    }
    assert push_service.rejected == []
    for endpoint in endpoints:
        [delivery] = push_service.for_endpoint(endpoint)
        assert delivery.payload == expected
        assert delivery.vapid_key == KEY.public_b64
        assert delivery.claims["sub"] == SUBJECT
        assert delivery.claims["aud"] == push_service.origin
        assert int(delivery.headers["ttl"]) > 0 and delivery.headers["urgency"] == "normal"
    assert push_service.for_endpoint(bob_endpoint) == []
    # Logs name the push service, never an endpoint's capability path or a key.
    assert "PUSH: delivered to" in caplog.text
    for endpoint in (*endpoints, bob_endpoint):
        assert endpoint.rsplit("/", 1)[1] not in caplog.text
    for secret in (KEY.private_b64, phone.p256dh, laptop.p256dh):
        assert secret not in caplog.text


async def test_tv_payload_and_public_url_subject(
    make_api: MakeApi, push_service: FakePushService
) -> None:
    env = push_env(push_service, PUBLIC_URL="https://requests.example.com/stellarr")
    del env["VAPID_SUBJECT"]
    api = await make_api(**env)
    browser = Browser()
    endpoint = push_service.subscribe(browser)
    assert (await subscribe(api, "carol", browser.subscription(endpoint))).status_code == 201
    show = MediaRequest(
        media_type=MediaType.TV,
        tmdb_id=66732,
        title="Stranger Things",
        requested_by="carol",
        requested_at=utcnow(),
    )
    assert await api.services.notifier.fulfilled(show) is True
    [delivery] = push_service.for_endpoint(endpoint)
    assert delivery.payload == {
        "title": "TV Show Available",
        "body": "Stranger Things has been added to the library!",
        "tag": "fulfilled-tv-66732",
        "image": None,
        "icon": "https://requests.example.com/stellarr/icons/icon-192.png",
        "url": "https://requests.example.com/stellarr/",
    }
    assert delivery.claims["sub"] == "https://requests.example.com"


async def test_gone_subscription_is_removed(
    make_api: MakeApi, push_service: FakePushService
) -> None:
    api = await make_api(**push_env(push_service))
    alive, dead = Browser(), Browser()
    alive_endpoint, dead_endpoint = push_service.subscribe(alive), push_service.subscribe(dead)
    for browser, endpoint in ((alive, alive_endpoint), (dead, dead_endpoint)):
        assert (await subscribe(api, "alice", browser.subscription(endpoint))).status_code == 201
    push_service.gone.add(dead_endpoint.removeprefix(push_service.origin))

    assert await api.services.notifier.fulfilled(movie_of("alice")) is True
    remaining = await api.services.stores.push.for_user("alice")
    assert [s.endpoint for s in remaining] == [alive_endpoint]
    auth = await api.login("alice")
    status = await api.client.get(
        "/api/push/status", params={"endpoint": dead_endpoint}, headers=auth
    )
    assert status.json() == {"configured": True, "subscriptions": 1, "subscribed": False}


async def test_redirects_from_a_push_service_are_not_followed(
    make_api: MakeApi, push_service: FakePushService, trap: FakePushService
) -> None:
    api = await make_api(**push_env(push_service))
    browser = Browser()
    endpoint = push_service.subscribe(browser)
    assert (await subscribe(api, "alice", browser.subscription(endpoint))).status_code == 201
    push_service.redirects[endpoint.removeprefix(push_service.origin)] = f"{trap.origin}/collect"

    assert await api.services.notifier.fulfilled(movie_of("alice")) is False
    assert [hit.path for hit in push_service.hits] == [endpoint.removeprefix(push_service.origin)]
    assert trap.hits == []
    # A redirect is a failure, not a "gone": the subscription stays.
    assert len(await api.services.stores.push.for_user("alice")) == 1


async def test_send_checks_the_allow_list_again(
    make_api: MakeApi, push_service: FakePushService, trap: FakePushService
) -> None:
    """A stored endpoint that is not (or no longer) allowed is never contacted, even
    though the trap would answer and its certificate is trusted."""
    api = await make_api(**push_env(push_service))
    await api.services.ready()  # the first request would open the store
    browser = Browser()
    await api.services.stores.push.save(
        PushSubscription(
            "alice", f"{trap.origin}/wpush/v2/x", browser.p256dh, "AAAAAAAAAAAAAAAAAAAAAA", utcnow()
        )
    )
    assert await api.services.notifier.fulfilled(movie_of("alice")) is False
    assert trap.hits == []


async def test_each_user_keeps_at_most_twenty_browsers(
    make_api_with: MakeApi, push_service: FakePushService
) -> None:
    from stellarr_testing.memory_store import memory_stores

    api = await make_api_with(stores=memory_stores(), **push_env(push_service))
    endpoints = []
    for _ in range(21):
        browser = Browser()
        endpoints.append(push_service.subscribe(browser))
        response = await subscribe(api, "alice", browser.subscription(endpoints[-1]))
        assert response.status_code == 201
    mine = await api.services.stores.push.for_user("alice")
    assert [s.endpoint for s in mine] == endpoints[1:]


async def test_failing_push_service_does_not_fail_the_caller(
    make_api: MakeApi, push_service: FakePushService
) -> None:
    api = await make_api(**push_env(push_service))
    browser = Browser()
    endpoint = push_service.subscribe(browser)
    assert (await subscribe(api, "alice", browser.subscription(endpoint))).status_code == 201
    # The push service now knows another key for this endpoint: decryption fails there.
    push_service.browsers[endpoint.removeprefix(push_service.origin)] = Browser()
    assert await api.services.notifier.fulfilled(movie_of("alice")) is False
    assert len(push_service.rejected) == 1
    assert len(await api.services.stores.push.for_user("alice")) == 1
