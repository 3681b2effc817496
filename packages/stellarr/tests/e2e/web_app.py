"""Shared recipe for the web app's browser tests (test_web_*.py): a real `stellarr serve`
serving the built SvelteKit app, a headless Debian Chromium, pages that fail their test on
any console error or CSP violation, and helpers to log in, scan with axe-core, take
screenshots and check for sideways scrolling.

The fixtures are registered in tests/e2e/conftest.py; the helpers are imported with
`from e2e.web_app import ...`. A test module that needs another server (other settings)
overrides `web_server` with its own fixture built on `serving_web`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import ssl
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    sync_playwright,
)

from stellarr.bootstrap import PACKAGED_WEB
from stellarr.domain.models import MediaRequest, MediaType
from stellarr.settings import KNOWN_VARIABLES
from stellarr.store.ports import Stores
from stellarr.store.sqlite import sqlite_stores
from stellarr_testing.fake_push import FakePushService, running_fake_push, trust_context
from stellarr_testing.fake_tmdb import API_KEY, FakeTMDB
from stellarr_testing.login import login_body
from stellarr_testing.paths import PACKAGE_ROOT, WEB
from stellarr_testing.processes import running_stellarr
from stellarr_testing.webhooks import TOKEN as WEBHOOK_TOKEN

T = TypeVar("T")

CHROMIUM = "/usr/bin/chromium"
USER_PASSWORD = "correct horse battery staple"
ADMIN_PASSWORD = "admin tortoise riding a bike"
FEED_TOKEN = "e2e-feed-token-7c41d0"
VAPID_SUBJECT = "mailto:admin@stellarr.test"
# A name the browser does not treat as localhost, so pages there are not a secure context
# and crypto.subtle is missing, as on http://192.168.x.y. It resolves to 127.0.0.1.
INSECURE_HOST = "stellarr.test"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
    f"--host-resolver-rules=MAP {INSECURE_HOST} 127.0.0.1",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}  # the narrowest screen the app must fit
# `new_page(**ON_A_PHONE)`: the narrowest screen, and touch, as a phone's browser has it.
ON_A_PHONE: dict[str, Any] = {"viewport": PHONE, "is_mobile": True, "has_touch": True}

# Titles the fake TMDB answers with (its recorded captures in tests/fixtures/tmdb).
MOVIE, MOVIE_ID = "Star Trek (2009)", 13475  # in /search/multi for "star trek"
SHOW, SHOW_ID = "Star Trek (1966)", 253  # a show in both the search and trending
TRENDING_MOVIE, TRENDING_MOVIE_ID = "Fast X (2023)", 385687

SESSION_KEY = "stellarr.session"  # localStorage, the same key and shape as the old UI


@dataclass(frozen=True)
class LoginLabels:
    """The login form's labels in one language (web/src/lib/i18n/messages/*.ts)."""

    name: str
    password: str
    button: str


ENGLISH_LOGIN = LoginLabels(name="Your name", password="Password", button="Log in")

AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"
# Screenshots outlive the run here (git-ignored), so CI can keep them as artefacts and a
# person can look at them; STELLARR_E2E_ARTIFACTS moves them.
# Where screenshots for the docs go, when a run is asked to refresh them.
DOCS_SCREENSHOTS = os.environ.get("STELLARR_SCREENSHOTS")
ARTIFACTS = Path(
    os.environ.get("STELLARR_E2E_ARTIFACTS", PACKAGE_ROOT / "tests" / "e2e" / "artifacts")
)


def poll(
    read: Callable[[], T],
    done: Callable[[T], bool] = bool,
    *,
    page: Page | None = None,
    tries: int = 100,
    every: float = 0.05,
) -> T:
    """`read()` until `done` says its answer will do, at most `tries` times, `every` seconds
    apart; its last answer, for the caller to judge. With `page`, the waits go through
    Playwright, which hands over the browser's events meanwhile (a sleep would hold them)."""
    answer = read()
    for _ in range(tries - 1):
        if done(answer):
            break
        if page is None:
            time.sleep(every)
        else:
            page.wait_for_timeout(every * 1000)
        answer = read()
    return answer


def require_build() -> None:
    """The browser tests drive the built app, never a stale old UI: fail, saying how to build."""
    assert (PACKAGED_WEB / "index.html").is_file(), (
        f"the web app is not built ({PACKAGED_WEB} has no index.html): "
        "run `cd web && npm run build` (or `make web`)"
    )


# --- the server ---------------------------------------------------------------------------
@dataclass(frozen=True)
class WebServer:
    url: str
    port: int
    log: Path
    database: Path
    push: FakePushService | None = None
    vapid_public_key: str | None = None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _push_env(folder: Path, push: FakePushService) -> tuple[dict[str, str], str]:
    """Settings for Web Push through the stand-in: a fresh VAPID key, the stand-in's host
    allowed, and its CA trusted through SSL_CERT_FILE the way an admin adds a private CA."""
    private = ec.generate_private_key(ec.SECP256R1())
    number = private.private_numbers().private_value
    public = private.public_key().public_numbers()
    point = b"\x04" + public.x.to_bytes(32, "big") + public.y.to_bytes(32, "big")
    pem = "".join(
        ssl.DER_cert_to_PEM_cert(der) for der in trust_context().get_ca_certs(binary_form=True)
    )
    ca = folder / "push-ca.pem"
    ca.write_text(pem)
    env = {
        "VAPID_PRIVATE_KEY": _b64url(number.to_bytes(32, "big")),
        "VAPID_SUBJECT": VAPID_SUBJECT,
        "PUSH_ALLOWED_HOSTS": push.host,
        "SSL_CERT_FILE": str(ca),
    }
    return env, _b64url(point)


@contextmanager
def serving_web(
    folder: Path,
    fake_tmdb_server: FakeTMDB,
    extra_env: Mapping[str, str] | None = None,
    with_push: bool = True,
) -> Iterator[WebServer]:
    """`stellarr serve` as a new user runs it (SQLite in `folder`), against the fake TMDB,
    with Plex webhooks and, unless `with_push` is false, Web Push through the stand-in."""
    require_build()
    fake_tmdb_server.reset()
    env = {k: v for k, v in os.environ.items() if k not in KNOWN_VARIABLES}
    env.update(
        {
            "DATABASE_PATH": str(folder / "data" / "stellarr.db"),
            "APP_SECRET_KEY": "e2e-web-secret-key-" + "x" * 32,
            "PRESHARED_PASSWORD": USER_PASSWORD,
            "ADMIN_PASSWORD": ADMIN_PASSWORD,
            "TMDB_API_KEY": API_KEY,
            "TMDB_BASE_URL": fake_tmdb_server.url,
            "ENV_FILE": str(folder / "no.env"),
            "LOG_LEVEL": "WARNING",
            "FEED_TOKEN": FEED_TOKEN,
            "PLEX_WEBHOOK_TOKEN": WEBHOOK_TOKEN,
        }
    )
    log = folder / "server.log"
    with running_fake_push() as push, log.open("wb") as output:
        vapid_key = None
        if with_push:
            push_env, vapid_key = _push_env(folder, push)
            env.update(push_env)
        env.update(extra_env or {})
        with running_stellarr(env, folder, output) as (url, _):
            yield WebServer(
                url=url,
                port=httpx.URL(url).port or 80,
                log=log,
                database=folder / "data" / "stellarr.db",
                push=push if with_push else None,
                vapid_public_key=vapid_key,
            )


@pytest.fixture(scope="module")
def web_server(
    tmp_path_factory: pytest.TempPathFactory, fake_tmdb_server: FakeTMDB
) -> Iterator[WebServer]:
    # One server per module: starting Python takes seconds on a busy machine. Tests share
    # its database (and its failed-login limit), so each one undoes what it adds.
    with serving_web(tmp_path_factory.mktemp("stellarr-web-e2e"), fake_tmdb_server) as running:
        yield running


@pytest.fixture(scope="module")
def web_browser() -> Iterator[Browser]:
    # Module scope, never session: while sync Playwright runs, its asyncio loop counts as
    # running, and every async test after this module would fail to start its own loop.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


# --- pages that report every problem ------------------------------------------------------
# Failed loads a healthy page still reports on the console: posters (the tests keep TMDB's
# image host offline). An API call that fails is a bug unless the test says it expects it,
# with `problems.allow("/api/...")` (the 401 of a wrong password, a refused request, ...).
EXPECTED_FAILED_LOADS = ("https://image.tmdb.org/",)
_FAILED_API_LOAD = re.compile(
    r"^console: Failed to load resource: the server responded with a status of "
    r"(?P<status>\d{3}) .*\(https?://[^/]+(?P<path>/api/[^)\s]*)\)$"
)

# Runs in every document before the app, outside the page's CSP: reports each violation.
_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.__stellarrCspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}`
    + ` at ${e.sourceFile || e.documentURI}:${e.lineNumber}`);
});
"""


@dataclass
class Problems:
    """Console errors, uncaught page errors and CSP violations seen by a test's pages."""

    found: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)
    allowed_api: list[tuple[int, str]] = field(default_factory=list)

    def allow(self, fragment: str) -> None:
        """Accept console errors containing `fragment` (a load the test expects to fail)."""
        self.allowed.append(fragment)

    def allow_api(self, status: int, path: str) -> None:
        """Accept the console's report of an API answer the test makes fail on purpose:
        `status` from `path` (the path alone, or with its query)."""
        self.allowed_api.append((status, path))

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if message.text.startswith("Failed to load resource:") and any(
            part in url for part in EXPECTED_FAILED_LOADS
        ):
            return
        self.found.append(f"console: {message.text} ({url})")

    def _expected_api_failure(self, problem: str) -> bool:
        found = _FAILED_API_LOAD.search(problem)
        if not found:
            return False
        status, path = int(found["status"]), found["path"]
        return any(
            status == allowed and allowed_path in (path, path.split("?")[0])
            for allowed, allowed_path in self.allowed_api
        )

    def unexpected(self) -> list[str]:
        return [
            p
            for p in self.found
            if not any(a in p for a in self.allowed) and not self._expected_api_failure(p)
        ]


@pytest.fixture
def problems() -> Problems:
    """Request it to `allow()` an expected console error; the pages' fixtures check it."""
    return Problems()


NewPage = Callable[..., Page]


@pytest.fixture
def new_page(web_browser: Browser, web_server: WebServer, problems: Problems) -> Iterator[NewPage]:
    """A page in a fresh browser context (its own storage: another person, a phone).
    Keyword options go to `Browser.new_context` (viewport, locale, color_scheme, ...);
    `session=api_session(...)` starts it logged in. Relative URLs are on the server.
    The test fails on any console error or CSP violation in any of its pages."""
    made: list[BrowserContext] = []

    def make(session: Mapping[str, str] | None = None, **options: Any) -> Page:
        settings: dict[str, Any] = {
            "base_url": web_server.url,
            "viewport": DESKTOP,
            "locale": "en-US",
            "timezone_id": "UTC",
            **options,
        }
        if session is not None:
            settings["storage_state"] = {
                "cookies": [],
                "origins": [
                    {
                        "origin": settings["base_url"],
                        "localStorage": [{"name": SESSION_KEY, "value": json.dumps(session)}],
                    }
                ],
            }
        context = web_browser.new_context(**settings)
        made.append(context)
        # Keep the test offline: posters fall back to their placeholder, as with no internet.
        context.route("https://image.tmdb.org/**", lambda route: route.abort())
        context.expose_binding(
            "__stellarrCspViolation", lambda _source, text: problems.found.append(f"csp: {text}")
        )
        context.add_init_script(script=_CSP_LISTENER)
        context.on("console", problems.on_console)
        context.on("weberror", lambda error: problems.found.append(f"page error: {error.error}"))
        return context.new_page()

    yield make
    for context in made:
        context.close()
    left = problems.unexpected()
    assert left == [], f"errors in the browser: {left}"


@pytest.fixture
def page(new_page: NewPage) -> Page:
    """A desktop page (1280 by 900, en-US, UTC), logged out."""
    return new_page()


@pytest.fixture
def alice(new_page: NewPage, web_server: WebServer) -> Page:
    """A desktop page logged in as alice, a user; en-US and UTC, so dates on screen are known."""
    return new_page(session=api_session(web_server, USER_PASSWORD, "alice"))


# --- logging in -------------------------------------------------------------------------
def log_in(
    page: Page,
    name: str,
    password: str,
    next_path: str | None = None,
    navigate: bool = True,
    labels: LoginLabels = ENGLISH_LOGIN,
) -> None:
    """Through the real login form: fill it and press Log in, found by `labels` (the page's
    language); what follows is the test's."""
    if navigate:
        target = "/login" if next_path is None else f"/login?next={quote(next_path, safe='/')}"
        page.goto(target)
    page.get_by_label(labels.name, exact=True).fill(name)
    page.get_by_label(labels.password, exact=True).fill(password)
    _await_a_second_of_its_own(page.url, password)
    page.get_by_role("button", name=labels.button, exact=True).click()


# The second of the last form login per (origin, password): the browser signs its challenge
# with the current second, so two form logins of one password within a second would make
# the second one a replay (the app retries it once, but its 401 is a console error here).
_form_seconds: dict[tuple[str, str], int] = {}


def _await_a_second_of_its_own(url: str, password: str) -> None:
    origin = "/".join(url.split("/", 3)[:3])
    last = _form_seconds.get((origin, password), -1)
    # Early in a second, so that the page reads the same one a moment later.
    while last >= int(time.time()) or time.time() % 1 > 0.6:
        time.sleep(0.05)
    _form_seconds[(origin, password)] = int(time.time())


# Seconds already used per (server, password): the challenge is the server's origin, the
# password and the second, so only those must differ, and each module has its own server.
_used_seconds: dict[tuple[str, str], set[int]] = {}


def _free_second(server: WebServer, password: str) -> int:
    """The latest second half a minute back (clear of the browser's own logins) that no
    other login of this server and password used."""
    used = _used_seconds.setdefault((server.url, password), set())
    second = int(time.time()) - 30
    while second in used:
        second -= 1
    used.add(second)
    return second


def api_verify(server: WebServer, password: str, name: str) -> dict[str, Any]:
    """/api/auth/verify without the browser, from a second no other login of this run used:
    a challenge (password, origin, second) is single-use whoever's name it carries, so two
    logins in one second would make the second fail, and failures count towards the
    server's failed-login limit."""
    body = login_body(
        password, name=name, origin=server.url, timestamp=_free_second(server, password)
    )
    answer = httpx.post(f"{server.url}/api/auth/verify", json=body, timeout=10)
    assert answer.status_code == 200, answer.text
    verified: dict[str, Any] = answer.json()
    return verified


def api_login(server: WebServer, password: str, name: str) -> str:
    """A bearer token for `name`, without the browser."""
    token: str = api_verify(server, password, name)["token"]
    return token


def api_session(server: WebServer, password: str, name: str) -> dict[str, str]:
    """What the app keeps in localStorage once logged in; pass to `new_page(session=...)`."""
    verified = api_verify(server, password, name)
    return {"token": verified["token"], "name": verified["name"], "role": verified["role"]}


def stored_session(page: Page) -> object:
    return page.evaluate(f"() => JSON.parse(localStorage.getItem('{SESSION_KEY}'))")


# --- the server's state, for arranging a test --------------------------------------------
def wait_for_trending(server: WebServer, language: str = "en") -> None:
    """`serve` warms the trending lists in the background right after start-up."""
    url = f"{server.url}/trending-all-{language}.json"
    written = poll(lambda: httpx.get(url, timeout=10).status_code == 200, tries=300, every=0.1)
    if not written:
        raise AssertionError("stellarr serve never wrote the trending lists")


def in_store(server: WebServer, use: Callable[[Stores], Awaitable[T]]) -> T:
    """`use` on the running server's database through the store. In a thread: sync
    Playwright's loop counts as running in this one."""

    async def run() -> T:
        stores = sqlite_stores(server.database)
        await stores.database.open()
        try:
            return await use(stores)
        finally:
            await stores.database.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def add_stored_request(server: WebServer, request: MediaRequest) -> None:
    """A request straight into the store: one the fake TMDB does not have, or on a set day."""
    in_store(server, lambda stores: stores.media.add_request(request))


def set_library(server: WebServer, media_type: MediaType, ids: list[int]) -> None:
    """What a library sync does."""
    in_store(server, lambda stores: stores.media.replace_library(media_type, ids))


def mark_added(server: WebServer, media_type: MediaType, tmdb_id: int, when: datetime) -> None:
    """What a media server's webhook does when a requested title lands."""
    assert in_store(server, lambda stores: stores.media.mark_added(media_type, tmdb_id, when))


def request_title(server: WebServer, token: str, tmdb_id: int, media_type: str = "movie") -> None:
    """A request filed through the API rather than the page."""
    made = httpx.post(
        f"{server.url}/api/request",
        json={"tmdb_id": tmdb_id, "media_type": media_type},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert made.status_code == 201, made.text


def remove_request(server: WebServer, tmdb_id: int, media_type: str = "movie") -> None:
    """Undo a request as the admin (who may remove anyone's); gone already is fine."""
    admin = api_login(server, ADMIN_PASSWORD, "root")
    httpx.delete(
        f"{server.url}/api/request/{media_type}/{tmdb_id}",
        headers={"Authorization": f"Bearer {admin}"},
        timeout=10,
    )


# --- checks -----------------------------------------------------------------------------
_axe_source: str | None = None

SERIOUS = ("serious", "critical")


def axe_scan(page: Page, impacts: tuple[str, ...] = SERIOUS) -> list[dict[str, Any]]:
    """axe-core (web/node_modules, `npm ci` installs it) run on the page as it is now;
    the violations of the given impacts, each with its rule, help and offending nodes.
    Evaluated through DevTools, so the page's CSP (script-src 'self') stays untouched."""
    global _axe_source
    if _axe_source is None:
        assert AXE.is_file(), f"{AXE} missing: run `cd web && npm ci`"
        _axe_source = AXE.read_text(encoding="utf-8")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(f"() => {{ {_axe_source}\n }}")
    results = page.evaluate(
        """async () => {
          const found = await window.axe.run(document, { resultTypes: ['violations'] });
          return found.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html,
                                         summary: n.failureSummary })),
          }));
        }"""
    )
    return [v for v in results if v["impact"] in impacts]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """One line per offending node, readable in a failed assertion."""
    lines = []
    for v in violations:
        for node in v["nodes"]:
            lines.append(
                f"[{v['impact']}] {v['id']}: {v['help']} -> {node['target']} {node['html']}"
            )
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    violations = axe_scan(page)
    assert violations == [], "axe-core violations:\n" + describe_violations(violations)


def screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    """Save the page as ARTIFACTS/<name>.png (kept after the run) and return the path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")
    path = ARTIFACTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def docs_screenshot(page: Page, name: str) -> Path:
    """The screen as a person sees it, for the docs: a screenshot, copied into the folder
    STELLARR_SCREENSHOTS names (docs/screenshots, say) when it is set. A plain test run
    never writes into the repository."""
    path = screenshot(page, name, full_page=False)
    if DOCS_SCREENSHOTS:
        Path(DOCS_SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(DOCS_SCREENSHOTS) / path.name)
    return path


_OVERFLOW = """() => {
  const limit = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > limit + 0.5
      && getComputedStyle(el).position !== 'fixed'
      && !el.closest('[hidden]'))
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
      + (typeof el.className === 'string' && el.className.trim()
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
      + ` (right ${Math.round(el.getBoundingClientRect().right)}px)`);
  return { scroll: document.documentElement.scrollWidth, width: limit, wide };
}"""


def no_horizontal_overflow(page: Page) -> None:
    """The page does not scroll sideways at its current viewport; names the culprits if so."""
    found = page.evaluate(_OVERFLOW)
    assert found["scroll"] <= found["width"], (
        f"the page scrolls sideways: {found['scroll']}px wide in {found['width']}px; "
        f"too wide: {found['wide']}"
    )
