"""The Feeds page in a real Chromium: for an admin, every feed URL from /api/feeds with the
real token, its one set-up line and a copy button that really copies (the Clipboard API, or
the select-and-copy fallback on plain-http LAN names); members get no Feeds link, and the
page and Requests tell them in three lines how a request travels."""

from __future__ import annotations

import json
import re

from e2e.web_app import (
    ADMIN_PASSWORD,
    FEED_TOKEN,
    INSECURE_HOST,
    ON_A_PHONE,
    SESSION_KEY,
    USER_PASSWORD,
    NewPage,
    WebServer,
    api_session,
    assert_accessible,
    no_horizontal_overflow,
    screenshot,
)
from playwright.sync_api import Page, expect

FEEDS = 6  # services/feeds.py: radarr, radarr_tmdb, sonarr and three RSS feeds
HEADING = "Feeds for Radarr and Sonarr"


def open_feeds(page: Page) -> None:
    """From the header's Feeds link, the page with every URL in."""
    page.get_by_role("banner").get_by_role("link", name="Feeds").click()
    expect(page).to_have_url(re.compile(r"/feeds$"))
    expect(page.get_by_role("heading", level=1, name=HEADING)).to_be_visible()
    expect(page.get_by_role("main").get_by_role("textbox")).to_have_count(FEEDS)


def test_an_admin_copies_a_feed_url_with_the_real_token(
    new_page: NewPage, web_server: WebServer
) -> None:
    page = new_page(
        session=api_session(web_server, ADMIN_PASSWORD, "root"),
        permissions=["clipboard-read", "clipboard-write"],
    )
    page.goto("/requests")
    open_feeds(page)
    main = page.get_by_role("main")
    expect(main).to_contain_text("These URLs include the feed token")
    # Each feed's set-up is said once, beside its URL: no separate list of steps.
    expect(main.get_by_text("Custom Lists; paste the URL.")).to_have_count(1)
    expect(main.get_by_role("heading", name="Connecting Radarr and Sonarr")).to_have_count(0)
    url = main.get_by_label("Radarr (Custom Lists, TMDB ids) URL", exact=True)
    expected = f"{web_server.url}/list/radarr/tmdb?token={FEED_TOKEN}"
    expect(url).to_have_value(expected)
    assert_accessible(page)
    screenshot(page, "feeds-admin")

    copy = main.get_by_role("button", name="Copy Radarr (Custom Lists, TMDB ids) URL")
    copy.click()
    expect(copy).to_have_text("✓ Copied")
    expect(main.get_by_role("status")).to_have_text(
        "Radarr (Custom Lists, TMDB ids) URL copied to the clipboard."
    )
    assert page.evaluate("() => navigator.clipboard.readText()") == expected


def test_the_feeds_page_fits_a_phone(new_page: NewPage, web_server: WebServer) -> None:
    page = new_page(session=api_session(web_server, ADMIN_PASSWORD, "root"), **ON_A_PHONE)
    page.goto("/")
    open_feeds(page)
    expect(page.get_by_label("Sonarr (Custom List) URL", exact=True)).to_have_value(
        f"{web_server.url}/list/sonarr?token={FEED_TOKEN}"
    )
    no_horizontal_overflow(page)
    screenshot(page, "phone-feeds-admin")


def test_members_get_how_it_works_and_no_feed_urls(
    new_page: NewPage, web_server: WebServer
) -> None:
    page = new_page(session=api_session(web_server, USER_PASSWORD, "alice"))
    page.goto("/requests")
    expect(page.get_by_role("banner").get_by_role("link", name="Feeds")).to_have_count(0)
    expect(page.get_by_role("banner").get_by_role("button", name="Feeds")).to_have_count(0)
    how = page.get_by_role("group").filter(has=page.get_by_text("How requests work"))
    page.get_by_text("How requests work").click()
    expect(how.get_by_role("listitem")).to_have_count(3)
    expect(how).to_contain_text("picks it up from Stellarr at its next sync")
    screenshot(page, "requests-how-it-works")
    # The page itself, opened from a link someone shared: the same three lines, no URLs.
    page.goto("/feeds")
    expect(page.get_by_role("heading", level=1, name=HEADING)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("there is nothing for you to configure")
    expect(page.get_by_role("main").get_by_role("listitem")).to_have_count(3)
    expect(page.get_by_role("textbox")).to_have_count(0)
    assert_accessible(page)


def test_copy_falls_back_to_select_and_copy_on_plain_http(
    new_page: NewPage, web_server: WebServer
) -> None:
    """http://stellarr.test is no secure context, so navigator.clipboard is out of reach."""
    origin = f"http://{INSECURE_HOST}:{web_server.port}"
    session = api_session(web_server, ADMIN_PASSWORD, "root")
    page = new_page(
        base_url=origin,
        storage_state={
            "cookies": [],
            "origins": [
                {
                    "origin": origin,
                    "localStorage": [{"name": SESSION_KEY, "value": json.dumps(session)}],
                }
            ],
        },
    )
    page.goto("/feeds")
    assert page.evaluate("() => window.isSecureContext") is False
    main = page.get_by_role("main")
    copy = main.get_by_role("button", name="Copy RSS: everything URL")
    copy.click()
    expect(copy).to_have_text("✓ Copied")
    # What execCommand('copy') copied: the URL field's selection, all of it.
    url = main.get_by_label("RSS: everything URL", exact=True)
    selected = url.evaluate("(i) => i.value.slice(i.selectionStart, i.selectionEnd)")
    assert selected == f"{origin}/rss/all?token={FEED_TOKEN}"
