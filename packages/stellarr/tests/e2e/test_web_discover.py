"""Discover in a real Chromium against `stellarr serve` and the fake TMDB: the trending
grid before anything is typed, search as you type, the type filter, paging on a desktop and
infinite scroll on a phone, the library badges, and requests (optimistic, rolled back with
an error toast when the server refuses)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import httpx
import pytest
from e2e.web_app import (
    FEED_TOKEN,
    MOVIE,
    MOVIE_ID,
    ON_A_PHONE,
    SHOW,
    SHOW_ID,
    TRENDING_MOVIE,
    TRENDING_MOVIE_ID,
    USER_PASSWORD,
    NewPage,
    Problems,
    WebServer,
    api_login,
    api_session,
    assert_accessible,
    no_horizontal_overflow,
    remove_request,
    request_title,
    screenshot,
    set_library,
    wait_for_trending,
)
from e2e.web_pages import settled
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, Request, Route, expect

from stellarr.domain.models import MediaType
from stellarr_testing.fake_tmdb import FakeTMDB

# A movie of the "star trek" search that no other test here requests (so the server has
# not cached its details when the failing test breaks them at the fake TMDB).
REFUSED, REFUSED_ID = "Star Trek: Nemesis (2002)", 201
TRENDING_COUNT = 18  # /trending/all with its one person left out
SENTINEL_SEEN = """new Promise((seen) => {
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) { observer.disconnect(); seen(true); }
  }, { rootMargin: '0px 0px 100% 0px' });
  observer.observe(document.querySelector('[data-testid="infinite-sentinel"]'));
})"""


@pytest.fixture
def alice(alice: Page, web_server: WebServer) -> Page:
    # The shared alice, once Discover has its trending grid to show.
    wait_for_trending(web_server)
    return alice


def card(page: Page, grid: str, title: str) -> Locator:
    heading = page.get_by_role("heading", name=title, exact=True)
    return page.locator(f"#{grid} > li").filter(has=heading)


def search_box(page: Page) -> Locator:
    """Discover opened, its trending grid in: the search box to type into."""
    page.goto("/")
    settled(page, "trending")
    return page.get_by_role("searchbox", name="Search movies and shows")


def star_trek_results(page: Page) -> None:
    """Discover opened on the "star trek" search (it runs from the address), its results in."""
    page.goto("/?q=star+trek")
    settled(page, "results")


def search_body(request: Request) -> dict[str, object]:
    body = request.post_data_json
    assert isinstance(body, dict)
    return body


def radarr_ids(server: WebServer) -> list[object]:
    feed = httpx.get(f"{server.url}/list/radarr/tmdb", params={"token": FEED_TOKEN}, timeout=10)
    assert feed.status_code == 200
    return [item["id"] for item in feed.json()]


def test_trending_first_then_results_as_you_type(alice: Page) -> None:
    page = alice
    with page.expect_response(lambda r: "/trending-all-" in r.url) as listed:
        page.goto("/")
    assert listed.value.url.endswith("/trending-all-en.json")
    expect(page.get_by_role("heading", name="Trending this week")).to_be_visible()
    settled(page, "trending")
    expect(page.locator("#trending > li")).to_have_count(TRENDING_COUNT)
    expect(card(page, "trending", TRENDING_MOVIE)).to_contain_text("Movie")
    # Posters stay offline in tests: the drawn placeholder stands in, not a letter.
    poster = card(page, "trending", TRENDING_MOVIE).locator(".poster")
    expect(poster.locator("svg")).to_be_visible()
    expect(poster.locator("img")).to_have_attribute("loading", "lazy")
    assert_accessible(page)
    screenshot(page, "discover")

    # Typing is enough: no button, no Enter.
    box = page.get_by_role("searchbox", name="Search movies and shows")
    with page.expect_request(lambda r: r.url.endswith("/api/search")) as searched:
        box.fill("star trek")
    assert search_body(searched.value) == {
        "query": "star trek",
        "media_type": None,
        "page": 1,
        "language": "en",
    }
    settled(page, "results")
    expect(page.locator("#trending")).to_have_count(0)
    movie = card(page, "results", MOVIE)
    expect(movie).to_contain_text("Movie")
    expect(movie.get_by_text("★ 7.4")).to_be_visible()
    show = card(page, "results", SHOW)
    expect(show).to_contain_text("Show")
    expect(show).to_contain_text("2 seasons")  # the fake TMDB: 1 + 253 % 7
    # 20 on this page of 7: TMDB's total over them all, as an estimate (people among them
    # are left out).
    expect(page.get_by_test_id("search-status")).to_have_text("About 133 results")
    expect(page).to_have_url(re.compile(r"/\?q=star\+trek$"))
    assert_accessible(page)
    screenshot(page, "discover-results")

    # The Movies filter searches again at once, for movies only.
    with page.expect_request(lambda r: r.url.endswith("/api/search")) as filtered:
        page.get_by_role("radio", name="Movies").check()
    assert search_body(filtered.value)["media_type"] == "movie"
    settled(page, "results")
    expect(page.locator("#results")).not_to_contain_text("Show")
    expect(page.get_by_test_id("search-status")).to_have_text("2 results")  # one page: exact

    # Clearing the box brings the trending grid back (for the chosen type).
    box.fill("")
    settled(page, "trending")
    expect(page.locator("#results")).to_have_count(0)


def test_enter_searches_without_waiting(alice: Page) -> None:
    page = alice
    box = search_box(page)
    box.press_sequentially("star")
    with page.expect_request(lambda r: r.url.endswith("/api/search")) as searched:
        box.press("Enter")
    assert search_body(searched.value)["query"] == "star"
    settled(page, "results")


def test_only_the_latest_search_shows(alice: Page) -> None:
    # Each new search aborts the one in flight: an old answer never replaces a newer one.
    # The answer to "star" is held until "star trek"'s has rendered, and then arrives with
    # a single title, so it would show as "1 result" if the page took it.
    page = alice
    held: list[Route] = []

    def hold_star(route: Route) -> None:
        if search_body(route.request)["query"] == "star":
            held.append(route)
        else:
            route.fallback()

    page.route("**/api/search", hold_star)
    box = search_box(page)
    box.fill("star")
    with page.expect_request(lambda r: r.url.endswith("/api/search")):
        box.press("Enter")
    box.fill("star trek")
    with page.expect_response(lambda r: r.url.endswith("/api/search")) as newer:
        box.press("Enter")
    settled(page, "results")
    expect(page.get_by_test_id("search-status")).to_have_text("About 133 results")
    assert len(held) == 1
    older = {**newer.value.json(), "results": newer.value.json()["results"][:1]}
    # The page may have dropped the request when it aborted it: then nothing is delivered.
    with contextlib.suppress(PlaywrightError):
        held[0].fulfill(json=older)
    # Whatever the old answer could still do, it has done once a new task runs after it.
    page.evaluate("new Promise((done) => setTimeout(done, 0))")
    expect(page.get_by_test_id("search-status")).to_have_text("About 133 results")
    expect(page.locator("#results > li")).to_have_count(20)
    expect(page).to_have_url(re.compile(r"q=star\+trek"))


def test_a_card_opens_its_title_page(alice: Page) -> None:
    page = alice
    star_trek_results(page)
    card(page, "results", MOVIE).get_by_role("link", name=MOVIE).click()
    expect(page).to_have_url(re.compile(rf"/title/movie/{MOVIE_ID}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(MOVIE)
    page.go_back()
    settled(page, "results")  # Back returns to the same search


@pytest.fixture
def undo_requests(web_server: WebServer) -> Iterator[list[int]]:
    made: list[int] = []
    yield made
    for tmdb_id in made:
        remove_request(web_server, tmdb_id)


def test_a_request_shows_its_badge_and_reaches_the_feed(
    alice: Page, web_server: WebServer, undo_requests: list[int]
) -> None:
    page = alice
    star_trek_results(page)
    movie = card(page, "results", MOVIE)
    undo_requests.append(MOVIE_ID)
    movie.get_by_role("button", name=f"Request {MOVIE}").click()
    expect(movie.get_by_text("Requested", exact=True)).to_be_visible()
    expect(movie.get_by_role("button")).to_have_count(0)
    expect(
        page.get_by_role("status").filter(has_text="Added Star Trek to requests")
    ).to_be_visible()
    screenshot(page, "discover-requested")
    assert MOVIE_ID in radarr_ids(web_server)
    # The badge stays after a reload: it now comes from the server.
    page.reload()
    settled(page, "results")
    expect(card(page, "results", MOVIE).get_by_text("Requested", exact=True)).to_be_visible()


def test_a_failed_request_rolls_back_with_an_error_toast(
    alice: Page, web_server: WebServer, fake_tmdb_server: FakeTMDB, problems: Problems
) -> None:
    page = alice
    problems.allow_api(404, "/api/request")  # TMDB does not know the title
    star_trek_results(page)
    movie = card(page, "results", REFUSED)
    # The fake TMDB no longer knows the title, and answers slowly enough to see what the
    # card says while the server decides.
    with fake_tmdb_server.lock:
        fake_tmdb_server.outages[f"/3/movie/{REFUSED_ID}"] = 404
        fake_tmdb_server.latency = 1.0
    try:
        movie.get_by_role("button", name=f"Request {REFUSED}").click()
        # At once, and never "Requested" before the server has the request.
        expect(movie.get_by_text("Requesting…", exact=True)).to_be_visible()
        expect(movie.get_by_text("Requested", exact=True)).to_have_count(0)
        alert = page.get_by_role("alert").filter(has_text="Could not request Star Trek: Nemesis")
        # In the app's words: the server's detail ("TMDB has no movie with id ...") is not.
        expect(alert).to_contain_text("TMDB does not know this title.")
        expect(alert).not_to_contain_text(str(REFUSED_ID))
        # Rolled back: the button is there again, with the focus, and no badge.
        button = movie.get_by_role("button", name=f"Request {REFUSED}")
        expect(button).to_be_visible()
        expect(button).to_be_focused()
        expect(movie.get_by_text("Requested", exact=True)).to_have_count(0)
        screenshot(page, "discover-request-failed")
    finally:
        with fake_tmdb_server.lock:
            fake_tmdb_server.outages.clear()
            fake_tmdb_server.latency = 0.0
    assert REFUSED_ID not in radarr_ids(web_server)


def test_library_and_request_badges_come_from_the_library_status(
    new_page: NewPage, web_server: WebServer
) -> None:
    wait_for_trending(web_server)
    set_library(web_server, MediaType.TV, [SHOW_ID])
    request_title(web_server, api_login(web_server, USER_PASSWORD, "bob"), TRENDING_MOVIE_ID)
    try:
        page = new_page(session=api_session(web_server, USER_PASSWORD, "alice"))
        with page.expect_response(lambda r: r.url.endswith("/api/library-status")) as status:
            page.goto("/")
        assert status.value.headers.get("etag")
        settled(page, "trending")
        expect(card(page, "trending", SHOW).get_by_text("In library", exact=True)).to_be_visible()
        fast_x = card(page, "trending", TRENDING_MOVIE)
        expect(fast_x.get_by_text("Requested", exact=True)).to_be_visible()
        expect(fast_x.get_by_role("button")).to_have_count(0)
        # The next visit revalidates with the ETag instead of downloading it again.
        page.get_by_role("link", name="Requests", exact=True).click()
        # On the Requests page first: a click on Discover while the first navigation is still
        # under way lands on the page that never left, which mounts (and so fetches) nothing.
        expect(page.get_by_role("heading", name="Requests", level=1)).to_be_visible()
        with page.expect_response(lambda r: r.url.endswith("/api/library-status")) as again:
            page.get_by_role("link", name="Discover", exact=True).click()
        assert again.value.request.headers.get("if-none-match") == status.value.headers["etag"]
        assert again.value.status == 304
    finally:
        set_library(web_server, MediaType.TV, [])
        remove_request(web_server, TRENDING_MOVIE_ID)


def test_desktop_pages_through_results(alice: Page) -> None:
    page = alice
    star_trek_results(page)
    pages = page.get_by_role("navigation", name="Result pages")
    expect(pages).to_contain_text("Page 1 of 7")
    with page.expect_request(lambda r: r.url.endswith("/api/search")) as asked:
        pages.get_by_role("button", name="Next").click()
    assert search_body(asked.value)["page"] == 2
    expect(pages).to_contain_text("Page 2 of 7")
    expect(page.get_by_role("heading", name="Results")).to_be_focused()
    expect(page.get_by_test_id("infinite-sentinel")).to_have_count(0)


def test_a_phone_scrolls_on_into_the_next_page(new_page: NewPage, web_server: WebServer) -> None:
    wait_for_trending(web_server)
    page = new_page(session=api_session(web_server, USER_PASSWORD, "alice"), **ON_A_PHONE)
    star_trek_results(page)
    expect(page.get_by_role("navigation", name="Result pages")).to_have_count(0)
    expect(
        card(page, "results", MOVIE).get_by_role("button", name=f"Request {MOVIE}")
    ).to_be_visible()
    with page.expect_request(
        lambda r: r.url.endswith("/api/search") and search_body(r)["page"] == 2
    ):
        page.get_by_test_id("infinite-sentinel").scroll_into_view_if_needed()
    # The fake TMDB answers every page with the same titles: no duplicates are added, and
    # the grid ends with a note once the last of its 7 pages came.
    expect(page.get_by_text("No more results.")).to_be_visible()
    expect(page.locator("#results > li")).to_have_count(20)
    no_horizontal_overflow(page)
    screenshot(page, "phone-discover-results")


def test_scrolling_during_the_pause_after_an_edit_never_mixes_two_searches(
    new_page: NewPage, web_server: WebServer
) -> None:
    # The page's clock stands still after the edit: the debounce is certainly still pending
    # when the sentinel comes into view, however slow the machine.
    wait_for_trending(web_server)
    page = new_page(session=api_session(web_server, USER_PASSWORD, "alice"), **ON_A_PHONE)
    page.clock.install()
    star_trek_results(page)
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    page.get_by_role("searchbox", name="Search movies and shows").fill("star wars")
    with page.expect_request(lambda r: r.url.endswith("/api/search")) as first:
        page.get_by_test_id("infinite-sentinel").scroll_into_view_if_needed()
        # Observers are told in the order they were made: once this one has seen the
        # sentinel, the page's own has too (and asked for more, if it was going to).
        page.evaluate(SENTINEL_SEEN)
        page.clock.resume()
    # The edited query's first page, and not "star wars" page 2 on top of "star trek".
    assert search_body(first.value) == {
        "query": "star wars",
        "media_type": None,
        "page": 1,
        "language": "en",
    }
    settled(page, "results")
    expect(page).to_have_url(re.compile(r"q=star\+wars"))


def test_trending_and_search_use_the_ui_language(new_page: NewPage, web_server: WebServer) -> None:
    wait_for_trending(web_server, "fr")
    page = new_page(session=api_session(web_server, USER_PASSWORD, "claude"), locale="fr-FR")
    with page.expect_response(lambda r: "/trending-all-" in r.url) as listed:
        page.goto("/")
    assert listed.value.url.endswith("/trending-all-fr.json") and listed.value.status == 200
    expect(page.get_by_role("heading", name="Tendances de la semaine")).to_be_visible()
    with page.expect_request(lambda r: r.url.endswith("/api/search")) as searched:
        page.get_by_role("searchbox", name="Rechercher des films et des séries").fill("star trek")
    assert search_body(searched.value)["language"] == "fr"
    settled(page, "results")
    expect(card(page, "results", MOVIE).get_by_role("button")).to_have_text("Demander")


def test_back_from_a_title_restores_a_typed_search(alice: Page) -> None:
    page = alice
    box = search_box(page)
    box.fill("star trek")
    settled(page, "results")
    expect(page).to_have_url(re.compile(r"/\?q=star\+trek$"))
    card(page, "results", MOVIE).get_by_role("link", name=MOVIE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MOVIE)
    page.go_back()
    settled(page, "results")
    expect(page.get_by_role("searchbox", name="Search movies and shows")).to_have_value("star trek")
    expect(page.locator("#results > li")).to_have_count(20)
    expect(page.locator("#trending")).to_have_count(0)
    page.go_forward()
    expect(page.get_by_role("heading", level=1)).to_have_text(MOVIE)
    # The title page's own link goes back the same way, and says where to.
    page.get_by_role("link", name="← Back to the results").click()
    expect(page).to_have_url(re.compile(r"/\?q=star\+trek$"))
    expect(page.get_by_role("searchbox", name="Search movies and shows")).to_have_value("star trek")


def test_back_from_a_title_restores_the_type_filter(alice: Page) -> None:
    page = alice
    search_box(page)
    page.get_by_role("radio", name="TV").check()
    expect(page).to_have_url(re.compile(r"/\?type=tv$"))
    settled(page, "trending")
    card(page, "trending", SHOW).get_by_role("link", name=SHOW).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SHOW)
    page.get_by_role("link", name="← Back to Discover").click()
    expect(page).to_have_url(re.compile(r"/\?type=tv$"))
    expect(page.get_by_role("radio", name="TV")).to_be_checked()
    settled(page, "trending")
    expect(card(page, "trending", MOVIE)).to_have_count(0)


def test_a_desktop_results_page_is_in_the_address(alice: Page) -> None:
    page = alice
    star_trek_results(page)
    pages = page.get_by_role("navigation", name="Result pages")
    pages.get_by_role("button", name="Next").click()
    expect(pages).to_contain_text("Page 2 of 7")
    expect(page).to_have_url(re.compile(r"/\?q=star\+trek&page=2$"))
    card(page, "results", MOVIE).get_by_role("link", name=MOVIE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MOVIE)
    page.go_back()
    expect(pages).to_contain_text("Page 2 of 7")
    # Opened from the address (a bookmark, a shared link), it asks for that page.
    page.goto("/requests")
    with page.expect_request(lambda r: r.url.endswith("/api/search")) as asked:
        page.goto("/?q=star+trek&page=2")
    assert search_body(asked.value)["page"] == 2
    expect(pages).to_contain_text("Page 2 of 7")


def test_a_phone_comes_back_to_the_pages_it_loaded_and_where_it_was(
    new_page: NewPage, web_server: WebServer
) -> None:
    wait_for_trending(web_server)
    page = new_page(session=api_session(web_server, USER_PASSWORD, "alice"), **ON_A_PHONE)
    star_trek_results(page)
    page.get_by_test_id("infinite-sentinel").scroll_into_view_if_needed()
    expect(page.get_by_text("No more results.")).to_be_visible()
    last = page.locator("#results > li").last
    last.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 1000
    searches: list[Request] = []
    page.on("request", lambda r: searches.append(r) if r.url.endswith("/api/search") else None)
    last.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/title/"))
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Discover")
    page.go_back()
    # Every page it had loaded is there again, without asking for them, where it was.
    expect(page.get_by_text("No more results.")).to_be_visible()
    expect(page.locator("#results > li")).to_have_count(20)
    page.wait_for_function(f"Math.abs(window.scrollY - {scrolled}) < 50")
    assert all(search_body(r)["page"] == 1 for r in searches)


def test_a_search_with_no_results_says_what_to_try_and_shows_trending(alice: Page) -> None:
    page = alice
    box = search_box(page)
    empty = {"results": [], "page": 1, "total_pages": 0, "total_results": 0}
    page.route("**/api/search", lambda route: route.fulfill(json=empty))
    box.fill("stra trek")
    status = page.get_by_test_id("search-status")
    expect(status).to_have_text("Nothing found for \u201cstra trek\u201d.")
    expect(page.get_by_text("Check the spelling or try fewer words.")).to_be_visible()
    # Something to look at meanwhile: this week's trending titles, in full.
    settled(page, "trending")
    expect(page.locator("#trending > li")).to_have_count(TRENDING_COUNT)
    assert_accessible(page)
