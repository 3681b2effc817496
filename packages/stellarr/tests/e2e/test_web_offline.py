"""The web app as a PWA with no network: the service worker keeps the app shell, so a reload
offline still opens the app, and the page says clearly that it is offline."""

from __future__ import annotations

from e2e.web_app import USER_PASSWORD, NewPage, Problems, WebServer, api_session, screenshot
from playwright.sync_api import Page, expect

OFFLINE = "You are offline."

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
