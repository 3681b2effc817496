"""Title pages in a real Chromium against `stellarr serve` and the fake TMDB (whose
credits, videos and seasons come from stellarr_testing/tmdb_title_extras.py): a movie and
a show, the request button and who requested what when, and a title TMDB does not know."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from e2e.web_app import (
    MOVIE,
    MOVIE_ID,
    ON_A_PHONE,
    PHONE,
    SHOW,
    SHOW_ID,
    USER_PASSWORD,
    NewPage,
    Problems,
    WebServer,
    api_session,
    assert_accessible,
    mark_added,
    no_horizontal_overflow,
    remove_request,
    screenshot,
    wait_for_trending,
)
from playwright.sync_api import Page, expect

from stellarr.domain.models import MediaType

SPECIALS_SHOW, SPECIALS_SHOW_ID = "Star Trek: Enterprise (2001)", 314  # even id: has Specials


@pytest.fixture
def undo_movie_request(web_server: WebServer) -> Iterator[None]:
    yield
    remove_request(web_server, MOVIE_ID)


def fact(page: Page, name: str) -> str:
    term = page.locator("dl.facts > div").filter(has=page.get_by_text(name, exact=True))
    return term.locator("dd").inner_text().strip()


def test_a_movie_page_and_requesting_it(
    alice: Page, web_server: WebServer, undo_movie_request: None
) -> None:
    page = alice
    page.goto(f"/title/movie/{MOVIE_ID}")
    expect(page.get_by_role("heading", level=1)).to_have_text(MOVIE)
    expect(page).to_have_title(f"{MOVIE} · Stellarr")
    assert fact(page, "Year") == "2009"
    assert fact(page, "Runtime") == "2 h"  # the fake TMDB's 120 minutes, not "2 h 0 min"
    assert fact(page, "Status") == "Not requested yet"
    expect(page.get_by_text("Science Fiction", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    # Top cast only: the fake has 12, the page shows TMDB's first 10 in billing order.
    cast = page.locator("section").filter(has=page.get_by_role("heading", name="Top cast"))
    expect(cast.get_by_role("listitem")).to_have_count(10)
    expect(cast.get_by_role("listitem").first).to_have_text("Cast Member 1 as Character 1")
    trailer = page.get_by_role("link", name=re.compile("Watch the trailer"))
    expect(trailer).to_have_attribute("href", re.compile(r"^https://www\.youtube\.com/watch\?v="))
    expect(trailer).to_have_attribute("target", "_blank")
    expect(page.get_by_role("heading", name="Seasons")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "title-movie")

    page.get_by_role("button", name=f"Request {MOVIE}").click()
    expect(page.get_by_test_id("title-status")).to_contain_text("Requested, waiting to be added")
    expect(page.get_by_test_id("title-status")).to_contain_text(
        re.compile(r"Requested by alice on [A-Z][a-z]{2} \d{1,2}, \d{4}")
    )
    expect(page.get_by_role("button", name=f"Request {MOVIE}")).to_have_count(0)
    screenshot(page, "title-movie-requested")


def test_a_show_page_lists_its_seasons_with_episode_counts(alice: Page) -> None:
    page = alice
    page.goto(f"/title/tv/{SHOW_ID}")
    expect(page.get_by_role("heading", level=1)).to_have_text(SHOW)
    seasons = page.locator("section").filter(has=page.get_by_role("heading", name="Seasons"))
    rows = seasons.get_by_role("listitem")
    expect(rows).to_have_count(2)  # the fake TMDB: 1 + 253 % 7 seasons, no Specials (odd id)
    expect(rows.first).to_contain_text("Season 1")
    expect(rows.first).to_contain_text(re.compile(r"\d+ episodes"))
    assert re.fullmatch(r"2 seasons · \d+ episodes", fact(page, "Seasons"))
    expect(page.get_by_text("Runtime", exact=True)).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "title-show")


def test_specials_and_the_ui_language(new_page: NewPage, web_server: WebServer) -> None:
    page = new_page(session=api_session(web_server, USER_PASSWORD, "alice"), locale="de-DE")
    with page.expect_request(lambda r: "/api/title/tv/" in r.url) as asked:
        page.goto(f"/title/tv/{SPECIALS_SHOW_ID}")
    assert asked.value.url.endswith("?language=de")
    seasons = page.locator("section").filter(has=page.get_by_role("heading", name="Staffeln"))
    expect(seasons.get_by_role("listitem").first).to_contain_text("Specials")
    expect(seasons.get_by_role("listitem").first).to_contain_text("3 Folgen")
    expect(page.get_by_test_id("title-status")).to_contain_text("Noch nicht angefragt")


def test_season_years_west_of_utc(new_page: NewPage, web_server: WebServer) -> None:
    # TMDB's air dates carry no time: the Specials of 2001-01-01 are of 2001 in New York too.
    page = new_page(
        session=api_session(web_server, USER_PASSWORD, "alice"), timezone_id="America/New_York"
    )
    page.goto(f"/title/tv/{SPECIALS_SHOW_ID}")
    seasons = page.locator("section").filter(has=page.get_by_role("heading", name="Seasons"))
    specials = seasons.get_by_role("listitem").first
    expect(specials).to_contain_text("Specials")
    expect(specials.locator("time")).to_have_attribute("datetime", "2001-01-01")
    expect(specials.locator("time")).to_have_text("2001")


def test_an_added_title_says_who_asked_and_when_it_came(
    alice: Page, web_server: WebServer, undo_movie_request: None
) -> None:
    page = alice
    page.goto(f"/title/movie/{MOVIE_ID}")
    page.get_by_role("button", name=f"Request {MOVIE}").click()
    expect(page.get_by_test_id("title-status")).to_contain_text("Requested by alice")
    mark_added(web_server, MediaType.MOVIE, MOVIE_ID, datetime(2024, 5, 17, 21, 30, tzinfo=UTC))
    page.reload()
    status = page.get_by_test_id("title-status")
    expect(status).to_contain_text("Added")
    expect(status).to_contain_text("Added on May 17, 2024")


def test_a_title_tmdb_does_not_know(alice: Page, problems: Problems) -> None:
    problems.allow_api(404, "/api/title/movie/999999999")
    page = alice
    page.goto("/title/movie/999999999")
    expect(page.get_by_role("heading", level=1)).to_have_text("This title was not found.")
    way_out = page.get_by_role("link", name="Search for it on Discover")
    expect(way_out).to_have_attribute("href", "/")
    page.goto("/title/book/1")
    expect(page.get_by_role("heading", level=1)).to_have_text("This title was not found.")


def test_a_title_page_fits_a_phone(new_page: NewPage, web_server: WebServer) -> None:
    page = new_page(session=api_session(web_server, USER_PASSWORD, "alice"), **ON_A_PHONE)
    page.goto(f"/title/tv/{SHOW_ID}")
    expect(page.get_by_role("heading", level=1)).to_have_text(SHOW)
    no_horizontal_overflow(page)
    screenshot(page, "phone-title-show")


def test_on_a_phone_the_request_button_is_on_the_first_screen(
    new_page: NewPage, web_server: WebServer
) -> None:
    page = new_page(session=api_session(web_server, USER_PASSWORD, "alice"), **ON_A_PHONE)
    page.goto(f"/title/movie/{MOVIE_ID}")
    button = page.get_by_role("button", name=f"Request {MOVIE}")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"] * 0.6, box
    assert page.evaluate("window.scrollY") == 0
    screenshot(page, "phone-title-movie-first-screen", full_page=False)


def test_posters_offer_sharper_files_for_dense_screens(
    new_page: NewPage, web_server: WebServer
) -> None:
    wait_for_trending(web_server)
    page = new_page(
        session=api_session(web_server, USER_PASSWORD, "alice"),
        **{**ON_A_PHONE, "device_scale_factor": 2},
    )
    page.goto("/")
    poster = page.locator("#trending > li img").first
    expect(poster).to_have_attribute("srcset", re.compile(r"/w185/\S+ 185w, .*/w342/\S+ 342w"))
    expect(poster).to_have_attribute("sizes", re.compile(r"50vw"))
    # A card half a 360 px screen wide on a 2x phone: the browser picks a file at least
    # twice as wide as the card is shown, never the 185 px one.
    chosen = re.search(r"/w(\d+)/", poster.evaluate("(img) => img.currentSrc"))
    shown = poster.evaluate("(img) => img.parentElement.getBoundingClientRect().width")
    assert chosen is not None and int(chosen.group(1)) >= 2 * shown > 185, (chosen, shown)


def test_cast_photos_and_titles_like_this_one_with_request_buttons(
    alice: Page, web_server: WebServer
) -> None:
    page = alice
    page.goto(f"/title/movie/{MOVIE_ID}")
    cast = page.locator("section").filter(has=page.get_by_role("heading", name="Top cast"))
    # Faces from TMDB, at the size a 48 px disc needs on dense screens.
    expect(cast.get_by_role("listitem").first.locator("img")).to_have_attribute(
        "src", re.compile(r"^https://image\.tmdb\.org/t/p/w185/\S+\.jpg$")
    )
    more = page.get_by_role("list", name="More like this")
    expect(more.get_by_role("listitem")).to_have_count(6)
    first = more.get_by_role("listitem").first
    title = first.get_by_role("heading").inner_text()
    assert title != MOVIE  # never the title itself
    expect(first.get_by_role("button", name=f"Request {title}")).to_be_visible()
    first.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert_accessible(page)
    # Back from a title reached through another goes to that one, not past it.
    page.get_by_role("link", name="← Back", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MOVIE)
