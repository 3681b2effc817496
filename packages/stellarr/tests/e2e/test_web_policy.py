"""What the browser is held to on every page: the CSP, and the API docs working offline."""

from __future__ import annotations

from e2e.web_app import Problems, WebServer, poll
from playwright.sync_api import Page, Route, expect


def test_the_policy_blocks_inline_script_and_the_watch_sees_it(
    page: Page, web_server: WebServer, problems: Problems
) -> None:
    # Every other test passes only with no CSP violation; prove an injected script is one.
    page.goto("/login")
    expect(page.get_by_label("Password")).to_be_visible()
    ran = page.evaluate(
        """() => {
            const script = document.createElement('script');
            script.textContent = 'window.injected = true';
            document.head.append(script);
            return window.injected === true;
        }"""
    )
    assert ran is False
    # The violation reaches the watch through an event and a binding: poll, bounded.
    poll(
        lambda: any(p.startswith("csp: script-src") for p in problems.found), page=page, every=0.02
    )
    assert any(p.startswith("csp: script-src") for p in problems.found), problems.found
    # Seen, so expected here: the browser's own console line about it included.
    problems.allow("csp: script-src")
    problems.allow("Content Security Policy")


def test_api_docs_render_and_run_offline(page: Page, web_server: WebServer) -> None:
    elsewhere: list[str] = []

    def refuse(route: Route) -> None:
        elsewhere.append(route.request.url)
        route.abort()

    page.route(lambda url: not url.startswith(web_server.url), refuse)
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Stellarr")
    health = page.locator(".opblock").filter(has_text="/api/health")
    health.locator(".opblock-summary").click()
    health.get_by_role("button", name="Try it out").click()
    health.get_by_role("button", name="Execute").click()
    status = health.locator(".live-responses-table tbody .response-col_status")
    expect(status).to_have_text("200")
    assert elsewhere == []
