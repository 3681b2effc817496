"""The Requests page in a real Chromium against a real `stellarr serve` (fake TMDB): requests
made elsewhere show with who asked and when, the filters count and filter, the sort and the
pages work, a feed's blind spots are flagged, and Remove asks first and is only offered to
the requester and admins. One test follows a request all the way, from a Discover card."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from e2e.web_app import (
    ADMIN_PASSWORD,
    MOVIE,
    MOVIE_ID,
    PHONE,
    SHOW,
    SHOW_ID,
    TRENDING_MOVIE,
    TRENDING_MOVIE_ID,
    USER_PASSWORD,
    NewPage,
    Problems,
    WebServer,
    add_stored_request,
    api_login,
    api_session,
    assert_accessible,
    mark_added,
    no_horizontal_overflow,
    remove_request,
    request_title,
    screenshot,
)
from playwright.sync_api import Locator, Page, expect

from stellarr.domain.models import MediaRequest, MediaType, RequestStatus

# A movie TMDB knows no IMDb id for: the StevenLu list (/list/radarr) cannot carry it.
OBSCURE_ID, OBSCURE = 990001, "Obscure Short (1999)"
LANDED = datetime(2024, 5, 17, 21, 30, tzinfo=UTC)


def rows(page: Page) -> Locator:
    return page.get_by_role("main").get_by_role("listitem")


def row(page: Page, title: str) -> Locator:
    return rows(page).filter(has=page.get_by_role("heading", name=title, exact=True))


def pill(page: Page, group: str, name: str) -> Locator:
    return page.get_by_role("group", name=group).get_by_role("radio", name=name)


def us_date(iso: str) -> str:
    """Intl's en-US medium date in UTC, the zone the test browser runs in."""
    when = datetime.fromisoformat(iso).astimezone(UTC)
    return f"{when:%b} {when.day}, {when.year}"


def listed(server: WebServer, token: str) -> dict[tuple[str, int], dict[str, object]]:
    answer = httpx.get(
        f"{server.url}/api/requests", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert answer.status_code == 200
    return {(r["media_type"], r["tmdb_id"]): r for r in answer.json()["requests"]}


@pytest.fixture
def household(web_server: WebServer) -> Iterator[None]:
    """alice asked for a movie (since added) and a show, bob for a movie, carol (long ago)
    for a movie with no IMDb id."""
    alice = api_login(web_server, USER_PASSWORD, "alice")
    bob = api_login(web_server, USER_PASSWORD, "bob")
    request_title(web_server, alice, MOVIE_ID)
    request_title(web_server, alice, SHOW_ID, "tv")
    request_title(web_server, bob, TRENDING_MOVIE_ID)
    mark_added(web_server, MediaType.MOVIE, MOVIE_ID, LANDED)
    add_stored_request(
        web_server,
        MediaRequest(
            media_type=MediaType.MOVIE,
            tmdb_id=OBSCURE_ID,
            title="Obscure Short",
            year=1999,
            requested_by="carol",
            requested_at=datetime(2020, 1, 2, 12, tzinfo=UTC),
        ),
    )
    try:
        yield
    finally:
        remove_request(web_server, MOVIE_ID)
        remove_request(web_server, SHOW_ID, "tv")
        remove_request(web_server, TRENDING_MOVIE_ID)
        remove_request(web_server, OBSCURE_ID)


@pytest.mark.usefixtures("household")
def test_requests_show_who_asked_and_when_and_filter_with_counts(
    new_page: NewPage, web_server: WebServer
) -> None:
    alice = api_session(web_server, USER_PASSWORD, "alice")
    known = listed(web_server, alice["token"])
    page = new_page(session=alice)
    page.goto("/requests?who=all")  # everyone's: a member starts on her own (test below)
    expect(page.get_by_role("heading", name="Requests", level=1)).to_be_visible()
    expect(rows(page)).to_have_count(4)

    # Newest first: bob's Fast X, then alice's show and movie, carol's from 2020 last.
    expect(rows(page).get_by_role("heading")).to_have_text([TRENDING_MOVIE, SHOW, MOVIE, OBSCURE])
    show = row(page, SHOW)
    requested_at = str(known[("tv", SHOW_ID)]["requested_at"])
    expect(show).to_contain_text(f"Requested by alice on {us_date(requested_at)}")
    expect(show.locator("time")).to_have_attribute("datetime", requested_at)
    expect(show).to_contain_text("Pending")
    expect(show.get_by_role("link", name=SHOW)).to_have_attribute("href", f"/title/tv/{SHOW_ID}")
    added = row(page, MOVIE)
    expect(added).to_contain_text("Added on May 17, 2024")
    expect(row(page, OBSCURE)).to_contain_text("Requested by carol on Jan 2, 2020")
    # The feed warning: only the movie with no IMDb id, which /list/radarr leaves out.
    expect(row(page, OBSCURE)).to_contain_text("No IMDb id: the StevenLu list (/list/radarr)")
    expect(page.get_by_text("No IMDb id")).to_have_count(1)
    expect(page.get_by_text("No TVDB id")).to_have_count(0)
    # No poster, or none reachable (TMDB's image host is offline here): the drawn
    # placeholder, as on Discover, not a letter.
    for title in (OBSCURE, MOVIE):
        expect(row(page, title).locator(".poster svg")).to_be_visible()
    # alice may remove her own requests, not bob's or carol's.
    expect(show.get_by_role("button", name=f"Remove {SHOW}")).to_be_visible()
    expect(row(page, TRENDING_MOVIE).get_by_role("button")).to_have_count(0)
    expect(row(page, OBSCURE).get_by_role("button")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "requests-all")

    # Counts beside each choice: what choosing it would show under the other filter.
    expect(pill(page, "Type", "All 4")).to_be_checked()
    expect(pill(page, "Type", "Movies 3")).to_be_visible()
    expect(pill(page, "Type", "TV 1")).to_be_visible()
    expect(pill(page, "Status", "Pending 3")).to_be_visible()
    expect(pill(page, "Status", "Added 1")).to_be_visible()
    pill(page, "Type", "Movies 3").check()
    expect(rows(page)).to_have_count(3)
    expect(pill(page, "Status", "Pending 2")).to_be_visible()
    pill(page, "Status", "Pending 2").check()
    expect(rows(page).get_by_role("heading")).to_have_text([TRENDING_MOVIE, OBSCURE])
    expect(pill(page, "Type", "TV 1")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="2 requests")).to_be_visible()
    assert "media=movie" in page.url and "status=pending" in page.url
    screenshot(page, "requests-movies-pending")

    # The filters are in the URL: a reload keeps them.
    page.reload()
    expect(rows(page)).to_have_count(2)
    pill(page, "Status", "Added 1").check()
    expect(rows(page).get_by_role("heading")).to_have_text([MOVIE])
    pill(page, "Type", "TV 0").check()
    expect(page.get_by_text("No requests match these filters.")).to_be_visible()
    page.get_by_role("button", name="Show all requests").click()
    expect(rows(page)).to_have_count(4)

    page.get_by_label("Sort by").select_option("title")  # "Title (A-Z)"
    expect(rows(page).get_by_role("heading")).to_have_text([TRENDING_MOVIE, OBSCURE, SHOW, MOVIE])
    page.get_by_label("Sort by").select_option(label="Oldest first")
    expect(rows(page).get_by_role("heading").first).to_have_text(OBSCURE)


@pytest.mark.usefixtures("household")
def test_a_member_starts_on_her_own_requests_and_searches_by_title(
    new_page: NewPage, web_server: WebServer
) -> None:
    page = new_page(session=api_session(web_server, USER_PASSWORD, "alice"))
    page.goto("/requests")
    whose = page.get_by_role("group", name="Whose")
    expect(whose.get_by_role("radio", name="Mine")).to_be_checked()
    expect(rows(page).get_by_role("heading")).to_have_text([SHOW, MOVIE])  # hers alone
    expect(pill(page, "Type", "All 2")).to_be_checked()  # counts follow Mine
    whose.get_by_role("radio", name="Everyone\u2019s").check()
    expect(rows(page)).to_have_count(4)
    # A text search, without case or accents, over what Whose leaves.
    page.get_by_label("Search requests").fill("FAST")
    expect(rows(page).get_by_role("heading")).to_have_text([TRENDING_MOVIE])
    expect(page).to_have_url(re.compile(r"who=all&q=FAST$"))
    page.reload()
    expect(page.get_by_label("Search requests")).to_have_value("FAST")
    expect(rows(page)).to_have_count(1)
    whose.get_by_role("radio", name="Mine").check()
    expect(page.get_by_text("No requests match these filters.")).to_be_visible()
    page.get_by_role("button", name="Show all requests").click()
    expect(rows(page)).to_have_count(4)
    assert_accessible(page)
    # An admin starts on everyone's.
    admin = new_page(session=api_session(web_server, ADMIN_PASSWORD, "root"))
    admin.goto("/requests")
    everyone = admin.get_by_role("group", name="Whose").get_by_role("radio", name="Everyone\u2019s")
    expect(everyone).to_be_checked()
    expect(rows(admin)).to_have_count(4)


@pytest.mark.usefixtures("household")
def test_a_title_opened_from_requests_leads_back_to_them_as_filtered(
    new_page: NewPage, web_server: WebServer
) -> None:
    page = new_page(session=api_session(web_server, USER_PASSWORD, "alice"))
    page.goto("/requests?media=tv")
    expect(rows(page)).to_have_count(1)
    row(page, SHOW).get_by_role("link", name=SHOW).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SHOW)
    page.get_by_role("link", name="← Back to Requests").click()
    expect(page).to_have_url(re.compile(r"/requests\?media=tv$"))
    expect(rows(page)).to_have_count(1)


@dataclass(frozen=True)
class Asker:
    page: Page
    token: str


@pytest.fixture
def alice_asked(new_page: NewPage, web_server: WebServer) -> Iterator[Asker]:
    """alice's request for MOVIE, and her page on /requests; the request goes afterwards."""
    alice = api_session(web_server, USER_PASSWORD, "alice")
    request_title(web_server, alice["token"], MOVIE_ID)
    try:
        page = new_page(session=alice)
        page.goto("/requests")
        yield Asker(page, alice["token"])
    finally:
        remove_request(web_server, MOVIE_ID)


def test_remove_asks_first_cancel_keeps_and_confirm_removes(
    alice_asked: Asker, web_server: WebServer
) -> None:
    page, token = alice_asked.page, alice_asked.token
    remove = row(page, MOVIE).get_by_role("button", name=f"Remove {MOVIE}")
    dialog = page.get_by_role("alertdialog", name=f"Remove {MOVIE}?")

    # Escape and Keep both leave it; the safe choice has the focus.
    remove.click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("It leaves the Radarr and Sonarr feeds at once.")
    expect(dialog.get_by_role("button", name="Keep")).to_be_focused()
    assert_accessible(page)
    screenshot(page, "requests-confirm-remove", full_page=False)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(remove).to_be_focused()
    remove.click()
    dialog.get_by_role("button", name="Keep").click()
    expect(dialog).to_be_hidden()
    expect(row(page, MOVIE)).to_have_count(1)
    assert ("movie", MOVIE_ID) in listed(web_server, token)

    remove.click()
    dialog.get_by_role("button", name="Yes, remove").click()
    expect(row(page, MOVIE)).to_have_count(0)
    expect(page.get_by_text(f"Removed {MOVIE}.")).to_be_visible()
    expect(page.get_by_text("Nothing requested yet.")).to_be_visible()
    # The empty list leads somewhere: to Discover.
    page.get_by_role("link", name="Find something to request on Discover").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Discover")
    assert ("movie", MOVIE_ID) not in listed(web_server, token)
    screenshot(page, "requests-removed")


def test_a_refused_remove_shows_the_servers_answer(
    alice_asked: Asker, web_server: WebServer, problems: Problems
) -> None:
    """The page can be out of date: the request went while the dialog was open."""
    problems.allow_api(404, f"/api/request/movie/{MOVIE_ID}")
    page = alice_asked.page
    row(page, MOVIE).get_by_role("button", name=f"Remove {MOVIE}").click()
    remove_request(web_server, MOVIE_ID)  # an admin, elsewhere
    page.get_by_role("button", name="Yes, remove").click()
    expect(page.get_by_text("This request was already removed.")).to_be_visible()
    expect(row(page, MOVIE)).to_have_count(0)


def test_an_admin_may_remove_anyones_request_on_a_phone(
    new_page: NewPage, web_server: WebServer
) -> None:
    alice = api_login(web_server, USER_PASSWORD, "alice")
    request_title(web_server, alice, TRENDING_MOVIE_ID)
    try:
        bob = new_page(session=api_session(web_server, USER_PASSWORD, "bob"))
        bob.goto("/requests?who=all")
        expect(row(bob, TRENDING_MOVIE)).to_contain_text("Requested by alice")
        expect(row(bob, TRENDING_MOVIE).get_by_role("button")).to_have_count(0)

        admin = new_page(session=api_session(web_server, ADMIN_PASSWORD, "root"), viewport=PHONE)
        admin.goto("/requests")
        expect(row(admin, TRENDING_MOVIE)).to_be_visible()
        no_horizontal_overflow(admin)
        screenshot(admin, "requests-phone-admin")
        row(admin, TRENDING_MOVIE).get_by_role("button", name=f"Remove {TRENDING_MOVIE}").click()
        dialog = admin.get_by_role("alertdialog", name=f"Remove {TRENDING_MOVIE}?")
        no_horizontal_overflow(admin)
        screenshot(admin, "requests-phone-confirm", full_page=False)
        dialog.get_by_role("button", name="Yes, remove").click()
        expect(row(admin, TRENDING_MOVIE)).to_have_count(0)
        assert ("movie", TRENDING_MOVIE_ID) not in listed(web_server, alice)
    finally:
        remove_request(web_server, TRENDING_MOVIE_ID)


def test_long_lists_come_in_pages(new_page: NewPage, web_server: WebServer) -> None:
    start = datetime(2023, 1, 1, tzinfo=UTC)
    ids = range(990100, 990125)  # 25 titles: a full page of 20 and 5 more
    for n, tmdb_id in enumerate(ids):
        add_stored_request(
            web_server,
            MediaRequest(
                media_type=MediaType.TV,
                tmdb_id=tmdb_id,
                title=f"Show {n:02d}",
                requested_by="dora",
                requested_at=start + timedelta(days=n),
                tvdb_id=None if n == 0 else 80000 + n,
                status=RequestStatus.PENDING,
            ),
        )
    try:
        page = new_page(session=api_session(web_server, USER_PASSWORD, "dora"))
        page.goto("/requests?sort=title")
        expect(rows(page)).to_have_count(20)
        expect(rows(page).get_by_role("heading").first).to_have_text("Show 00")
        pages = page.get_by_role("navigation", name="Pages")
        expect(pages).to_contain_text("Page 1 of 2")
        expect(pages.get_by_role("button", name="Previous page")).to_be_disabled()
        pages.get_by_role("button", name="Next page").click()
        expect(rows(page)).to_have_count(5)
        expect(rows(page).get_by_role("heading").first).to_have_text("Show 20")
        expect(pages).to_contain_text("Page 2 of 2")
        assert "page=2" in page.url
        screenshot(page, "requests-page-2")
        pages.get_by_role("button", name="Previous page").click()
        # The show with no TVDB id is flagged for older Sonarr.
        expect(row(page, "Show 00")).to_contain_text("No TVDB id: older Sonarr versions skip")
        expect(page.get_by_text("No TVDB id")).to_have_count(1)
    finally:
        admin = {"Authorization": f"Bearer {api_login(web_server, ADMIN_PASSWORD, 'root')}"}
        for tmdb_id in ids:
            httpx.delete(f"{web_server.url}/api/request/tv/{tmdb_id}", headers=admin, timeout=10)


def test_a_request_from_a_discover_card_to_its_removal(
    new_page: NewPage, web_server: WebServer
) -> None:
    alice = api_session(web_server, USER_PASSWORD, "alice")
    page = new_page(session=alice)
    try:
        page.goto("/?q=star+trek")
        results = page.locator("#results")
        expect(results).to_have_attribute("aria-busy", "false")
        card = results.locator("> li").filter(
            has=page.get_by_role("heading", name=MOVIE, exact=True)
        )
        card.get_by_role("button", name=f"Request {MOVIE}").click()
        expect(card.get_by_text("Requested", exact=True)).to_be_visible()
        # The server has it once it says so (the badge alone is the optimistic one).
        expect(
            page.get_by_role("status").filter(has_text="Added Star Trek to requests")
        ).to_be_visible()
        requested_at = str(listed(web_server, alice["token"])[("movie", MOVIE_ID)]["requested_at"])

        main_nav = page.get_by_role("navigation", name="Main")
        main_nav.get_by_role("link", name="Requests", exact=True).click()
        expect(page).to_have_url(re.compile(r"/requests$"))
        asked = row(page, MOVIE)
        expect(asked).to_contain_text(f"Requested by alice on {us_date(requested_at)}")
        expect(asked).to_contain_text("Pending")

        asked.get_by_role("button", name=f"Remove {MOVIE}").click()
        dialog = page.get_by_role("alertdialog", name=f"Remove {MOVIE}?")
        dialog.get_by_role("button", name="Yes, remove").click()
        expect(dialog).to_be_hidden()
        expect(row(page, MOVIE)).to_have_count(0)
        expect(page.get_by_text(f"Removed {MOVIE}.")).to_be_visible()
        assert ("movie", MOVIE_ID) not in listed(web_server, alice["token"])

        # Back on Discover, the card offers the request again.
        main_nav.get_by_role("link", name="Discover", exact=True).click()
        page.get_by_role("searchbox", name="Search movies and shows").fill("star trek")
        expect(results).to_have_attribute("aria-busy", "false")
        expect(card.get_by_role("button", name=f"Request {MOVIE}")).to_be_visible()
    finally:
        remove_request(web_server, MOVIE_ID)
