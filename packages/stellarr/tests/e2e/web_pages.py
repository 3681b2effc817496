"""Each page of the web app opened in a known, filled state, for the checks that run over
every page (test_web_a11y.py, test_web_layout.py): the page is on screen, its data loaded
and settled, ready to scan, measure or photograph.

Each opener takes a page of a fresh context, logged in (the stored session a login leaves)
when `signed_in`, and the server; what it adds to the server, `cleanup` takes away.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from e2e.web_app import (
    ADMIN_PASSWORD,
    MOVIE,
    MOVIE_ID,
    USER_PASSWORD,
    NewPage,
    WebServer,
    api_login,
    api_session,
    remove_request,
    request_title,
    wait_for_trending,
)
from playwright.sync_api import Page, expect

SEARCH = "star trek"


def settled(page: Page, grid: str) -> None:
    """The grid with this id has its cards in and no skeleton left."""
    expect(page.locator(f"#{grid} > li").first).to_be_visible()
    expect(page.locator(f"#{grid}")).to_have_attribute("aria-busy", "false")


def open_login(page: Page, server: WebServer) -> None:
    page.goto("/login")
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()


def open_discover(page: Page, server: WebServer) -> None:
    wait_for_trending(server)
    page.goto("/")
    settled(page, "trending")


def open_discover_results(page: Page, server: WebServer) -> None:
    open_discover(page, server)
    page.get_by_role("searchbox").fill(SEARCH)  # no button: results come as you type
    settled(page, "results")


def open_title_movie(page: Page, server: WebServer) -> None:
    page.goto(f"/title/movie/{MOVIE_ID}")
    expect(page.get_by_role("heading", level=1, name=re.compile("Star Trek"))).to_be_visible()


def open_title_show(page: Page, server: WebServer) -> None:
    page.goto("/title/tv/253")
    expect(page.get_by_role("heading", level=1, name=re.compile("Star Trek"))).to_be_visible()


def open_requests(page: Page, server: WebServer) -> None:
    request_title(server, api_login(server, USER_PASSWORD, "alice"), MOVIE_ID)
    page.goto("/requests")
    expect(page.get_by_role("listitem").filter(has_text=MOVIE.split(" (")[0]).first).to_be_visible()


def open_requests_confirm(page: Page, server: WebServer) -> None:
    open_requests(page, server)
    row = page.get_by_role("listitem").filter(has_text=MOVIE.split(" (")[0]).first
    row.get_by_role("button", name=re.compile("Remove")).click()
    expect(page.get_by_role("alertdialog")).to_be_visible()


def open_feeds(page: Page, server: WebServer) -> None:
    page.goto("/feeds")
    expect(page.get_by_role("main").get_by_role("textbox").first).to_be_visible()  # URLs in


def _undo_request(server: WebServer) -> None:
    remove_request(server, MOVIE_ID)


@dataclass(frozen=True)
class WebPage:
    name: str
    open: Callable[[Page, WebServer], None]
    signed_in: bool = True
    admin: bool = False
    # A modal is fixed to the viewport: a full-page photo would show it over the page's top.
    dialog: bool = False
    cleanup: Callable[[WebServer], None] | None = None

    def new(self, new_page: NewPage, server: WebServer, **options: Any) -> Page:
        """A page of a fresh context for this page, logged in if it needs to be."""
        password, name = (ADMIN_PASSWORD, "root") if self.admin else (USER_PASSWORD, "alice")
        session = api_session(server, password, name) if self.signed_in else None
        return new_page(session=session, **options)


PAGES = [
    WebPage("login", open_login, signed_in=False),
    WebPage("discover", open_discover),
    WebPage("discover-results", open_discover_results),
    WebPage("title-movie", open_title_movie),
    WebPage("title-show", open_title_show),
    WebPage("requests", open_requests, cleanup=_undo_request),
    WebPage("requests-confirm", open_requests_confirm, dialog=True, cleanup=_undo_request),
    WebPage("feeds", open_feeds, admin=True),
]
PAGE_IDS = [p.name for p in PAGES]
