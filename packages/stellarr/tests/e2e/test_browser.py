"""The packaged web UI in a real Chromium against a real `stellarr serve` (fake TMDB only).

Everything lives in this module, not a conftest, so other e2e tests never need Playwright.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Response,
    Route,
    expect,
    sync_playwright,
)

from stellarr.domain.models import MediaType
from stellarr.settings import KNOWN_VARIABLES
from stellarr.store.ports import Stores
from stellarr.store.sqlite import sqlite_stores
from stellarr_testing.fake_tmdb import API_KEY, PERSON, FakeTMDB
from stellarr_testing.login import login_body
from stellarr_testing.processes import running_stellarr

CHROMIUM = "/usr/bin/chromium"
USER_PASSWORD = "correct horse battery staple"
ADMIN_PASSWORD = "admin tortoise riding a bike"
FEED_TOKEN = "e2e-feed-token-7c41d0"
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


T = TypeVar("T")


@dataclass(frozen=True)
class Server:
    url: str
    port: int
    log: Path
    database: Path


@contextmanager
def serving(
    tmp_path: Path, fake_tmdb_server: FakeTMDB, extra_env: Mapping[str, str] | None = None
) -> Iterator[Server]:
    """`stellarr serve` as a new user runs it, against the fake TMDB."""
    fake_tmdb_server.reset()
    env = {k: v for k, v in os.environ.items() if k not in KNOWN_VARIABLES}
    env.update(
        {
            "DATABASE_PATH": str(tmp_path / "data" / "stellarr.db"),
            "APP_SECRET_KEY": "e2e-secret-key-" + "x" * 33,
            "PRESHARED_PASSWORD": USER_PASSWORD,
            "ADMIN_PASSWORD": ADMIN_PASSWORD,
            "TMDB_API_KEY": API_KEY,
            "TMDB_BASE_URL": fake_tmdb_server.url,
            "ENV_FILE": str(tmp_path / "no.env"),
            "LOG_LEVEL": "WARNING",
            "FEED_TOKEN": FEED_TOKEN,
            **(extra_env or {}),
        }
    )
    log = tmp_path / "server.log"
    with log.open("wb") as output, running_stellarr(env, tmp_path, output) as (url, _):
        yield Server(
            url=url,
            port=httpx.URL(url).port or 80,
            log=log,
            database=tmp_path / "data" / "stellarr.db",
        )


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, fake_tmdb_server: FakeTMDB
) -> Iterator[Server]:
    # One server per module: starting Python takes seconds on a busy machine. Tests share
    # its database, so each one undoes the requests it makes.
    with serving(tmp_path_factory.mktemp("stellarr-e2e"), fake_tmdb_server) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
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


# Failed loads a healthy page still reports on the console: posters while offline, and API
# answers the UI handles itself (the 401 of a wrong password, the 409 of a double request).
EXPECTED_FAILED_LOADS = ("https://image.tmdb.org/", "/api/")


def _expected(message: ConsoleMessage) -> bool:
    url = message.location.get("url", "")
    return message.text.startswith("Failed to load resource:") and any(
        part in url for part in EXPECTED_FAILED_LOADS
    )


def _context(browser: Browser, problems: list[str], **options: object) -> BrowserContext:
    """A browser context whose every page reports script errors and console errors,
    CSP violations among them, into `problems`."""
    context = browser.new_context(**options)  # type: ignore[arg-type]
    # Keep the test offline: posters then fall back to their placeholder, as with no internet.
    context.route("https://image.tmdb.org/**", lambda route: route.abort())

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not _expected(message):
            problems.append(f"console: {message.text}")

    context.on("console", on_console)
    context.on("weberror", lambda error: problems.append(f"page error: {error.error}"))
    return context


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    problems: list[str] = []
    context = _context(browser, problems, viewport={"width": 1280, "height": 900})
    yield context
    context.close()
    assert problems == [], f"errors in the browser: {problems}"


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Extra independent browsers (another person, a phone) for one test."""
    made: list[BrowserContext] = []
    problems: list[str] = []

    def make(**options: object) -> BrowserContext:
        made.append(_context(browser, problems, **options))
        return made[-1]

    yield make
    for context in made:
        context.close()
    assert problems == [], f"errors in the browser: {problems}"


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


# The login check vector from the API contract.
VECTOR_ORIGIN = "https://stellarr.example.com"
VECTOR_DERIVED = "ffd8ab0c4ed52e11ac0e78c3d0476dedd6e3f4cab52ad489f0284124d67a7f05"
VECTOR_HASH = "bf3a263b2bbece629bbaf98499798dd6acde208494e8315c1b64d2ec2ece8773"
MOVIE = "Star Trek (2009)"  # TMDB 13475 in the recorded /search/multi capture
MOVIE_ID = 13475


def log_in(page: Page, url: str, name: str, password: str, navigate: bool = True) -> None:
    if navigate:
        page.goto(url)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def stored_session(page: Page) -> object:
    return page.evaluate("() => JSON.parse(localStorage.getItem('stellarr.session'))")


def sent_timestamp(response: Response) -> int:
    body = response.request.post_data_json
    assert isinstance(body, dict)
    return int(body["timestamp"])


def radarr_tmdb_ids(server: Server) -> list[object]:
    feed = httpx.get(f"{server.url}/list/radarr/tmdb", params={"token": FEED_TOKEN}, timeout=10)
    assert feed.status_code == 200
    return [item["id"] for item in feed.json()]


def test_request_a_movie_and_remove_it(page: Page, server: Server, tmp_path: Path) -> None:
    page.goto(server.url)
    expect(page).to_have_title("Stellarr")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    log_in(page, server.url, "alice", USER_PASSWORD)
    expect(page.locator("#whoami")).to_have_text("alice")
    session = stored_session(page)
    assert isinstance(session, dict)
    assert session["name"] == "alice" and session["role"] == "user" and session["token"]

    page.get_by_role("searchbox", name="Title").fill("star trek")
    page.get_by_role("button", name="Search", exact=True).click()
    movie = page.locator("#results li").filter(has_text=MOVIE).first
    expect(movie.locator(".meta")).to_contain_text("Movie")
    show = page.locator("#results li").filter(
        has=page.get_by_role("heading", name="Star Trek (1966)", exact=True)
    )
    expect(show.locator(".meta")).to_contain_text("Show · 2 seasons")  # fake TMDB: 1 + 253 % 7
    # Posters point at TMDB; offline they become a placeholder instead of a broken image.
    expect(movie.locator(".poster.empty")).to_have_text("S")
    page.screenshot(path=str(tmp_path / "search.png"), full_page=False)

    movie.get_by_role("button", name=f"Request {MOVIE}").click()
    expect(page.locator("#message")).to_have_text("Added Star Trek to requests")
    expect(movie.locator(".badge")).to_have_text("Requested")
    expect(movie.get_by_role("button", name=f"Request {MOVIE}")).to_have_count(0)
    assert MOVIE_ID in radarr_tmdb_ids(server)

    page.get_by_role("link", name="Requests").click()
    row = page.locator("#requests li").filter(has_text=MOVIE)
    expect(row).to_have_count(1)
    expect(row.locator(".badge")).to_have_text("Pending")
    expect(row).to_contain_text("Requested by alice")
    page.screenshot(path=str(tmp_path / "requests.png"))

    # Remove asks first; keeping it changes nothing.
    row.get_by_role("button", name=f"Remove {MOVIE}").click()
    expect(row.get_by_role("group", name=f"Remove {MOVIE}?")).to_be_visible()
    expect(row.get_by_role("button", name=f"Keep {MOVIE}")).to_be_focused()
    row.get_by_role("button", name=f"Keep {MOVIE}").click()
    expect(row.get_by_role("button", name=f"Remove {MOVIE}")).to_be_focused()
    assert MOVIE_ID in radarr_tmdb_ids(server)
    row.get_by_role("button", name=f"Remove {MOVIE}").click()
    row.get_by_role("button", name=f"Yes, remove {MOVIE}").click()
    expect(page.locator("#message")).to_have_text("Request removed")
    expect(row).to_have_count(0)
    assert MOVIE_ID not in radarr_tmdb_ids(server)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert stored_session(page) is None


def test_feeds_view_lists_urls_with_copy_buttons(page: Page, server: Server) -> None:
    log_in(page, server.url, "alice", USER_PASSWORD)
    page.get_by_role("link", name="Feeds").click()
    radarr = page.get_by_label("Radarr (Custom Lists, TMDB ids) URL", exact=True)
    # Not an admin: the token's place is marked, and the hint says whom to ask.
    expect(radarr).to_have_value(f"{server.url}/list/radarr/tmdb?token=YOUR_FEED_TOKEN")
    expect(page.get_by_text("These feeds need a token; ask your admin for it.")).to_be_visible()
    expect(page.locator("#feeds li")).to_have_count(6)
    expect(page.locator("#feeds")).to_contain_text("Custom Lists; paste the URL.")
    page.get_by_role("button", name="Copy Radarr (Custom Lists, TMDB ids) URL").click()
    expect(page.locator("#message")).to_have_text("Copied to clipboard.")


def test_wrong_password_shows_the_servers_detail(page: Page, server: Server) -> None:
    log_in(page, server.url, "mallory", "not the password")
    expect(page.locator("#message")).to_have_text("Invalid password")
    expect(page.locator("#message")).to_be_visible()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_role("link", name="Requests")).to_be_hidden()
    assert stored_session(page) is None


def test_stale_token_sends_you_back_to_login(page: Page, server: Server) -> None:
    page.goto(server.url)
    page.evaluate(
        "() => localStorage.setItem('stellarr.session',"
        " JSON.stringify({token: 'forged', name: 'eve', role: 'admin'}))"
    )
    page.goto(f"{server.url}/#/requests")
    page.reload()
    expect(page.locator("#message")).to_contain_text(
        "Invalid or expired token. Please log in again"
    )
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert stored_session(page) is None
    # Logging in again goes back to the page the stale token was turned away from.
    log_in(page, server.url, "eve", USER_PASSWORD, navigate=False)
    expect(page.get_by_role("heading", name="Requests")).to_be_visible()
    assert page.url.endswith("#/requests")


def test_only_the_requester_or_an_admin_sees_remove(
    page: Page, server: Server, new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    log_in(page, server.url, "alice", USER_PASSWORD)
    page.get_by_role("searchbox", name="Title").fill("star trek")
    page.get_by_label("Type").select_option("movie")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#results li").first).to_be_visible()
    expect(page.locator("#results")).not_to_contain_text("Show")
    first = page.locator("#results li").first
    title = first.locator(".title").inner_text()
    first.get_by_role("button", name=f"Request {title}").click()
    expect(first.locator(".badge")).to_have_text("Requested")

    bob = new_context().new_page()
    log_in(bob, server.url, "bob", USER_PASSWORD)
    bob.get_by_role("link", name="Requests").click()
    row = bob.locator("#requests li").filter(has_text=title)
    expect(row).to_contain_text("Requested by alice")
    expect(row.get_by_role("button")).to_have_count(0)

    # A phone-sized admin: sees everyone's requests and may remove them.
    admin = new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    log_in(admin, server.url, "root", ADMIN_PASSWORD)
    expect(admin.locator("#whoami")).to_have_text("root (admin)")
    admin.get_by_role("link", name="Requests").click()
    admin.screenshot(path=str(tmp_path / "phone-requests.png"))
    admin.get_by_role("button", name=f"Remove {title}").click()
    admin.screenshot(path=str(tmp_path / "phone-confirm.png"))
    width = admin.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the confirm step scrolls sideways on a phone ({width}px)"
    admin.get_by_role("button", name=f"Yes, remove {title}").click()
    expect(admin.locator("#requests li").filter(has_text=title)).to_have_count(0)
    expect(admin.get_by_text("Nothing requested yet.")).to_be_visible()
    width = admin.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"


def test_login_retries_once_when_its_second_was_already_used(page: Page, server: Server) -> None:
    # Each (timestamp, hash) is accepted once, so two people sharing the password who log
    # in within the same second collide. Freeze the page's clock on a second someone has
    # just used; the UI must wait for the next second and succeed.
    second = int(time.time()) + 60  # within the server's allowed clock drift
    page.clock.install(time=datetime.fromtimestamp(second - 30, UTC))
    page.goto(server.url)
    page.clock.pause_at(datetime.fromtimestamp(second, UTC))
    first_body = login_body(USER_PASSWORD, name="early", origin=server.url, timestamp=second)
    taken = httpx.post(f"{server.url}/api/auth/verify", json=first_body, timeout=10)
    assert taken.status_code == 200

    verify = lambda response: response.url.endswith("/api/auth/verify")  # noqa: E731
    with page.expect_response(verify) as collided:
        log_in(page, server.url, "late", USER_PASSWORD, navigate=False)
    assert collided.value.status == 401
    assert sent_timestamp(collided.value) == second
    assert "already used" in collided.value.json()["detail"]
    with page.expect_response(verify) as retried:
        page.clock.resume()  # the UI's one-second pause now elapses
    assert retried.value.status == 200
    assert sent_timestamp(retried.value) > second
    expect(page.locator("#whoami")).to_have_text("late")


def test_pure_js_fallback_matches_the_check_vector(page: Page, server: Server) -> None:
    page.goto(server.url)
    derived = page.evaluate(
        "([origin]) => StellarrCrypto.pbkdf2Hex('changeme', origin, 100000, 32)", [VECTOR_ORIGIN]
    )
    assert derived == VECTOR_DERIVED
    assert (
        page.evaluate("(d) => StellarrCrypto.sha256Hex(d + ':1703001234')", derived) == VECTOR_HASH
    )
    # And WebCrypto, used on secure origins, agrees with it.
    subtle = page.evaluate(
        """async ([origin]) => {
            const enc = new TextEncoder();
            const key = await crypto.subtle.importKey(
                'raw', enc.encode('changeme'), 'PBKDF2', false, ['deriveBits']);
            const bits = await crypto.subtle.deriveBits(
                {name: 'PBKDF2', hash: 'SHA-256', salt: enc.encode(origin), iterations: 100000},
                key, 256);
            return Array.from(new Uint8Array(bits), b => b.toString(16).padStart(2, '0')).join('');
        }""",
        [VECTOR_ORIGIN],
    )
    assert subtle == VECTOR_DERIVED


def test_login_over_plain_http_on_a_lan_name_uses_the_fallback(page: Page, server: Server) -> None:
    url = f"http://{INSECURE_HOST}:{server.port}"
    page.goto(url)
    assert page.evaluate("() => [window.isSecureContext, typeof crypto.subtle]") == [
        False,
        "undefined",
    ]
    log_in(page, url, "carol", USER_PASSWORD)
    expect(page.locator("#whoami")).to_have_text("carol")
    page.get_by_role("link", name="Feeds").click()
    expect(page.get_by_label("Sonarr (Custom List) URL", exact=True)).to_have_value(
        f"{url}/list/sonarr?token=YOUR_FEED_TOKEN"
    )
    # Copying still works without the Clipboard API (secure contexts only).
    page.get_by_role("button", name="Copy Sonarr (Custom List) URL").click()
    expect(page.locator("#message")).to_have_text("Copied to clipboard.")


def test_a_deep_link_opened_logged_out_is_where_login_lands(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/#/feeds")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    log_in(page, server.url, "dave", USER_PASSWORD, navigate=False)
    expect(page.get_by_role("heading", name="Feeds")).to_be_visible()
    assert page.url.endswith("#/feeds")
    expect(page.get_by_role("link", name="Feeds")).to_have_attribute("aria-current", "page")
    # Without a deep link, search as before.
    page.get_by_role("button", name="Log out").click()
    page.goto(server.url)
    log_in(page, server.url, "dave", USER_PASSWORD, navigate=False)
    expect(page.get_by_role("searchbox", name="Title")).to_be_visible()


def test_admin_sees_the_real_feed_urls_and_no_ask_your_admin_hint(
    page: Page, server: Server
) -> None:
    log_in(page, server.url, "root", ADMIN_PASSWORD)
    expect(page.locator("#whoami")).to_have_text("root (admin)")
    page.get_by_role("link", name="Feeds").click()
    radarr = page.get_by_label("Radarr (Custom Lists, TMDB ids) URL", exact=True)
    expect(radarr).to_have_value(f"{server.url}/list/radarr/tmdb?token={FEED_TOKEN}")
    expect(page.get_by_text("ask your admin")).to_be_hidden()
    expect(page.get_by_text("These URLs include the feed token")).to_be_visible()
    # What the admin copies works as it stands.
    assert httpx.get(radarr.input_value(), timeout=10).status_code == 200


def test_result_count_counts_only_the_titles_shown(
    page: Page, server: Server, fake_tmdb_server: FakeTMDB
) -> None:
    # TMDB's total_results counts people, which are never shown: one movie and one person
    # from the recorded /search/multi capture make "2 results" for one card.
    recorded = fake_tmdb_server.searches["multi"]
    movie = next(item for item in recorded["results"] if item.get("media_type") == "movie")
    with fake_tmdb_server.lock:
        fake_tmdb_server.searches["multi"] = {
            "page": 1,
            "results": [movie, PERSON],
            "total_pages": 1,
            "total_results": 2,
        }
    try:
        log_in(page, server.url, "alice", USER_PASSWORD)
        page.get_by_role("searchbox", name="Title").fill("one title and one person")
        page.get_by_role("button", name="Search", exact=True).click()
        expect(page.locator("#results li")).to_have_count(1)
        expect(page.locator("#search-summary")).to_have_text("Showing 1 result")
        expect(page.get_by_role("button", name="Load more")).to_be_hidden()
    finally:
        with fake_tmdb_server.lock:
            fake_tmdb_server.searches["multi"] = recorded
    # Pages still to load: the count is of what is shown so far.
    page.get_by_role("searchbox", name="Title").fill("star trek")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#results li")).to_have_count(len(recorded["results"]) - 1)
    expect(page.locator("#search-summary")).to_have_text(
        f"Showing {len(recorded['results']) - 1} results so far"
    )


def test_the_policy_blocks_inline_script_and_the_watch_sees_it(
    browser: Browser, server: Server
) -> None:
    # The other tests pass only with no console errors; prove a CSP violation is one.
    problems: list[str] = []
    context = _context(browser, problems)
    try:
        page = context.new_page()
        page.goto(server.url)
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
            ran = page.evaluate(
                """() => {
                    const script = document.createElement('script');
                    script.textContent = 'window.injected = true';
                    document.head.append(script);
                    return window.injected === true;
                }"""
            )
        assert ran is False
    finally:
        context.close()
    assert any("Content Security Policy" in problem for problem in problems), problems


def test_api_docs_render_and_run_offline(page: Page, server: Server) -> None:
    elsewhere: list[str] = []

    def refuse(route: Route) -> None:
        elsewhere.append(route.request.url)
        route.abort()

    page.route(lambda url: not url.startswith(server.url), refuse)
    page.goto(f"{server.url}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Stellarr")
    health = page.locator(".opblock").filter(has_text="/api/health")
    health.locator(".opblock-summary").click()
    health.get_by_role("button", name="Try it out").click()
    health.get_by_role("button", name="Execute").click()
    status = health.locator(".live-responses-table tbody .response-col_status")
    expect(status).to_have_text("200")
    assert elsewhere == []


# From the recorded trending captures the fake TMDB answers with (tests/fixtures/tmdb).
TRENDING_MOVIE, TRENDING_MOVIE_ID = "Fast X (2023)", 385687
TRENDING_SHOW, TRENDING_SHOW_ID = "Star Trek (1966)", 253


def wait_for_trending(server: Server) -> None:
    """`serve` warms the missing lists in the background right after start-up."""
    for _ in range(300):
        if httpx.get(f"{server.url}/trending-all-en.json", timeout=10).status_code == 200:
            return
        time.sleep(0.1)
    raise AssertionError("stellarr serve never wrote the trending lists")


def in_store(server: Server, use: Callable[[Stores], Awaitable[T]]) -> T:
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


def set_library(server: Server, media_type: MediaType, ids: list[int]) -> None:
    """What a library sync does."""
    in_store(server, lambda stores: stores.media.replace_library(media_type, ids))


def mark_added(server: Server, media_type: MediaType, tmdb_id: int, when: datetime) -> None:
    """What a media server's webhook does when the title lands."""
    assert in_store(server, lambda stores: stores.media.mark_added(media_type, tmdb_id, when))


def api_login(server: Server, password: str, name: str, seconds_ago: int) -> str:
    """A token without the browser. An earlier second than now: a challenge is single-use,
    so the same password in the same second as a browser login would make that one fail
    once, and failures count towards the module's shared login limit."""
    body = login_body(
        password, name=name, origin=server.url, timestamp=int(time.time()) - seconds_ago
    )
    answer = httpx.post(f"{server.url}/api/auth/verify", json=body, timeout=10)
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["token"]
    return token


def request_movie(server: Server, token: str, tmdb_id: int) -> None:
    """A request filed through the API rather than the page."""
    made = httpx.post(
        f"{server.url}/api/request",
        json={"tmdb_id": tmdb_id, "media_type": "movie"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert made.status_code == 201, made.text


def card(page: Page, title: str) -> Locator:
    heading = page.get_by_role("heading", name=title, exact=True)
    return page.locator("#trending-results li").filter(has=heading)


def test_trending_grid_before_typing_with_the_same_badges_as_search(
    page: Page, server: Server, tmp_path: Path
) -> None:
    wait_for_trending(server)
    set_library(server, MediaType.TV, [TRENDING_SHOW_ID])
    request_movie(server, api_login(server, USER_PASSWORD, "bob", 30), TRENDING_MOVIE_ID)
    try:
        with page.expect_response(lambda r: "/trending-all-" in r.url) as listed:
            log_in(page, server.url, "alice", USER_PASSWORD)
        assert listed.value.url.endswith("/trending-all-en.json")  # Chromium here says en-US
        expect(page.get_by_role("heading", name="Trending this week")).to_be_visible()
        # /trending/all with its one person left out: movies and shows.
        expect(page.locator("#trending-results li")).to_have_count(18)
        expect(card(page, TRENDING_MOVIE).locator(".badge")).to_have_text("Requested")
        expect(card(page, TRENDING_SHOW).locator(".badge")).to_have_text("In library")
        expect(card(page, TRENDING_SHOW).locator(".meta")).to_contain_text("Show")
        other = card(page, "Extraction 2 (2023)")
        page.screenshot(path=str(tmp_path / "trending.png"))
        other.get_by_role("button", name="Request Extraction 2 (2023)").click()
        expect(other.locator(".badge")).to_have_text("Requested")

        # A search replaces the grid; clearing the box brings it back.
        page.get_by_role("searchbox", name="Title").fill("star trek")
        page.get_by_role("button", name="Search", exact=True).click()
        expect(page.locator("#results li").first).to_be_visible()
        expect(page.locator("#trending")).to_be_hidden()
        page.get_by_role("searchbox", name="Title").fill("")
        expect(page.locator("#trending")).to_be_visible()
        expect(page.locator("#results li")).to_have_count(0)
    finally:
        # Other tests share this server: take back both requests (an admin may remove any).
        admin = api_login(server, ADMIN_PASSWORD, "root", 31)
        for tmdb_id in (TRENDING_MOVIE_ID, 697843):  # Fast X, Extraction 2
            httpx.delete(
                f"{server.url}/api/request/movie/{tmdb_id}",
                headers={"Authorization": f"Bearer {admin}"},
                timeout=10,
            )
        set_library(server, MediaType.TV, [])


def test_trending_follows_the_browser_language_when_it_was_warmed(
    server: Server, new_context: Callable[..., BrowserContext]
) -> None:
    wait_for_trending(server)
    page = new_context(locale="fr-FR").new_page()
    with page.expect_response(lambda r: "/trending-all-" in r.url) as listed:
        log_in(page, server.url, "claude", USER_PASSWORD)
    assert listed.value.url.endswith("/trending-all-fr.json") and listed.value.status == 200
    expect(page.locator("#trending-results li")).to_have_count(18)


def test_trending_falls_back_to_english_for_other_languages(
    browser: Browser, server: Server
) -> None:
    wait_for_trending(server)
    problems: list[str] = []
    context = _context(browser, problems, locale="ja-JP")
    try:
        page = context.new_page()
        asked: list[str] = []
        page.on("response", lambda r: asked.append(f"{r.status} {httpx.URL(r.url).path}"))
        log_in(page, server.url, "haruki", USER_PASSWORD)
        expect(page.locator("#trending-results li")).to_have_count(18)
        trending = [line for line in asked if "/trending-" in line]
        assert trending == ["404 /trending-all-ja.json", "200 /trending-all-en.json"]
    finally:
        context.close()
    # Chromium reports the 404 of the first try; nothing else may go wrong.
    assert problems == [
        "console: Failed to load resource: the server responded with a status of 404 (Not Found)"
    ]


def test_an_added_request_shows_added_with_its_date(
    server: Server, new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    alice = api_login(server, USER_PASSWORD, "alice", 32)
    for tmdb_id in (MOVIE_ID, TRENDING_MOVIE_ID):
        request_movie(server, alice, tmdb_id)
    landed = datetime(2024, 5, 17, 21, 30, tzinfo=UTC)
    try:
        mark_added(server, MediaType.MOVIE, MOVIE_ID, landed)
        # A fixed language and zone, so the date on screen is known: 21:30 UTC on the 17th.
        page = new_context(locale="en-US", timezone_id="UTC").new_page()
        log_in(page, server.url, "alice", USER_PASSWORD)
        page.get_by_role("link", name="Requests").click()
        added = page.locator("#requests li").filter(has_text=MOVIE)
        expect(added.locator(".badge")).to_have_text("Added")
        expect(added.locator(".meta")).to_have_text("Added Movie · added on May 17, 2024")
        expect(added.locator(".meta time")).to_have_attribute("datetime", landed.isoformat())
        pending = page.locator("#requests li").filter(has_text=TRENDING_MOVIE)
        expect(pending.locator(".badge")).to_have_text("Pending")
        expect(pending.locator(".meta")).to_have_text("Pending Movie")
        page.screenshot(path=str(tmp_path / "requests-added.png"))
        # Added titles leave the Radarr feed; pending ones stay.
        assert radarr_tmdb_ids(server) == [TRENDING_MOVIE_ID]
    finally:
        admin = {"Authorization": f"Bearer {api_login(server, ADMIN_PASSWORD, 'root', 33)}"}
        for tmdb_id in (MOVIE_ID, TRENDING_MOVIE_ID):
            httpx.delete(f"{server.url}/api/request/movie/{tmdb_id}", headers=admin, timeout=10)


def test_a_title_in_the_library_shows_in_library_in_search(
    page: Page, server: Server, tmp_path: Path
) -> None:
    set_library(server, MediaType.MOVIE, [MOVIE_ID])
    try:
        log_in(page, server.url, "alice", USER_PASSWORD)
        page.get_by_role("searchbox", name="Title").fill("star trek")
        page.get_by_role("button", name="Search", exact=True).click()
        movie = page.locator("#results li").filter(
            has=page.get_by_role("heading", name=MOVIE, exact=True)
        )
        expect(movie.locator(".badge")).to_have_text("In library")
        expect(movie.get_by_role("button")).to_have_count(0)
        # Titles not in the library still offer the request.
        show = page.locator("#results li").filter(
            has=page.get_by_role("heading", name="Star Trek (1966)", exact=True)
        )
        expect(show.get_by_role("button", name="Request Star Trek (1966)")).to_be_visible()
        page.screenshot(path=str(tmp_path / "search-in-library.png"))
    finally:
        set_library(server, MediaType.MOVIE, [])


def test_the_bell_says_when_the_server_has_no_push_set_up(page: Page, server: Server) -> None:
    # This server has no VAPID key: the bell stays, greyed, and says why when asked.
    log_in(page, server.url, "alice", USER_PASSWORD)
    bell = page.get_by_role("button", name="Notifications")
    expect(bell).to_have_attribute("aria-disabled", "true")
    expect(bell).to_have_attribute("aria-pressed", "false")
    expect(bell).to_have_accessible_description(
        "Notifications are not set up on this Stellarr server yet."
    )
    bell.focus()  # greyed, not disabled: it stays reachable to say why
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_have_text(
        "Notifications are not set up on this Stellarr server yet."
    )
    # Nothing was registered for a feature that cannot work.
    assert (
        page.evaluate("async () => (await navigator.serviceWorker.getRegistrations()).length") == 0
    )
