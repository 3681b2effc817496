"""Season choices in a real Chromium against a real `stellarr serve` whose admin has set up
Sonarr lists (SONARR_SEASON_LISTS): a show's Request button asks which seasons, the choice
reaches the matching `/list/sonarr?monitor=` feed and no other, the title and Requests pages
show it, an admin changes it while the show waits, and the Feeds page lists each list with
its Sonarr Monitor option."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from e2e.web_app import (
    ADMIN_PASSWORD,
    FEED_TOKEN,
    ON_A_PHONE,
    SHOW,
    SHOW_ID,
    USER_PASSWORD,
    NewPage,
    Problems,
    WebServer,
    api_session,
    assert_accessible,
    docs_screenshot,
    mark_added,
    no_horizontal_overflow,
    remove_request,
    serving_web,
)
from playwright.sync_api import Page, expect

from stellarr.domain.models import MediaType
from stellarr_testing.fake_tmdb import FakeTMDB


@pytest.fixture(scope="module")
def web_server(
    tmp_path_factory: pytest.TempPathFactory, fake_tmdb_server: FakeTMDB
) -> Iterator[WebServer]:
    folder = tmp_path_factory.mktemp("stellarr-web-seasons")
    lists = {"SONARR_SEASON_LISTS": "first,latest,future"}
    with serving_web(folder, fake_tmdb_server, lists, with_push=False) as running:
        yield running


def sonarr_ids(server: WebServer, monitor: str | None = None) -> set[int]:
    query = f"?monitor={monitor}&token={FEED_TOKEN}" if monitor else f"?token={FEED_TOKEN}"
    answer = httpx.get(f"{server.url}/list/sonarr{query}", timeout=10)
    assert answer.status_code == 200, answer.text
    return {item["tmdbId"] for item in answer.json()}


def show_card(page: Page) -> object:
    results = page.locator("#results")
    expect(results).to_have_attribute("aria-busy", "false")
    return results.locator("> li").filter(has=page.get_by_role("heading", name=SHOW, exact=True))


def test_a_show_is_requested_for_its_latest_season_and_reaches_that_list_only(
    new_page: NewPage, web_server: WebServer
) -> None:
    page = new_page(session=api_session(web_server, USER_PASSWORD, "alice"))
    try:
        page.goto("/?q=star+trek")
        card = show_card(page)
        button = card.get_by_role("button", name=f"Request {SHOW}")

        # Cancelled, nothing is asked for and the button keeps the focus.
        button.click()
        dialog = page.get_by_role("dialog", name=f"Which seasons of {SHOW}?")
        expect(dialog).to_be_visible()
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(button).to_be_focused()
        expect(button).to_have_attribute("aria-haspopup", "dialog")
        assert SHOW_ID not in sonarr_ids(web_server)

        button.click()
        expect(dialog.get_by_role("radio", name="All seasons")).to_be_checked()
        assert [dialog.get_by_role("radio").nth(i).get_attribute("value") for i in range(4)] == [
            "all",
            "first",
            "latest",
            "future",
        ]
        dialog.get_by_role("radio", name="Latest season").check()
        assert_accessible(page)
        docs_screenshot(page, "seasons-choice")
        dialog.get_by_role("button", name="Request", exact=True).click()
        expect(card.get_by_text("Requested", exact=True)).to_be_visible()
        expect(
            page.get_by_role("status").filter(has_text=f"Added {SHOW.split(' (')[0]}")
        ).to_be_visible()
        assert sonarr_ids(web_server, "latest") == {SHOW_ID}
        assert SHOW_ID not in sonarr_ids(web_server)
        assert SHOW_ID not in sonarr_ids(web_server, "first")

        # Everyone sees the choice: the title page and Requests say it.
        card.get_by_role("link", name=SHOW).first.click()
        expect(page.get_by_test_id("title-seasons")).to_have_text("Seasons: Latest season")
        page.goto("/requests?whose=all")
        asked = page.get_by_role("main").get_by_role("listitem").filter(has_text=SHOW)
        expect(asked.get_by_test_id("seasons")).to_have_text("· Latest season")
        # A member cannot change it.
        expect(asked.get_by_role("combobox")).to_have_count(0)
    finally:
        remove_request(web_server, SHOW_ID, "tv")


def test_an_admin_moves_a_waiting_show_to_another_list_on_a_phone(
    new_page: NewPage, web_server: WebServer, problems: Problems
) -> None:
    alice = api_session(web_server, USER_PASSWORD, "alice")
    made = httpx.post(
        f"{web_server.url}/api/request",
        json={"tmdb_id": SHOW_ID, "media_type": "tv", "monitor": "first"},
        headers={"Authorization": f"Bearer {alice['token']}"},
        timeout=10,
    )
    assert made.status_code == 201, made.text
    page = new_page(session=api_session(web_server, ADMIN_PASSWORD, "root"), **ON_A_PHONE)
    try:
        page.goto("/requests?whose=all")
        seasons = page.get_by_role("combobox", name=f"Seasons of {SHOW}")
        expect(seasons).to_have_value("first")
        no_horizontal_overflow(page)
        assert_accessible(page)
        seasons.scroll_into_view_if_needed()
        docs_screenshot(page, "phone-requests-seasons-admin")
        seasons.select_option("future")
        expect(page.get_by_text(f"{SHOW}: Future episodes.")).to_be_visible()
        expect(seasons).to_have_value("future")
        assert sonarr_ids(web_server, "future") == {SHOW_ID}
        assert SHOW_ID not in sonarr_ids(web_server, "first")

        # Added meanwhile (a webhook): the change is refused, and the row shows what the
        # server holds, not the choice that was refused.
        problems.allow_api(409, f"/api/request/tv/{SHOW_ID}")
        mark_added(web_server, MediaType.TV, SHOW_ID, datetime.now(UTC))
        seasons.select_option("latest")
        expect(page.get_by_text(f"Could not change the seasons of {SHOW}")).to_be_visible()
        row = page.get_by_role("main").get_by_role("listitem").filter(has_text=SHOW)
        expect(row.get_by_test_id("seasons")).to_have_text("· Future episodes")
        expect(row.get_by_role("combobox")).to_have_count(0)
    finally:
        remove_request(web_server, SHOW_ID, "tv")


def test_the_feeds_page_lists_each_sonarr_list_with_its_monitor_option(
    new_page: NewPage, web_server: WebServer
) -> None:
    page = new_page(session=api_session(web_server, ADMIN_PASSWORD, "root"))
    page.goto("/feeds")
    expect(page.get_by_test_id("season-lists")).to_be_visible()
    for name, query, option in (
        ("Sonarr: all seasons", "", "All Episodes"),
        ("Sonarr: first season", "?monitor=first&", "First Season"),
        ("Sonarr: latest season", "?monitor=latest&", "Last Season"),
        ("Sonarr: future episodes", "?monitor=future&", "Future Episodes"),
    ):
        item = page.get_by_role("listitem").filter(
            has=page.get_by_role("heading", name=f"{name} JSON")
        )
        url = f"{web_server.url}/list/sonarr{query or '?'}token={FEED_TOKEN}"
        expect(item.get_by_role("textbox", name=f"{name} URL")).to_have_value(url)
        expect(item).to_contain_text(f"Monitor: {option}.")
    assert_accessible(page)
    docs_screenshot(page, "feeds-season-lists")


def test_on_a_phone_the_choice_and_the_feeds_fit(new_page: NewPage, web_server: WebServer) -> None:
    page = new_page(session=api_session(web_server, USER_PASSWORD, "alice"), **ON_A_PHONE)
    page.goto("/?q=star+trek")
    show_card(page).get_by_role("button", name=f"Request {SHOW}").click()
    dialog = page.get_by_role("dialog", name=f"Which seasons of {SHOW}?")
    expect(dialog.get_by_role("radio", name="Future episodes")).to_be_visible()
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    no_horizontal_overflow(page)
    docs_screenshot(page, "phone-seasons-choice")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()

    admin = new_page(session=api_session(web_server, ADMIN_PASSWORD, "root"), **ON_A_PHONE)
    admin.goto("/feeds")
    expect(admin.get_by_test_id("season-lists")).to_be_visible()
    no_horizontal_overflow(admin)
    docs_screenshot(admin, "phone-feeds-season-lists")


def test_unanswered_options_request_nothing_and_say_so(
    new_page: NewPage, web_server: WebServer, problems: Problems
) -> None:
    problems.allow_api(503, "/api/request/options")
    page = new_page(session=api_session(web_server, USER_PASSWORD, "alice"))
    page.route(
        "**/api/request/options",
        lambda route: route.fulfill(status=503, json={"detail": "Service unavailable"}),
    )
    page.goto("/?q=star+trek")
    button = show_card(page).get_by_role("button", name=f"Request {SHOW}")
    button.click()
    name = SHOW.split(" (")[0]
    expect(page.get_by_role("alert")).to_contain_text(f"Could not request {name}: Stellarr cannot")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(button).to_be_visible()
    assert SHOW_ID not in sonarr_ids(web_server)
