"""The web app's layout in a real Chromium: it boots under the strict CSP, every page fits
a 360 px phone without sideways scrolling, and both themes (the OS's light or dark
setting) render with readable colours. Screenshots of each are kept (e2e/artifacts/)."""

from __future__ import annotations

import pytest
from e2e.web_app import ON_A_PHONE, NewPage, WebServer, no_horizontal_overflow, screenshot
from e2e.web_pages import PAGE_IDS, PAGES, WebPage, open_discover
from playwright.sync_api import Page, expect


def test_the_app_boots_under_the_csp_without_errors(page: Page) -> None:
    # The page fixture fails the test on any console error or CSP violation.
    page.goto("/login")
    expect(page.get_by_role("link", name="Stellarr").first).to_be_visible()


@pytest.mark.parametrize("web_page", PAGES, ids=PAGE_IDS)
def test_every_page_fits_a_360_px_phone(
    web_page: WebPage, new_page: NewPage, web_server: WebServer
) -> None:
    page = web_page.new(new_page, web_server, **ON_A_PHONE)
    try:
        web_page.open(page, web_server)
        screenshot(page, f"phone-{web_page.name}", full_page=not web_page.dialog)
        no_horizontal_overflow(page)
    finally:
        if web_page.cleanup:
            web_page.cleanup(web_server)


# Relative luminance (WCAG) of the page's background and text, read from computed styles.
COLOURS = """() => {
  const rgb = (css) => css.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => v / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const body = getComputedStyle(document.body);
  return { background: lum(rgb(body.backgroundColor)), text: lum(rgb(body.color)),
           scheme: getComputedStyle(document.documentElement).colorScheme };
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_both_themes_render(scheme: str, new_page: NewPage, web_server: WebServer) -> None:
    page = PAGES[PAGE_IDS.index("discover")].new(new_page, web_server, color_scheme=scheme)
    open_discover(page, web_server)
    screenshot(page, f"theme-{scheme}")
    colours = page.evaluate(COLOURS)
    if scheme == "dark":
        assert colours["background"] < 0.05 and colours["text"] > 0.6, colours
    else:
        assert colours["background"] > 0.8 and colours["text"] < 0.05, colours
    # Native controls (scrollbars, form fields) follow the theme too.
    assert colours["scheme"] == scheme, colours
    lighter = max(colours["background"], colours["text"])
    darker = min(colours["background"], colours["text"])
    assert (lighter + 0.05) / (darker + 0.05) >= 7, f"body text contrast below 7:1: {colours}"
