"""axe-core on every page of the web app, in the light and the dark theme: no serious or
critical violation (contrast, names, roles, landmarks...). The scan runs on the page as
a user sees it, data loaded; a screenshot of each is kept (e2e/artifacts/). And Discover
with the keyboard alone: every Tab stop takes the focus and shows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from e2e.web_app import (
    USER_PASSWORD,
    WebServer,
    api_session,
    axe_scan,
    describe_violations,
    screenshot,
)
from e2e.web_pages import PAGE_IDS, PAGES, WebPage, open_discover
from playwright.sync_api import Page


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("web_page", PAGES, ids=PAGE_IDS)
def test_no_serious_accessibility_violations(
    web_page: WebPage, scheme: str, new_page: Callable[..., Page], web_server: WebServer
) -> None:
    page = web_page.new(new_page, web_server, color_scheme=scheme)
    try:
        web_page.open(page, web_server)
        violations = axe_scan(page)
        screenshot(page, f"{web_page.name}-{scheme}", full_page=not web_page.dialog)
    finally:
        if web_page.cleanup:
            web_page.cleanup(web_server)
    assert violations == [], (
        f"axe-core on {web_page.name} ({scheme}):\n{describe_violations(violations)}"
    )


# The focused element and where its focus shows: on itself, or, for a control drawn by
# another element (a radio hidden under its pill, a card's title link), on that sibling or
# ancestor. Shown means a visible outline or box shadow on a visible element.
FOCUS_STOP = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const visible = (node) => {
    const style = getComputedStyle(node);
    const box = node.getBoundingClientRect();
    return style.opacity !== '0' && style.visibility !== 'hidden'
      && box.width > 2 && box.height > 2;
  };
  const ring = (node) => {
    const style = getComputedStyle(node);
    if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) return 'outline';
    return style.boxShadow !== 'none' ? 'box-shadow' : null;
  };
  const candidates = [el, el.nextElementSibling];
  for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
    candidates.push(up);
  }
  const shown = candidates.find((node) => node && visible(node) && ring(node));
  const label = el.labels && el.labels.length ? el.labels[0].textContent : null;
  const name = (el.getAttribute('aria-label') || label || el.textContent || '')
    .trim().replace(/\\s+/g, ' ');
  return {
    tag: el.tagName.toLowerCase(),
    type: el.getAttribute('type'),
    name: name.slice(0, 60),
    card: el.closest('#trending > li') === document.querySelector('#trending > li'),
    shownBy: shown
      ? `${shown === el ? 'itself' : shown.tagName.toLowerCase()} (${ring(shown)})` : null,
  };
}"""
MAX_STOPS = 30


def test_discover_with_the_keyboard_alone_shows_every_focus_stop(
    new_page: Callable[..., Page], web_server: WebServer
) -> None:
    page = new_page(session=api_session(web_server, USER_PASSWORD, "kim"))
    open_discover(page, web_server)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    stops: list[dict[str, Any]] = []
    while len(stops) < MAX_STOPS:
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_STOP)
        assert stop is not None, f"Tab {len(stops) + 1} left the focus nowhere: {stops}"
        stops.append(stop)
        if stop["card"] and stop["tag"] == "button":
            break
    else:
        raise AssertionError(f"no Request button of the first card within {MAX_STOPS} stops")

    route = [(s["tag"], s["name"]) for s in stops]
    # The header, the search box, the type filter (one stop: arrows move within it), then
    # the first card's title link and its Request button.
    assert route[:9] == [
        ("a", "Skip to content"),
        ("a", "Stellarr"),
        ("a", "Discover"),
        ("a", "Requests"),
        ("button", "Notifications"),
        ("select", "Language"),
        ("button", "Log out"),
        ("input", "Search movies and shows"),
        ("input", "All"),
    ], route
    title_link, request = stops[9:]
    assert title_link["tag"] == "a" and title_link["card"], route
    assert request["name"] == f"Request {title_link['name']}", route
    hidden = [s for s in stops if s["shownBy"] is None]
    assert hidden == [], f"focus stops with no visible focus: {hidden}"
