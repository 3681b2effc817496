"""The bell and the service worker in a real Chromium against a real `stellarr serve`.

Headless Chromium reaches no push service, so the one thing replaced in the browser is its
push client (`PushManager.subscribe`/`getSubscription`, `PushSubscription.unsubscribe`): it
hands out an endpoint on the push-service stand-in, with keys this test made, so the server
really encrypts to them and the stand-in really decrypts. The last hop a push service makes,
into the service worker, is DevTools' `ServiceWorker.deliverPushMessage`.
"""

from __future__ import annotations

import base64
import json
import re
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from e2e import test_browser as ui
from e2e.test_browser import (  # one server recipe and one browser for every UI test
    ADMIN_PASSWORD,
    INSECURE_HOST,
    MOVIE,
    MOVIE_ID,
    USER_PASSWORD,
    Server,
    api_login,
    log_in,
    serving,
)
from playwright.sync_api import BrowserContext, Locator, Page, expect

from stellarr_testing.fake_push import Browser as PushKeys
from stellarr_testing.fake_push import FakePushService, running_fake_push, trust_context
from stellarr_testing.fake_tmdb import FakeTMDB
from stellarr_testing.webhooks import TOKEN as WEBHOOK_TOKEN
from stellarr_testing.webhooks import multipart, plex_movie

FAKE_PUSH_CLIENT = r"""
// Stands in for the browser's own push client, the one part headless Chromium cannot run
// (it reaches no push service). Subscribing hands out the endpoint and keys the test made;
// the subscription outlives reloads like a real one. Every call is recorded for the test.
(config) => {
  const SAVED = 'test.push.subscription';
  const CALLS = 'test.push.calls';
  const read = (key, fallback) => JSON.parse(localStorage.getItem(key) || 'null') ?? fallback;
  const record = (call) => localStorage.setItem(CALLS, JSON.stringify([...read(CALLS, []), call]));
  const encode = (bytes) => btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const decode = (text) => {
    const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0)).buffer;
  };
  const bytesOf = (source) => (source instanceof ArrayBuffer ? new Uint8Array(source)
    : new Uint8Array(source.buffer, source.byteOffset, source.byteLength));

  // A real PushSubscription as far as `instanceof` goes, with this subscription's values.
  const subscription = (saved) => Object.create(PushSubscription.prototype, {
    endpoint: { value: saved.endpoint, enumerable: true },
    expirationTime: { value: null, enumerable: true },
    options: { value: { userVisibleOnly: true, applicationServerKey: decode(saved.serverKey) } },
    getKey: { value: (name) => decode(saved.keys[name]) },
    toJSON: {
      value: () => ({ endpoint: saved.endpoint, expirationTime: null, keys: { ...saved.keys } }),
    },
  });

  PushManager.prototype.subscribe = async function (options) {
    if (!options || options.userVisibleOnly !== true || !options.applicationServerKey) {
      throw new DOMException('userVisibleOnly and a key are required', 'NotAllowedError');
    }
    if (Notification.permission !== 'granted') {
      throw new DOMException('permission not granted', 'NotAllowedError');
    }
    const key = options.applicationServerKey;
    const serverKey = typeof key === 'string' ? key : encode(bytesOf(key));
    const existing = read(SAVED, null);
    // As in Chromium: one subscription per registration, bound to one server key.
    if (existing && existing.serverKey !== serverKey) {
      throw new DOMException('subscribed with another server key', 'InvalidStateError');
    }
    const saved = existing || { endpoint: config.endpoint, keys: config.keys, serverKey };
    localStorage.setItem(SAVED, JSON.stringify(saved));
    record({ call: 'subscribe', serverKey });
    return subscription(saved);
  };

  PushManager.prototype.getSubscription = async function () {
    const saved = read(SAVED, null);
    return saved ? subscription(saved) : null;
  };

  PushSubscription.prototype.unsubscribe = async function () {
    const had = read(SAVED, null) !== null;
    localStorage.removeItem(SAVED);
    record({ call: 'unsubscribe', endpoint: this.endpoint });
    return had;
  };
}
"""
# The browser and extra contexts of the other UI tests, by the names pytest looks up.
browser = ui.browser
new_context = ui.new_context

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
# On the Home Screen, iOS Safari says so through navigator.standalone.
HOME_SCREEN = "Object.defineProperty(Navigator.prototype, 'standalone', { get: () => true })"


@dataclass(frozen=True)
class PushSetup:
    server: Server
    push: FakePushService


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _ca_file(folder: Path) -> Path:
    """The stand-in's CA as a PEM file: `serve` trusts it through SSL_CERT_FILE, the way
    an admin adds a private CA, so TLS is verified as in production."""
    pem = "".join(
        ssl.DER_cert_to_PEM_cert(der) for der in trust_context().get_ca_certs(binary_form=True)
    )
    path = folder / "push-ca.pem"
    path.write_text(pem)
    return path


@pytest.fixture(scope="module")
def setup(
    tmp_path_factory: pytest.TempPathFactory, fake_tmdb_server: FakeTMDB
) -> Iterator[PushSetup]:
    folder = tmp_path_factory.mktemp("stellarr-push")
    vapid = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
    with running_fake_push() as push:
        env = {
            "VAPID_PRIVATE_KEY": _b64url(vapid.to_bytes(32, "big")),
            "VAPID_SUBJECT": "mailto:admin@stellarr.test",
            "PUSH_ALLOWED_HOSTS": push.host,
            "SSL_CERT_FILE": str(_ca_file(folder)),
            "PLEX_WEBHOOK_TOKEN": WEBHOOK_TOKEN,
        }
        with serving(folder, fake_tmdb_server, env) as server:
            yield PushSetup(server, push)


@dataclass
class Subscriber:
    """A browser whose push client hands out `endpoint`, with `keys` the test holds."""

    page: Page
    endpoint: str
    keys: PushKeys

    @property
    def bell(self) -> Locator:
        return self.page.get_by_role("button", name="Notifications")

    def calls(self) -> list[dict[str, Any]]:
        found = self.page.evaluate("() => localStorage.getItem('test.push.calls')")
        return json.loads(found) if isinstance(found, str) else []


@pytest.fixture
def subscriber(setup: PushSetup, new_context: Callable[..., BrowserContext]) -> Subscriber:
    keys = PushKeys()
    endpoint = setup.push.subscribe(keys)
    context = new_context(locale="en-US", timezone_id="UTC")
    context.grant_permissions(["notifications"], origin=setup.server.url)
    subscription = keys.subscription(endpoint)
    config = {"endpoint": endpoint, "keys": subscription["keys"]}
    context.add_init_script(script=f"({FAKE_PUSH_CLIENT})({json.dumps(config)})")
    return Subscriber(context.new_page(), endpoint, keys)


def push_status(server: Server, token: str, endpoint: str) -> dict[str, Any]:
    answer = httpx.get(
        f"{server.url}/api/push/status",
        params={"endpoint": endpoint},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    status: dict[str, Any] = answer.json()
    return status


def switch(subscriber: Subscriber, on: bool) -> Any:
    """Click the bell to turn notifications on (POST) or off (DELETE); what the page sent."""
    page, bell = subscriber.page, subscriber.bell
    method, word = ("POST", "on") if on else ("DELETE", "off")
    expect(bell).to_have_attribute("aria-pressed", "false" if on else "true")
    expect(bell).to_have_attribute("aria-disabled", "false")
    with page.expect_request(
        lambda r: r.url.endswith("/api/push/subscribe") and r.method == method
    ) as sent:
        bell.click()
    expect(bell).to_have_attribute("aria-pressed", "true" if on else "false")
    expect(page.locator("#message")).to_have_text(f"Notifications are {word} for this browser.")
    return sent.value.post_data_json


def turn_on(subscriber: Subscriber) -> Any:
    """Click the bell off→on; the subscription the page sent."""
    return switch(subscriber, on=True)


def deliver(page: Page, server: Server, payload: bytes) -> None:
    """What a push service does with a message: hand it to the browser's service worker."""
    cdp = page.context.new_cdp_session(page)
    seen: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: seen.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    scope = f"{server.url}/"
    for _ in range(100):
        live = [r for r in seen if r["scopeURL"] == scope and not r["isDeleted"]]
        if live:
            break
        page.wait_for_timeout(50)  # lets Playwright hand over the protocol's events
    else:
        raise AssertionError(f"no service worker registration for {scope}: {seen}")
    message = {"origin": server.url, "registrationId": live[-1]["registrationId"]}
    cdp.send("ServiceWorker.deliverPushMessage", {**message, "data": payload.decode()})
    cdp.detach()


SHOWN = """async () => (await (await navigator.serviceWorker.ready).getNotifications())
    .map((n) => ({title: n.title, body: n.body, tag: n.tag, icon: n.icon, image: n.image,
                  url: n.data && n.data.url}))"""


Notifications = list[dict[str, Any]]


def shown(page: Page, ready: Callable[[Notifications], bool]) -> Notifications:
    """The notifications the service worker shows, once `ready` says they are complete."""
    notifications: Notifications = []
    for _ in range(100):
        notifications = page.evaluate(SHOWN)
        if ready(notifications):
            return notifications
        page.wait_for_timeout(50)
    raise AssertionError(f"the service worker shows {notifications}")


def count(wanted: int) -> Callable[[Notifications], bool]:
    return lambda notifications: len(notifications) == wanted


def test_the_bell_subscribes_this_browser_and_unsubscribes_it(
    setup: PushSetup, subscriber: Subscriber, tmp_path: Path
) -> None:
    server, page = setup.server, subscriber.page
    token = api_login(server, USER_PASSWORD, "alice", 40)
    log_in(page, server.url, "alice", USER_PASSWORD)
    expect(subscriber.bell).to_have_attribute("aria-pressed", "false")
    assert push_status(server, token, subscriber.endpoint)["subscriptions"] == 0

    sent = turn_on(subscriber)
    assert sent == subscriber.keys.subscription(subscriber.endpoint)
    # The browser subscribed with the server's own VAPID key, as the push service requires.
    public_key = httpx.get(
        f"{server.url}/api/push/vapid-public-key",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()["public_key"]
    assert subscriber.calls() == [{"call": "subscribe", "serverKey": public_key}]
    assert push_status(server, token, subscriber.endpoint) == {
        "configured": True,
        "subscriptions": 1,
        "subscribed": True,
    }
    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope == f"{server.url}/"
    page.screenshot(path=str(tmp_path / "bell-on.png"))

    # The state survives a reload: it is read back from the browser and the server.
    page.reload()
    expect(subscriber.bell).to_have_attribute("aria-pressed", "true")

    assert switch(subscriber, on=False) == {"endpoint": subscriber.endpoint}
    assert subscriber.calls()[-1] == {"call": "unsubscribe", "endpoint": subscriber.endpoint}
    assert push_status(server, token, subscriber.endpoint)["subscriptions"] == 0
    page.screenshot(path=str(tmp_path / "bell-off.png"))

    # Logging out of a shared browser stops its notifications too.
    turn_on(subscriber)
    assert push_status(server, token, subscriber.endpoint)["subscriptions"] == 1
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert push_status(server, token, subscriber.endpoint)["subscriptions"] == 0
    assert subscriber.calls()[-1]["call"] == "unsubscribe"


def test_the_service_worker_shows_a_pushed_message_and_only_links_to_the_app(
    setup: PushSetup, subscriber: Subscriber
) -> None:
    server, page = setup.server, subscriber.page
    log_in(page, server.url, "bob", USER_PASSWORD)
    turn_on(subscriber)
    message = {
        "title": "Movie Available",
        "body": "Star Trek has been added to the library!",
        "tag": f"fulfilled-movie-{MOVIE_ID}",
        "icon": f"{server.url}/favicon.svg",
        "image": f"{server.url}/favicon.ico",
        "url": "https://elsewhere.example/phish",
    }
    deliver(page, server, json.dumps(message).encode())
    assert shown(page, count(1)) == [
        {
            "title": "Movie Available",
            "body": "Star Trek has been added to the library!",
            "tag": f"fulfilled-movie-{MOVIE_ID}",
            "icon": f"{server.url}/favicon.svg",
            "image": f"{server.url}/favicon.ico",
            "url": f"{server.url}/",  # another site's URL is never opened
        }
    ]
    # The same tag replaces the earlier notification; a link into the app is kept.
    again = {**message, "body": "Star Trek is ready", "url": "/#/requests"}
    deliver(page, server, json.dumps(again).encode())
    replaced = shown(page, lambda found: [n["body"] for n in found] == ["Star Trek is ready"])
    assert [(n["body"], n["url"]) for n in replaced] == [
        ("Star Trek is ready", f"{server.url}/#/requests")
    ]
    # A message without a title still says where it comes from.
    deliver(page, server, json.dumps({"body": "hello", "tag": "other"}).encode())
    titles = sorted((n["title"], n["body"], n["icon"]) for n in shown(page, count(2)))
    assert titles == [
        ("Movie Available", "Star Trek is ready", f"{server.url}/favicon.svg"),
        ("Stellarr", "hello", f"{server.url}/favicon.svg"),
    ]
    page.get_by_role("button", name="Notifications").click()  # leave the server as found
    expect(subscriber.bell).to_have_attribute("aria-pressed", "false")


def test_a_plex_webhook_notifies_the_browser_of_the_person_who_asked(
    setup: PushSetup, subscriber: Subscriber, tmp_path: Path
) -> None:
    server, page = setup.server, subscriber.page
    token = api_login(server, USER_PASSWORD, "carol", 42)
    log_in(page, server.url, "carol", USER_PASSWORD)
    turn_on(subscriber)
    page.get_by_role("searchbox", name="Title").fill("star trek")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("button", name=f"Request {MOVIE}").click()
    expect(page.locator("#message")).to_have_text("Added Star Trek to requests")
    try:
        body, content_type = multipart(plex_movie("Star Trek", 2009, [f"tmdb://{MOVIE_ID}"]))
        answer = httpx.post(
            f"{server.url}/webhook/plex",
            params={"token": WEBHOOK_TOKEN},
            content=body,
            headers={"Content-Type": content_type},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["matched_request"] is True
        assert answer.json()["notification_sent"] is True

        # The stand-in checked the VAPID signature and decrypted with this browser's key.
        delivered = setup.push.for_endpoint(subscriber.endpoint)
        assert len(delivered) == 1, setup.push.rejected
        payload = delivered[0].payload
        assert payload["title"] == "Movie Available"
        assert payload["body"] == "Star Trek has been added to the library!"
        assert payload["tag"] == f"fulfilled-movie-{MOVIE_ID}"

        # The push service's last hop, then what the person sees.
        deliver(page, server, json.dumps(payload).encode())
        notification = shown(page, count(1))[0]
        assert (notification["title"], notification["body"]) == (
            "Movie Available",
            "Star Trek has been added to the library!",
        )
        page.goto(f"{server.url}/#/requests")
        row = page.locator("#requests li").filter(has_text=MOVIE)
        expect(row.locator(".badge")).to_have_text("Added")
        listed = httpx.get(
            f"{server.url}/api/requests", headers={"Authorization": f"Bearer {token}"}, timeout=10
        ).json()["requests"]
        landed = datetime.fromisoformat(listed[0]["added_at"]).astimezone(UTC)  # context's zone
        on = f"{landed:%b} {landed.day}, {landed.year}"
        expect(row.locator(".meta")).to_have_text(f"Added Movie · added on {on}")
        page.screenshot(path=str(tmp_path / "requests-added-by-plex.png"))
    finally:
        admin = {"Authorization": f"Bearer {api_login(server, ADMIN_PASSWORD, 'root', 41)}"}
        httpx.delete(f"{server.url}/api/request/movie/{MOVIE_ID}", headers=admin, timeout=10)
        page.get_by_role("button", name="Log out").click()


def test_the_bell_explains_why_it_cannot_work_here(
    setup: PushSetup, new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    server = setup.server
    hint = "add Stellarr to the Home Screen first"
    phone = new_context(
        user_agent=IPHONE, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    log_in(phone, server.url, "dana", USER_PASSWORD)
    bell = phone.get_by_role("button", name="Notifications")
    expect(bell).to_have_attribute("aria-disabled", "true")
    expect(bell).to_have_attribute("aria-pressed", "false")
    expect(bell).to_have_accessible_description(re.compile(hint))
    # Greyed (aria-disabled), yet still focusable, so anyone can ask it why.
    bell.focus()
    phone.keyboard.press("Enter")
    expect(phone.locator("#message")).to_contain_text(hint)
    phone.screenshot(path=str(tmp_path / "bell-ios-hint.png"))

    # Opened from the Home Screen, the same phone may subscribe.
    home = new_context(user_agent=IPHONE, is_mobile=True, has_touch=True)
    home.add_init_script(script=HOME_SCREEN)
    app = home.new_page()
    log_in(app, server.url, "dana", USER_PASSWORD)
    expect(app.get_by_role("button", name="Notifications")).to_have_attribute(
        "aria-disabled", "false"
    )

    # Plain http on a LAN name: no service workers at all.
    url = f"http://{INSECURE_HOST}:{server.port}"
    lan = new_context().new_page()
    log_in(lan, url, "dana", USER_PASSWORD)
    lan_bell = lan.get_by_role("button", name="Notifications")
    expect(lan_bell).to_have_attribute("aria-disabled", "true")
    expect(lan_bell).to_have_accessible_description(re.compile("need Stellarr on https"))


def test_the_service_worker_is_served_fresh_from_the_root(setup: PushSetup) -> None:
    answer = httpx.get(f"{setup.server.url}/sw.js", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] in (
        "text/javascript",
        "application/javascript",
    )
    # Browsers check for a new worker on navigation; no-cache makes that check real.
    assert answer.headers["cache-control"] == "no-cache"
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert "addEventListener('push'" in answer.text
