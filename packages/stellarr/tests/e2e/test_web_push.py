"""The bell and the service worker of the web app in a real Chromium against `stellarr serve`.

Headless Chromium reaches no push service, so the one thing replaced in the browser is its
push client (`PushManager.subscribe`/`getSubscription`, `PushSubscription.unsubscribe`): it
hands out endpoints on the push-service stand-in, with keys this test made, so the server
really encrypts to them and the stand-in really checks VAPID and decrypts. The last hop a
push service makes, into the service worker, is DevTools' `ServiceWorker.deliverPushMessage`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from e2e.web_app import (
    ENGLISH_LOGIN,
    INSECURE_HOST,
    MOVIE_ID,
    SESSION_KEY,
    USER_PASSWORD,
    NewPage,
    Problems,
    WebServer,
    api_login,
    api_session,
    assert_accessible,
    log_in,
    poll,
    remove_request,
    request_title,
    screenshot,
)
from playwright.sync_api import Locator, Page, expect

from stellarr_testing.fake_push import Browser as PushKeys
from stellarr_testing.fake_push import FakePushService
from stellarr_testing.webhooks import TOKEN as WEBHOOK_TOKEN
from stellarr_testing.webhooks import multipart, plex_movie

FAKE_PUSH_CLIENT = r"""
// Stands in for the browser's own push client, the one part headless Chromium cannot run
// (it reaches no push service). Each fresh subscription hands out the next endpoint and keys
// the test made; a subscription outlives reloads like a real one. Calls are recorded.
(config) => {
  const SAVED = 'test.push.subscription';
  const CALLS = 'test.push.calls';
  const NEXT = 'test.push.next';
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
    let saved = existing;
    if (!saved) {
      const next = read(NEXT, 0);
      const made = config.subscriptions[next];
      if (!made) throw new DOMException('the test made no more endpoints', 'AbortError');
      localStorage.setItem(NEXT, JSON.stringify(next + 1));
      saved = { ...made, serverKey };
    }
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

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
# On the Home Screen, iOS Safari says so through navigator.standalone.
HOME_SCREEN = "Object.defineProperty(Navigator.prototype, 'standalone', { get: () => true })"


def _push(server: WebServer) -> FakePushService:
    assert server.push is not None and server.vapid_public_key is not None
    return server.push


@dataclass
class Subscriber:
    """A browser whose push client hands out `endpoints` in turn, with keys the test holds."""

    page: Page
    endpoints: list[str]
    keys: list[PushKeys]

    @property
    def endpoint(self) -> str:
        return self.endpoints[0]

    @property
    def bell(self) -> Locator:
        return self.page.get_by_role("button", name="Notifications", exact=True)

    def calls(self) -> list[dict[str, Any]]:
        found = self.page.evaluate("() => localStorage.getItem('test.push.calls')")
        return json.loads(found) if isinstance(found, str) else []


MakeSubscriber = Callable[..., Subscriber]


@pytest.fixture
def make_subscriber(new_page: NewPage, web_server: WebServer) -> MakeSubscriber:
    """A browser allowed to show notifications whose push client is the stand-in's."""

    def make(endpoints: int = 1, **options: Any) -> Subscriber:
        keys = [PushKeys() for _ in range(endpoints)]
        made = [_push(web_server).subscribe(k) for k in keys]
        page = new_page(**options)
        page.context.grant_permissions(["notifications"], origin=web_server.url)
        subscriptions = [
            {"endpoint": e, "keys": k.subscription(e)["keys"]}
            for e, k in zip(made, keys, strict=True)
        ]
        config = json.dumps({"subscriptions": subscriptions})
        page.context.add_init_script(script=f"({FAKE_PUSH_CLIENT})({config})")
        return Subscriber(page, made, keys)

    return make


@pytest.fixture
def subscriber(make_subscriber: MakeSubscriber) -> Subscriber:
    return make_subscriber()


def home_of(
    make_subscriber: MakeSubscriber, server: WebServer, name: str
) -> tuple[Subscriber, str]:
    """`name`'s browser, logged in, on Discover; and `name`'s token."""
    session = api_session(server, USER_PASSWORD, name)
    subscriber = make_subscriber(session=session)
    subscriber.page.goto("/")
    return subscriber, session["token"]


def push_status(server: WebServer, token: str, endpoint: str) -> dict[str, Any]:
    answer = httpx.get(
        f"{server.url}/api/push/status",
        params={"endpoint": endpoint},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    status: dict[str, Any] = answer.json()
    return status


def toast(page: Page, text: str) -> Locator:
    return page.get_by_test_id("toast").filter(has_text=text)


def switch(subscriber: Subscriber, on: bool) -> Any:
    """Click the bell to turn notifications on (POST) or off (DELETE); what the page sent last."""
    page, bell = subscriber.page, subscriber.bell
    method, word = ("POST", "on") if on else ("DELETE", "off")
    expect(bell).to_have_attribute("aria-pressed", "false" if on else "true")
    expect(bell).to_have_attribute("aria-disabled", "false")
    sent: list[Any] = []

    def seen(request: Any) -> None:
        if request.url.endswith("/api/push/subscribe") and request.method == method:
            sent.append(request.post_data_json)

    page.on("request", seen)
    bell.click()
    expect(bell).to_have_attribute("aria-pressed", "true" if on else "false")
    expect(toast(page, f"Notifications are {word} for this browser.")).to_be_visible()
    page.remove_listener("request", seen)
    assert sent, f"the bell sent no {method} /api/push/subscribe"
    return sent[-1]


def deliver(page: Page, server: WebServer, payload: bytes) -> None:
    """What a push service does with a message: hand it to the browser's service worker."""
    cdp = page.context.new_cdp_session(page)
    seen: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: seen.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    scope = f"{server.url}/"
    # Through the page's waits: Playwright hands over the protocol's events meanwhile.
    live = poll(
        lambda: [r for r in seen if r["scopeURL"] == scope and not r["isDeleted"]], page=page
    )
    if not live:
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
    # Up to 15 s: with both suites running on two cores the worker can take seconds to wake.
    notifications: Notifications = poll(lambda: page.evaluate(SHOWN), ready, page=page, tries=300)
    if not ready(notifications):
        raise AssertionError(f"the service worker shows {notifications}")
    return notifications


def count(wanted: int) -> Callable[[Notifications], bool]:
    return lambda notifications: len(notifications) == wanted


def test_the_bell_subscribes_this_browser_and_unsubscribes_it(
    web_server: WebServer, subscriber: Subscriber
) -> None:
    server, page = web_server, subscriber.page
    token = api_login(server, USER_PASSWORD, "alice")
    log_in(page, "alice", USER_PASSWORD)
    expect(subscriber.bell).to_have_attribute("aria-pressed", "false")
    assert push_status(server, token, subscriber.endpoint)["subscriptions"] == 0
    assert_accessible(page)

    sent = switch(subscriber, on=True)
    keys = subscriber.keys[0].subscription(subscriber.endpoint)["keys"]
    assert sent == {"endpoint": subscriber.endpoint, "keys": keys}
    # The browser subscribed with the server's own VAPID key, as push services require.
    assert subscriber.calls() == [{"call": "subscribe", "serverKey": server.vapid_public_key}]
    assert push_status(server, token, subscriber.endpoint) == {
        "configured": True,
        "subscriptions": 1,
        "subscribed": True,
    }
    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope == f"{server.url}/"
    screenshot(page, "push-bell-on")

    # The state survives a reload: it is read back from the browser and the server.
    page.reload()
    expect(subscriber.bell).to_have_attribute("aria-pressed", "true")

    assert switch(subscriber, on=False) == {"endpoint": subscriber.endpoint}
    # The browser's subscription ends too, not only the server's record of it.
    assert subscriber.calls()[-1] == {"call": "unsubscribe", "endpoint": subscriber.endpoint}
    assert push_status(server, token, subscriber.endpoint)["subscriptions"] == 0
    screenshot(page, "push-bell-off")


def test_logging_out_turns_this_browsers_notifications_off(
    web_server: WebServer, make_subscriber: MakeSubscriber
) -> None:
    server = web_server
    subscriber, token = home_of(make_subscriber, server, "erin")
    page = subscriber.page
    switch(subscriber, on=True)
    assert push_status(server, token, subscriber.endpoint)["subscriptions"] == 1

    # A shared browser must not keep receiving someone's notifications after they leave.
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    poll(lambda: push_status(server, token, subscriber.endpoint)["subscriptions"] == 0, page=page)
    assert push_status(server, token, subscriber.endpoint)["subscriptions"] == 0
    assert subscriber.calls()[-1] == {"call": "unsubscribe", "endpoint": subscriber.endpoint}


def test_a_lapsed_session_keeps_this_browsers_notifications(
    web_server: WebServer, make_subscriber: MakeSubscriber, problems: Problems
) -> None:
    # An expired token or a new password is no decision to stop notifications: the 401
    # sends the person to the login page, and the browser stays subscribed.
    server = web_server
    subscriber, token = home_of(make_subscriber, server, "ivan")
    page = subscriber.page
    switch(subscriber, on=True)
    for refused in ("/api/push/status", "/api/library-status", "/api/requests"):
        problems.allow_api(401, refused)  # the stale token's
    page.evaluate(
        "([key, session]) => localStorage.setItem(key, session)",
        [SESSION_KEY, json.dumps({"token": "stale", "name": "ivan", "role": "user"})],
    )
    page.reload()
    expect(page.get_by_role("button", name=ENGLISH_LOGIN.button)).to_be_visible()
    log_in(page, "ivan", USER_PASSWORD, navigate=False)
    expect(subscriber.bell).to_have_attribute("aria-pressed", "true")
    assert {"call": "unsubscribe", "endpoint": subscriber.endpoint} not in subscriber.calls()
    assert push_status(server, token, subscriber.endpoint)["subscriptions"] == 1


def test_a_subscription_for_an_old_server_key_is_replaced(
    web_server: WebServer, make_subscriber: MakeSubscriber
) -> None:
    server = web_server
    subscriber, token = home_of(make_subscriber, server, "frank")
    page = subscriber.page
    expect(subscriber.bell).to_have_attribute("aria-pressed", "false")
    # What a subscription made before the server's VAPID key changed looks like.
    stale = {
        "endpoint": "https://push.invalid/old-key",
        "keys": {"p256dh": "old", "auth": "old"},
        "serverKey": PushKeys().p256dh,
    }
    page.evaluate(
        "(saved) => localStorage.setItem('test.push.subscription', JSON.stringify(saved))", stale
    )

    switch(subscriber, on=True)
    assert subscriber.calls() == [
        {"call": "unsubscribe", "endpoint": stale["endpoint"]},
        {"call": "subscribe", "serverKey": server.vapid_public_key},
    ]
    assert push_status(server, token, subscriber.endpoint)["subscribed"] is True
    switch(subscriber, on=False)


def test_an_endpoint_another_person_registered_gets_a_fresh_subscription(
    web_server: WebServer, make_subscriber: MakeSubscriber, problems: Problems
) -> None:
    problems.allow_api(409, "/api/push/subscribe")  # gina's endpoint, offered by hank
    server = web_server
    hank = api_session(server, USER_PASSWORD, "hank")
    subscriber = make_subscriber(endpoints=2, session=hank)
    page, first, fresh = subscriber.page, subscriber.endpoints[0], subscriber.endpoints[1]
    # Gina turned notifications on in this browser earlier, then Hank logged in on it.
    gina = api_login(server, USER_PASSWORD, "gina")
    page.goto("/")
    page.evaluate(
        """([saved, key]) => {
             localStorage.setItem('test.push.subscription',
                                  JSON.stringify({ ...saved, serverKey: key }));
             localStorage.setItem('test.push.next', '1');
           }""",
        [
            {"endpoint": first, "keys": subscriber.keys[0].subscription(first)["keys"]},
            server.vapid_public_key,
        ],
    )
    registered = httpx.post(
        f"{server.url}/api/push/subscribe",
        json=subscriber.keys[0].subscription(first),
        headers={"Authorization": f"Bearer {gina}"},
        timeout=10,
    )
    assert registered.status_code == 201, registered.text

    page.reload()
    # Gina's endpoint is not Hank's: his bell is off, and turning it on gets him his own.
    sent = switch(subscriber, on=True)
    assert sent["endpoint"] == fresh
    assert subscriber.calls() == [
        {"call": "unsubscribe", "endpoint": first},
        {"call": "subscribe", "serverKey": server.vapid_public_key},
    ]
    assert push_status(server, hank["token"], fresh)["subscribed"] is True
    assert push_status(server, gina, first)["subscribed"] is True  # still hers, untouched
    switch(subscriber, on=False)
    httpx.request(
        "DELETE",
        f"{server.url}/api/push/subscribe",
        json={"endpoint": first},
        headers={"Authorization": f"Bearer {gina}"},
        timeout=10,
    )


def test_the_service_worker_shows_a_pushed_message_and_only_links_to_the_app(
    web_server: WebServer, make_subscriber: MakeSubscriber
) -> None:
    server = web_server
    subscriber, _ = home_of(make_subscriber, server, "bob")
    page = subscriber.page
    switch(subscriber, on=True)
    message = {
        "title": "Movie Available",
        "body": "Star Trek has been added to the library!",
        "tag": f"fulfilled-movie-{MOVIE_ID}",
        "icon": f"{server.url}/favicon.svg",
        "image": f"{server.url}/icons/icon-512.png",
        "url": "https://elsewhere.example/phish",
    }
    deliver(page, server, json.dumps(message).encode())
    assert shown(page, count(1)) == [
        {
            "title": "Movie Available",
            "body": "Star Trek has been added to the library!",
            "tag": f"fulfilled-movie-{MOVIE_ID}",
            "icon": f"{server.url}/favicon.svg",
            "image": f"{server.url}/icons/icon-512.png",
            "url": f"{server.url}/",  # another site's URL is never opened
        }
    ]
    # The same tag replaces the earlier notification; a link into the app is kept.
    again = {**message, "body": "Star Trek is ready", "url": f"/title/movie/{MOVIE_ID}"}
    deliver(page, server, json.dumps(again).encode())
    replaced = shown(page, lambda found: [n["body"] for n in found] == ["Star Trek is ready"])
    assert [(n["body"], n["url"]) for n in replaced] == [
        ("Star Trek is ready", f"{server.url}/title/movie/{MOVIE_ID}")
    ]
    # A message with no title or icon still says where it comes from, with the app's icon.
    deliver(page, server, json.dumps({"body": "hello", "tag": "other"}).encode())
    found = sorted((n["title"], n["body"], n["icon"]) for n in shown(page, count(2)))
    assert found == [
        ("Movie Available", "Star Trek is ready", f"{server.url}/favicon.svg"),
        ("Stellarr", "hello", f"{server.url}/icons/icon-192.png"),
    ]
    switch(subscriber, on=False)  # leave the server as found


def test_a_plex_webhook_notifies_the_browser_of_the_person_who_asked(
    web_server: WebServer, make_subscriber: MakeSubscriber
) -> None:
    server, push = web_server, _push(web_server)
    subscriber, token = home_of(make_subscriber, server, "carol")
    page = subscriber.page
    switch(subscriber, on=True)
    request_title(server, token, MOVIE_ID)
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
        delivered = push.for_endpoint(subscriber.endpoint)
        assert len(delivered) == 1, push.rejected
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
        page.goto("/requests")
        row = page.get_by_role("listitem").filter(
            has=page.get_by_role("heading", name=re.compile("Star Trek"))
        )
        expect(row.locator(".badge")).to_have_text("Added")
        screenshot(page, "push-requests-added-by-plex")
        switch(subscriber, on=False)
    finally:
        remove_request(server, MOVIE_ID)


def test_the_bell_explains_why_it_cannot_work_here(
    web_server: WebServer, new_page: NewPage
) -> None:
    server = web_server
    hint = "add Stellarr to the Home Screen first"
    session = api_session(server, USER_PASSWORD, "dana")
    phone = new_page(
        session=session,
        user_agent=IPHONE,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    phone.goto("/")
    bell = phone.get_by_role("button", name="Notifications", exact=True)
    expect(bell).to_have_attribute("aria-disabled", "true")
    expect(bell).to_have_attribute("aria-pressed", "false")
    expect(bell).to_have_accessible_description(re.compile(hint))
    # Greyed (aria-disabled), yet still focusable, so anyone can ask it why.
    bell.focus()
    phone.keyboard.press("Enter")
    expect(toast(phone, hint)).to_be_visible()
    screenshot(phone, "push-bell-ios-hint", full_page=False)

    # Opened from the Home Screen, the same phone may subscribe.
    app = new_page(session=session, user_agent=IPHONE, is_mobile=True, has_touch=True)
    app.context.add_init_script(script=HOME_SCREEN)
    app.goto("/")
    home_bell = app.get_by_role("button", name="Notifications", exact=True)
    expect(home_bell).to_have_attribute("aria-disabled", "false")

    # Plain http on a LAN name: no service workers at all. Logged in there through the form
    # (localStorage is per origin), which also checks the plain-JS login fallback.
    lan = new_page(base_url=f"http://{INSECURE_HOST}:{server.port}")
    log_in(lan, "dana", USER_PASSWORD)
    lan_bell = lan.get_by_role("button", name="Notifications", exact=True)
    expect(lan_bell).to_have_attribute("aria-disabled", "true")
    expect(lan_bell).to_have_accessible_description(re.compile("need Stellarr on https"))


def test_the_bell_speaks_the_users_language(web_server: WebServer, new_page: NewPage) -> None:
    session = api_session(web_server, USER_PASSWORD, "ines")
    page = new_page(session=session, locale="de-DE")
    page.goto("/")
    bell = page.get_by_role("button", name="Benachrichtigungen", exact=True)
    expect(bell).to_have_attribute("aria-pressed", "false")
    expect(bell).to_have_attribute(
        "title", "Benachrichtigt werden, wenn Anfragen hinzugefügt wurden"
    )


def test_the_service_worker_and_manifest_are_served_for_the_whole_app(
    web_server: WebServer,
) -> None:
    worker = httpx.get(f"{web_server.url}/service-worker.js", timeout=10)
    assert worker.status_code == 200
    assert worker.headers["content-type"].split(";")[0] in (
        "text/javascript",
        "application/javascript",
    )
    # Browsers check for a new worker on navigation; no-cache makes that check real. At the
    # root, its default scope is the whole app.
    assert worker.headers["cache-control"] == "no-cache"
    assert "script-src 'self'" in worker.headers["content-security-policy"]
    assert "showNotification" in worker.text

    manifest = httpx.get(f"{web_server.url}/manifest.webmanifest", timeout=10)
    assert manifest.status_code == 200
    assert manifest.headers["cache-control"] == "no-cache"
    icons = manifest.json()["icons"]
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in icons}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in icons:
        answer = httpx.get(f"{web_server.url}{icon['src']}", timeout=10)
        assert answer.status_code == 200, icon
        assert answer.headers["content-type"] == icon["type"], icon


# After the stand-in push client: a push service that never answers, or one that refuses
# with Chromium's own English words.
HANGING_PUSH_SERVICE = """PushManager.prototype.subscribe = () => {
  window.__subscribing = true;
  return new Promise(() => {});
};"""
REFUSING_PUSH_SERVICE = """PushManager.prototype.subscribe = async () => {
  throw new DOMException('Registration failed - permission denied', 'NotAllowedError');
};"""


def test_an_unreachable_push_service_gets_a_timeout_and_a_word(
    web_server: WebServer, make_subscriber: MakeSubscriber
) -> None:
    subscriber = make_subscriber(session=api_session(web_server, USER_PASSWORD, "gus"))
    page = subscriber.page
    page.context.add_init_script(script=HANGING_PUSH_SERVICE)
    page.clock.install()
    page.goto("/")
    expect(subscriber.bell).to_have_attribute("aria-disabled", "false")
    subscriber.bell.click()
    expect(subscriber.bell).to_have_attribute("aria-disabled", "true")  # busy
    assert poll(lambda: page.evaluate("() => window.__subscribing === true"), page=page)
    page.clock.run_for(11_000)  # past the bell's 10 s wait for the push service
    expect(toast(page, "did not answer in time")).to_be_visible()
    expect(subscriber.bell).to_have_attribute("aria-pressed", "false")
    expect(subscriber.bell).to_have_attribute("aria-disabled", "false")  # may be tried again


def test_a_refusal_is_told_in_the_users_language_not_the_browsers(
    web_server: WebServer, make_subscriber: MakeSubscriber
) -> None:
    subscriber = make_subscriber(
        session=api_session(web_server, USER_PASSWORD, "gus"), locale="fr-FR"
    )
    page = subscriber.page
    page.context.add_init_script(script=REFUSING_PUSH_SERVICE)
    page.goto("/")
    expect(subscriber.bell).to_have_attribute("aria-disabled", "false")
    subscriber.bell.click()
    told = toast(page, "a refusé l\u2019inscription")
    expect(told).to_be_visible()
    expect(told).not_to_contain_text("Registration failed")
