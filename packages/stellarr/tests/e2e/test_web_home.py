"""The home page's rows besides trending, in a real Chromium against `stellarr serve` and the fake
TMDB: the popular and upcoming lists (warmed files, like trending: a visit asks TMDB for
nothing) below trending, and above it the household's recent requests and recent arrivals
(from the API, private), every row following the type filter, sideways on a phone without the page
ever scrolling sideways."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from e2e.web_app import (
    MOVIE,
    MOVIE_ID,
    ON_A_PHONE,
    SHOW,
    SHOW_ID,
    USER_PASSWORD,
    NewPage,
    WebServer,
    api_login,
    api_session,
    assert_accessible,
    docs_screenshot,
    mark_added,
    no_horizontal_overflow,
    poll,
    remove_request,
    request_title,
    wait_for_trending,
)
from e2e.web_pages import settled
from playwright.sync_api import Page, expect

from stellarr.domain.models import MediaType
from stellarr_testing.fake_tmdb import FakeTMDB

ROWS = ["Recent requests", "Recently added", "Popular movies", "Popular shows", "Upcoming movies"]


def wait_for_every_list(server: WebServer) -> None:
    """`serve` warms all the home lists at once, right after start-up."""
    wait_for_trending(server)
    for name in ("popular-movie-en.json", "popular-tv-en.json", "upcoming-movie-en.json"):
        url = f"{server.url}/{name}"
        assert poll(lambda url=url: httpx.get(url, timeout=10).status_code == 200, tries=300)


def headings(page: Page) -> list[str]:
    return page.locator("section.home-row h2").all_inner_texts()


def test_the_home_page_has_popular_upcoming_and_the_households_rows(
    new_page: NewPage, web_server: WebServer, fake_tmdb_server: FakeTMDB
) -> None:
    wait_for_every_list(web_server)
    bob = api_login(web_server, USER_PASSWORD, "bob")
    request_title(web_server, bob, SHOW_ID, "tv")
    request_title(web_server, bob, MOVIE_ID)
    mark_added(web_server, MediaType.MOVIE, MOVIE_ID, datetime(2026, 12, 1, tzinfo=UTC))
    page = new_page(session=api_session(web_server, USER_PASSWORD, "alice"))
    try:
        asked_before = len(fake_tmdb_server.calls("/3/"))
        page.goto("/")
        for grid in ("trending", "recent-requests", "recently-added", "popular-movie"):
            settled(page, grid)
        settled(page, "popular-tv")
        settled(page, "upcoming-movie")
        assert headings(page) == ROWS
        # A visit reads warmed files and the API: TMDB is not asked for anything.
        assert len(fake_tmdb_server.calls("/3/")) == asked_before
        upcoming = fake_tmdb_server.lists["movie", "upcoming"]["results"]
        expect(page.locator("#upcoming-movie > li")).to_have_count(len(upcoming))
        expect(page.locator("#upcoming-movie")).to_contain_text(upcoming[0]["title"])
        expect(page.locator("#popular-tv")).to_contain_text("Star Trek: Lower Decks")
        # Bob's show waits (Requested); his movie arrived (In library).
        recent = page.locator("#recent-requests > li")
        expect(recent).to_have_count(1)
        expect(recent.first).to_contain_text(SHOW)
        expect(recent.first.get_by_text("Requested", exact=True)).to_be_visible()
        arrived = page.locator("#recently-added > li")
        expect(arrived).to_have_count(1)
        expect(arrived.first).to_contain_text(MOVIE)
        expect(arrived.first.get_by_text("In library", exact=True)).to_be_visible()
        assert_accessible(page)
        page.evaluate("() => window.scrollTo(0, 0)")
        docs_screenshot(page, "home-rows")

        # Shows only: the movie rows go, the show rows stay.
        page.get_by_role("radio", name="TV").check()
        expect(page.locator("#popular-movie")).to_have_count(0)
        expect(page.locator("#upcoming-movie")).to_have_count(0)
        expect(page.locator("#recently-added")).to_have_count(0)
        assert headings(page) == ["Recent requests", "Popular shows"]
    finally:
        remove_request(web_server, SHOW_ID, "tv")
        remove_request(web_server, MOVIE_ID)


def test_on_a_phone_each_row_scrolls_sideways_and_the_page_does_not(
    new_page: NewPage, web_server: WebServer
) -> None:
    wait_for_every_list(web_server)
    page = new_page(session=api_session(web_server, USER_PASSWORD, "alice"), **ON_A_PHONE)
    page.goto("/")
    settled(page, "popular-movie")
    row = page.locator("#popular-movie")
    widths = row.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
    assert widths[0] > widths[1] * 2, widths  # ten cards in a row as wide as the screen
    no_horizontal_overflow(page)
    assert_accessible(page)
    row.scroll_into_view_if_needed()
    docs_screenshot(page, "phone-home-rows")


def test_the_public_lists_need_no_session_and_the_households_rows_do(
    web_server: WebServer,
) -> None:
    wait_for_every_list(web_server)
    public = httpx.get(f"{web_server.url}/upcoming-movie-es.json", timeout=10)
    assert public.status_code == 200
    assert public.headers["cache-control"] == "public, max-age=3600"
    assert {item["media_type"] for item in public.json()["results"]} == {"movie"}
    assert httpx.get(f"{web_server.url}/api/requests", timeout=10).status_code == 401
