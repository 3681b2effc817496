"""A click on one of the service worker's notifications, in a real Chromium against
`stellarr serve`: it brings an open Stellarr window forward and takes it to the title the
message is about, or opens the app there when no window is open.

Headless Chromium shows no notification to click, so the test shows one from the worker and
dispatches the click event there itself. Such a synthetic click cannot grant what a person's
click grants, leave to focus or open a window, so those two calls are replaced by stand-ins
that do what the browser would (focus: resolve with the window; open: note the address).
Everything else, `clients.matchAll` and `WindowClient.navigate` included, is the browser's.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from e2e.web_app import (
    MOVIE,
    MOVIE_ID,
    USER_PASSWORD,
    NewPage,
    WebServer,
    api_session,
)
from playwright.sync_api import Page, Worker, expect

CLICK = """async (url) => {
  const opened = [];
  WindowClient.prototype.focus = function () { return Promise.resolve(this); };
  Clients.prototype.openWindow = function (address) {
    opened.push(address);
    return Promise.resolve(null);
  };
  const tag = `click-test-${Date.now()}`;
  await self.registration.showNotification('Movie Available', { tag, data: { url } });
  const [notification] = await self.registration.getNotifications({ tag });
  const click = new NotificationEvent('notificationclick', { notification });
  // A synthetic event's own waitUntil refuses to run; this one collects the handler's work.
  const work = [];
  Object.defineProperty(click, 'waitUntil', { value: (promise) => work.push(promise) });
  self.dispatchEvent(click);
  const settled = await Promise.allSettled(work);
  const left = await self.registration.getNotifications({ tag });
  return {
    opened,
    failed: settled.filter((s) => s.status === 'rejected').map((s) => String(s.reason)),
    waited: work.length,
    stillShown: left.length,
  };
}"""


@pytest.fixture
def app_page(new_page: NewPage, web_server: WebServer) -> Page:
    """A logged-in page on /requests, controlled by the service worker, allowed notifications."""
    page = new_page(session=api_session(web_server, USER_PASSWORD, "nina"))
    page.context.grant_permissions(["notifications"], origin=web_server.url)
    page.goto("/requests")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    return page


def worker_of(page: Page) -> Worker:
    [worker] = page.context.service_workers
    return worker


def click(worker: Worker, url: str) -> dict[str, Any]:
    result: dict[str, Any] = worker.evaluate(CLICK, url)
    assert result["waited"] == 1 and result["failed"] == [], result
    assert result["stillShown"] == 0, "a clicked notification closes"
    return result


def test_a_click_takes_the_open_window_to_the_title(app_page: Page, web_server: WebServer) -> None:
    page = app_page
    result = click(worker_of(page), f"/title/movie/{MOVIE_ID}")
    assert result["opened"] == [], "a window was open: none is opened"
    expect(page).to_have_url(re.compile(rf"/title/movie/{MOVIE_ID}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(MOVIE)


def test_a_click_on_a_message_for_the_home_page_leaves_the_window_where_it_is(
    app_page: Page,
) -> None:
    page = app_page
    # Another site's address falls back to the app's start page: focus only, no navigation.
    click(worker_of(page), "https://elsewhere.example/phish")
    page.wait_for_timeout(300)  # a navigation, if one were coming, would have begun
    expect(page).to_have_url(re.compile(r"/requests$"))


def test_a_click_with_no_window_open_opens_the_app_at_the_title(
    app_page: Page, web_server: WebServer
) -> None:
    worker = worker_of(app_page)
    app_page.close()  # the worker lives on a while without its pages
    result = click(worker, f"/title/movie/{MOVIE_ID}")
    assert result["opened"] == [f"{web_server.url}/title/movie/{MOVIE_ID}"]
