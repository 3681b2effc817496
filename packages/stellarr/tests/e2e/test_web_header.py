"""The header in a real Chromium: one compact row on phones in every language (no word
broken across lines, the language and Log out behind "More"), the same controls spelled
out on a desktop, and nothing a signed-out visitor could only bounce off."""

from __future__ import annotations

import re

import pytest
from e2e.web_app import (
    ADMIN_PASSWORD,
    USER_PASSWORD,
    NewPage,
    WebServer,
    api_session,
    assert_accessible,
    no_horizontal_overflow,
    screenshot,
)
from playwright.sync_api import Page, expect

# Height of the header and of each of its links and controls, and whether any text in it
# wraps (a text node whose rendered rectangles sit on more than one line).
MEASURE = """() => {
  const header = document.querySelector('header');
  const wrapped = [];
  const walker = document.createTreeWalker(header, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    if (tops.size > 1) wrapped.push(node.textContent.trim());
  }
  return { height: header.getBoundingClientRect().height, wrapped };
}"""


def phone(new_page: NewPage, server: WebServer, width: int, lang: str, admin: bool) -> Page:
    password, name = (ADMIN_PASSWORD, "root") if admin else (USER_PASSWORD, "alice")
    return new_page(
        session=api_session(server, password, name),
        viewport={"width": width, "height": 640},
        is_mobile=True,
        has_touch=True,
        locale=lang,
    )


@pytest.mark.parametrize("lang", ["en", "fr", "de", "es"])
@pytest.mark.parametrize("width", [360, 320])
def test_a_phone_header_is_one_row_in_every_language(
    lang: str, width: int, new_page: NewPage, web_server: WebServer
) -> None:
    page = phone(new_page, web_server, width, lang, admin=True)
    page.goto("/requests")
    banner = page.get_by_role("banner")
    expect(banner.get_by_role("link")).to_have_count(4)  # Stellarr and three pages
    measured = page.evaluate(MEASURE)
    assert measured["wrapped"] == [], measured
    # One row: under a tenth of a 640 px screen (it was 17-20 %).
    assert measured["height"] <= 64, measured
    no_horizontal_overflow(page)
    # Only icons show, and the links keep their names for screen readers.
    nav = banner.get_by_role("navigation")
    names = {"en": "Requests", "fr": "Demandes", "de": "Anfragen", "es": "Solicitudes"}
    requests = nav.get_by_role("link", name=names[lang], exact=True)
    box = requests.bounding_box()
    assert box is not None and 24 <= box["width"] <= 56, box
    if (lang, width) == ("fr", 320):
        screenshot(page, "phone-header-fr-320", full_page=False)


def test_more_opens_the_language_and_log_out_and_closes_again(
    new_page: NewPage, web_server: WebServer
) -> None:
    page = phone(new_page, web_server, 360, "en", admin=False)
    page.goto("/")
    banner = page.get_by_role("banner")
    expect(banner.get_by_role("button", name="Log out")).to_be_hidden()
    more = banner.get_by_role("button", name="More")
    expect(more).to_have_attribute("aria-expanded", "false")
    more.click()
    expect(more).to_have_attribute("aria-expanded", "true")
    expect(banner.get_by_label("Language")).to_be_visible()
    log_out = banner.get_by_role("button", name="Log out")
    expect(log_out).to_be_visible()
    # Drawn like the header's other controls, not the browser's grey box.
    styles = "(e) => [getComputedStyle(e).borderRadius, getComputedStyle(e).backgroundColor]"
    assert log_out.evaluate(styles) == banner.get_by_label("Language").evaluate(styles)
    box = log_out.bounding_box()
    assert box is not None and box["height"] >= 24 and box["width"] >= 24
    assert_accessible(page)
    screenshot(page, "phone-header-more", full_page=False)
    page.keyboard.press("Escape")
    expect(log_out).to_be_hidden()
    expect(more).to_be_focused()
    more.click()
    log_out.click()
    expect(page).to_have_url(re.compile(r"/login"))


def test_a_desktop_header_spells_everything_out(new_page: NewPage, web_server: WebServer) -> None:
    page = new_page(session=api_session(web_server, USER_PASSWORD, "alice"))
    page.goto("/")
    banner = page.get_by_role("banner")
    expect(banner.get_by_role("button", name="More")).to_be_hidden()
    expect(banner.get_by_role("link", name="Discover")).to_have_text("Discover")
    expect(banner.get_by_role("link", name="Requests")).to_have_text("Requests")
    expect(banner.get_by_role("link", name="Feeds")).to_have_count(0)  # an admin's page
    expect(banner.get_by_role("button", name="Log out")).to_be_visible()


def test_signed_out_the_header_offers_only_what_works(
    new_page: NewPage, web_server: WebServer
) -> None:
    page = new_page()
    page.goto("/login")
    banner = page.get_by_role("banner")
    expect(banner.get_by_role("link")).to_have_count(1)  # Stellarr itself
    expect(banner.get_by_role("navigation")).to_have_count(0)
    expect(banner.get_by_role("button")).to_have_count(0)  # no bell, More or Log out
    expect(banner.get_by_label("Language")).to_be_visible()
