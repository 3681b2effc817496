"""The feeds dialog in a real Chromium: every feed URL from /api/feeds with a copy button
that really copies (the Clipboard API, or the select-and-copy fallback on plain-http LAN
names), the Radarr/Sonarr steps, and the real feed token only for admins."""

from __future__ import annotations

from e2e.web_app import (
    ADMIN_PASSWORD,
    FEED_TOKEN,
    INSECURE_HOST,
    PHONE,
    SESSION_KEY,
    USER_PASSWORD,
    NewPage,
    WebServer,
    api_session,
    assert_accessible,
    no_horizontal_overflow,
    screenshot,
)
from playwright.sync_api import Locator, Page, expect

FEEDS = 6  # services/feeds.py: radarr, radarr_tmdb, sonarr and three RSS feeds
DIALOG = "Feeds for Radarr and Sonarr"


def open_feeds(page: Page) -> Locator:
    page.get_by_role("banner").get_by_role("button", name="Feeds").click()
    dialog = page.get_by_role("dialog", name=DIALOG)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("textbox")).to_have_count(FEEDS)
    return dialog


def test_a_user_copies_a_feed_url_with_the_token_placeholder(
    new_page: NewPage, web_server: WebServer
) -> None:
    page = new_page(
        session=api_session(web_server, USER_PASSWORD, "alice"),
        permissions=["clipboard-read", "clipboard-write"],
    )
    page.goto("/requests")
    dialog = open_feeds(page)
    expect(dialog).to_contain_text("ask your admin for it")
    expect(dialog.get_by_role("heading", name="Connecting Radarr and Sonarr")).to_be_visible()
    expect(dialog).to_contain_text("Settings → Import Lists → + → Custom Lists; paste the URL.")
    url = dialog.get_by_label("Radarr (Custom Lists, TMDB ids) URL", exact=True)
    expected = f"{web_server.url}/list/radarr/tmdb?token=YOUR_FEED_TOKEN"
    expect(url).to_have_value(expected)
    # The server decides: a user's URLs never carry the real token.
    for value in dialog.get_by_role("textbox").evaluate_all("(all) => all.map((i) => i.value)"):
        assert FEED_TOKEN not in value and value.startswith(web_server.url)
    assert_accessible(page)
    screenshot(page, "feeds-dialog-user", full_page=False)

    copy = dialog.get_by_role("button", name="Copy Radarr (Custom Lists, TMDB ids) URL")
    copy.click()
    expect(copy).to_have_text("✓ Copied")
    expect(dialog.get_by_role("status")).to_have_text(
        "Radarr (Custom Lists, TMDB ids) URL copied to the clipboard."
    )
    assert page.evaluate("() => navigator.clipboard.readText()") == expected
    screenshot(page, "feeds-dialog-copied", full_page=False)

    # Escape closes it and the focus goes back to the header button.
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name=DIALOG)).to_be_hidden()
    expect(page.get_by_role("banner").get_by_role("button", name="Feeds")).to_be_focused()


def test_an_admin_sees_the_real_token_and_it_fits_a_phone(
    new_page: NewPage, web_server: WebServer
) -> None:
    page = new_page(session=api_session(web_server, ADMIN_PASSWORD, "root"), viewport=PHONE)
    page.goto("/")
    dialog = open_feeds(page)
    expect(dialog).to_contain_text("These URLs include the feed token")
    expect(dialog.get_by_label("Sonarr (Custom List) URL", exact=True)).to_have_value(
        f"{web_server.url}/list/sonarr?token={FEED_TOKEN}"
    )
    no_horizontal_overflow(page)
    screenshot(page, "feeds-dialog-admin-phone", full_page=False)
    dialog.get_by_role("button", name="Close", exact=True).click()
    expect(page.get_by_role("dialog", name=DIALOG)).to_be_hidden()


def test_copy_falls_back_to_select_and_copy_on_plain_http(
    new_page: NewPage, web_server: WebServer
) -> None:
    """http://stellarr.test is no secure context, so navigator.clipboard is out of reach."""
    origin = f"http://{INSECURE_HOST}:{web_server.port}"
    session = api_session(web_server, USER_PASSWORD, "alice")
    page = new_page(
        base_url=origin,
        storage_state={
            "cookies": [],
            "origins": [
                {
                    "origin": origin,
                    "localStorage": [
                        {
                            "name": SESSION_KEY,
                            "value": (
                                f'{{"token":"{session["token"]}","name":"alice","role":"user"}}'
                            ),
                        }
                    ],
                }
            ],
        },
    )
    page.goto("/")
    assert page.evaluate("() => window.isSecureContext") is False
    dialog = open_feeds(page)
    copy = dialog.get_by_role("button", name="Copy RSS: everything URL")
    copy.click()
    expect(copy).to_have_text("✓ Copied")
    # What execCommand('copy') copied: the URL field's selection, all of it.
    url = dialog.get_by_label("RSS: everything URL", exact=True)
    selected = url.evaluate("(i) => i.value.slice(i.selectionStart, i.selectionEnd)")
    assert selected == f"{origin}/rss/all?token=YOUR_FEED_TOKEN"
