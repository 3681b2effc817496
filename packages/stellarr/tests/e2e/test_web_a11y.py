"""axe-core on every page of the web app, in the light and the dark theme: no serious or
critical violation (contrast, names, roles, landmarks...). The scan runs on the page as
a user sees it, data loaded; a screenshot of each is kept (e2e/artifacts/)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from e2e.web_app import WebServer, axe_scan, describe_violations, screenshot
from e2e.web_pages import PAGE_IDS, PAGES, WebPage
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
