"""The web app as a PWA with no network, or with a network but no Stellarr: the service worker
keeps the app shell, so a reload still opens the app, and the page says clearly that it is
offline, or that Stellarr cannot be reached."""

from __future__ import annotations

from pathlib import Path

from e2e.web_app import (
    USER_PASSWORD,
    NewPage,
    Problems,
    WebServer,
    api_session,
    screenshot,
    serving_web,
)
from playwright.sync_api import Page, expect

from stellarr_testing.fake_tmdb import FakeTMDB

OFFLINE = "You are offline."
UNREACHABLE = "Can\u2019t reach Stellarr."  # with the typographic apostrophe, as shown

CONTROLLED = "() => navigator.serviceWorker.controller !== null"


def _controlled(page: Page) -> None:
    """Waits until the service worker has installed (the shell is cached by then) and
    controls the page (it claims open pages as it activates)."""
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.wait_for_function(CONTROLLED)


def test_an_offline_reload_opens_the_kept_shell_with_a_notice(
    web_server: WebServer, new_page: NewPage, problems: Problems
) -> None:
    # Offline, the app's own calls fail as they would on a train: that is expected here.
    problems.allow("ERR_INTERNET_DISCONNECTED")
    page = new_page(session=api_session(web_server, USER_PASSWORD, "olga"))
    page.goto("/")
    _controlled(page)
    notice = page.get_by_text(OFFLINE)
    expect(notice).to_have_count(0)

    page.context.set_offline(True)
    # The worker itself cannot reach the server now: what opens next comes from its cache.
    [worker] = page.context.service_workers
    reached = worker.evaluate("fetch('/').then(() => 'reached', (error) => error.name)")
    assert reached == "TypeError"
    answer = page.reload()
    assert answer is not None and answer.from_service_worker, "the shell came from the network"
    expect(page.get_by_role("link", name="Stellarr").first).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(notice).to_be_visible()
    screenshot(page, "offline-shell")

    # A deep link opens offline too: every app route is the same shell.
    deep = page.goto("/requests")
    assert deep is not None and deep.from_service_worker
    expect(page.get_by_role("link", name="Requests", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(notice).to_be_visible()

    # The API is never answered from a cache: offline, its calls fail as they are.
    failed = page.evaluate(
        "() => fetch('/api/requests').then(() => 'answered', (error) => error.name)"
    )
    assert failed == "TypeError"

    # Back online, the notice goes without a reload.
    page.context.set_offline(False)
    expect(notice).to_have_count(0)


def test_a_server_that_stopped_answering_is_named_while_the_browser_is_online(
    tmp_path: Path, fake_tmdb_server: FakeTMDB, new_page: NewPage, problems: Problems
) -> None:
    # The login page makes no call as it opens: only the worker can tell that the page came
    # from its cache because Stellarr did not answer.
    problems.allow("ERR_CONNECTION_REFUSED")
    with serving_web(tmp_path, fake_tmdb_server, with_push=False) as doomed:
        page = new_page(base_url=doomed.url)
        page.goto("/login")
        _controlled(page)
        expect(page.get_by_text(UNREACHABLE)).to_have_count(0)
    # Stopped now; the browser is as online as before.
    answer = page.reload()
    assert answer is not None and answer.from_service_worker, "the shell came from the network"
    assert page.evaluate("() => navigator.onLine") is True
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text=UNREACHABLE)).to_contain_text(
        "Showing what this device saved"
    )
    expect(page.get_by_text(OFFLINE)).to_have_count(0)
    screenshot(page, "unreachable-shell")


def test_calls_that_find_no_server_show_the_notice_until_one_is_answered(
    web_server: WebServer, new_page: NewPage, problems: Problems
) -> None:
    problems.allow("ERR_FAILED")  # the calls the test cuts off, as the console reports them
    page = new_page(session=api_session(web_server, USER_PASSWORD, "uma"))
    page.goto("/")
    _controlled(page)
    notice = page.get_by_text(UNREACHABLE)
    expect(notice).to_have_count(0)

    # Online, yet nothing gets through to Stellarr's API (a captive portal, a proxy whose
    # Stellarr is down): the page's first calls fail, and the page says why.
    page.route("**/api/**", lambda route: route.abort())
    page.reload()
    expect(notice).to_be_visible()
    expect(page.get_by_text(OFFLINE)).to_have_count(0)

    # The next answer from Stellarr clears it, without a reload.
    page.unroute("**/api/**")
    page.get_by_role("searchbox", name="Search movies and shows").fill("star trek")
    expect(page.locator("#results > li").first).to_be_visible()
    expect(notice).to_have_count(0)
