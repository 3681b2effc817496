"""Every failure the web app shows is in the user's language, chosen from the HTTP status and
what was being done; the server's `detail` is English and never reaches the screen.

The server is made to fail on purpose through Playwright routes: the failures are rare or
slow to bring about for real (a storage outage, TMDB down, a server error). No service
worker here, so the routes see every call the page makes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from e2e.web_app import (
    MOVIE,
    MOVIE_ID,
    USER_PASSWORD,
    NewPage,
    Problems,
    WebServer,
    api_session,
    remove_request,
    request_title,
    serving_web,
    wait_for_trending,
)
from playwright.sync_api import Locator, Page, Route, expect

from stellarr_testing.fake_tmdb import FakeTMDB


def failing(status: int, detail: str) -> Callable[[Route], None]:
    return lambda route: route.fulfill(status=status, json={"detail": detail})


def error_toast(page: Page) -> Locator:
    """The text of the error toast (its close button aside)."""
    return page.get_by_role("alert").get_by_test_id("toast").locator("span")


@pytest.fixture
def in_language(new_page: NewPage, web_server: WebServer) -> Callable[[str], Page]:
    """alice's page in `locale`, logged in, with no service worker in the way of routes."""

    def make(locale: str) -> Page:
        session = api_session(web_server, USER_PASSWORD, "alice")
        return new_page(session=session, locale=locale, service_workers="block")

    return make


def test_a_refused_request_says_why_in_french(
    in_language: Callable[[str], Page], web_server: WebServer, problems: Problems
) -> None:
    problems.allow_api(503, "/api/request")
    page = in_language("fr-FR")
    page.route("**/api/request", failing(503, "Storage is unavailable; try again shortly"))
    page.goto("/?q=star+trek")
    expect(page.locator("#results")).to_have_attribute("aria-busy", "false")
    page.get_by_role("button", name=f"Demander {MOVIE}").click()
    toast = error_toast(page)
    expect(toast).to_have_text(
        "Impossible de demander Star Trek : "
        "Stellarr ne peut pas le faire pour le moment. Réessayez bientôt."
    )
    expect(toast).not_to_contain_text("Storage")


def test_a_search_that_cannot_reach_stellarr_says_so_in_german(
    in_language: Callable[[str], Page], web_server: WebServer, problems: Problems
) -> None:
    problems.allow("ERR_FAILED")  # the aborted search, as the console reports it
    wait_for_trending(web_server, "de")
    page = in_language("de-DE")
    page.goto("/")
    page.route("**/api/search", lambda route: route.abort())
    page.get_by_role("searchbox", name="Filme und Serien suchen").fill("star trek")
    expect(page.get_by_test_id("search-status")).to_have_text(
        "Stellarr ist nicht erreichbar; bitte Verbindung prüfen und erneut versuchen."
    )


def test_search_without_a_tmdb_key_tells_the_user_in_german(
    tmp_path: Path, fake_tmdb_server: FakeTMDB, new_page: NewPage, problems: Problems
) -> None:
    # A real server with no TMDB key: the detail is the server's own, not the test's.
    problems.allow_api(503, "/api/search")
    problems.allow("/trending-all-")  # no key, so no trending lists were ever written
    with serving_web(tmp_path, fake_tmdb_server, {"TMDB_API_KEY": ""}, with_push=False) as bare:
        session = api_session(bare, USER_PASSWORD, "alice")
        page = new_page(base_url=bare.url, session=session, locale="de-DE")
        page.goto("/?q=star+trek")
        expect(page.get_by_test_id("search-status")).to_have_text(
            "Die Suche ist noch nicht eingerichtet: Bitte den Admin, einen TMDB-Schlüssel "
            "hinzuzufügen."
        )


def test_a_title_page_whose_source_fails_says_so_in_spanish(
    in_language: Callable[[str], Page], problems: Problems
) -> None:
    problems.allow_api(502, f"/api/title/movie/{MOVIE_ID}")
    page = in_language("es-ES")
    page.route("**/api/title/**", failing(502, "TMDB answered 500"))
    page.goto(f"/title/movie/{MOVIE_ID}")
    alert = page.get_by_role("main").get_by_role("alert")
    expect(alert).to_have_text(
        "TMDB no responde en este momento. Inténtalo de nuevo en un momento."
    )
    expect(alert).not_to_contain_text("answered")


def test_a_title_that_failed_loads_again_from_retry_and_when_back_online(
    in_language: Callable[[str], Page], problems: Problems
) -> None:
    problems.allow_api(502, f"/api/title/movie/{MOVIE_ID}")
    problems.allow("ERR_FAILED")  # the aborted title call, as the console reports it
    problems.allow("ERR_INTERNET_DISCONNECTED")  # what the page asks for while offline
    page = in_language("en-US")
    page.route("**/api/title/**", failing(502, "TMDB answered 500"))
    page.goto(f"/title/movie/{MOVIE_ID}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This title could not be loaded")
    page.unroute("**/api/title/**")
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MOVIE)

    # Offline: the error stays only until the browser is back online.
    page.get_by_role("banner").get_by_role("link", name="Discover").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Discover")
    page.context.set_offline(True)
    page.route("**/api/title/**", lambda route: route.abort())  # and no HTTP cache
    page.go_back()  # the app's own navigation: its title call fails
    expect(page.get_by_role("main").get_by_role("alert")).to_be_visible()
    page.unroute("**/api/title/**")
    page.context.set_offline(False)
    expect(page.get_by_role("heading", level=1)).to_have_text(MOVIE)


def test_a_search_that_failed_runs_again_from_retry_and_when_back_online(
    in_language: Callable[[str], Page], web_server: WebServer, problems: Problems
) -> None:
    problems.allow("ERR_FAILED")
    wait_for_trending(web_server)
    page = in_language("en-US")
    page.goto("/")
    page.route("**/api/search", lambda route: route.abort())
    page.get_by_role("searchbox", name="Search movies and shows").fill("star trek")
    retry = page.get_by_role("button", name="Try again")
    expect(retry).to_be_visible()
    page.unroute("**/api/search")
    retry.click()
    expect(page.locator("#results > li")).to_have_count(20)

    page.route("**/api/search", lambda route: route.abort())
    page.get_by_role("searchbox", name="Search movies and shows").fill("star trek 2")
    expect(retry).to_be_visible()
    page.unroute("**/api/search")
    page.context.set_offline(True)
    page.context.set_offline(False)  # the browser says "online": the search runs again
    expect(retry).to_be_hidden()
    expect(page.locator("#results > li").first).to_be_visible()


@pytest.fixture
def asked(web_server: WebServer) -> Iterator[None]:
    session = api_session(web_server, USER_PASSWORD, "alice")
    request_title(web_server, session["token"], MOVIE_ID)
    yield
    remove_request(web_server, MOVIE_ID)


@pytest.mark.usefixtures("asked")
def test_a_failed_remove_says_so_in_french(
    in_language: Callable[[str], Page], problems: Problems
) -> None:
    problems.allow_api(500, f"/api/request/movie/{MOVIE_ID}")
    page = in_language("fr-FR")
    page.route(f"**/api/request/movie/{MOVIE_ID}", failing(500, "Internal server error"))
    page.goto("/requests")
    page.get_by_role("button", name=f"Retirer {MOVIE}").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Oui, retirer").click()
    toast = error_toast(page)
    expect(toast).to_have_text(
        "Un problème est survenu sur le serveur Stellarr (HTTP 500). Réessayez bientôt."
    )
    expect(toast).not_to_contain_text("Internal")


def test_a_page_that_cannot_open_says_so_in_german(
    in_language: Callable[[str], Page], web_server: WebServer, problems: Problems
) -> None:
    # A page's code that no longer loads (a lost connection, a deploy mid-visit): SvelteKit
    # shows the error page with the browser's English message, unless the page words it.
    problems.allow("ERR_FAILED")
    problems.allow("Failed to fetch dynamically imported module")
    wait_for_trending(web_server, "de")
    page = in_language("de-DE")
    page.goto("/")
    expect(page.locator("#trending")).to_have_attribute("aria-busy", "false")
    # Every page's code not loaded yet is now out of reach; the layout (0) and the error
    # page (1) are not.
    page.route(
        re.compile(r"/_app/immutable/nodes/(?![01]\.)[^/]+\.js$"), lambda route: route.abort()
    )
    page.get_by_role("link", name="Anfragen", exact=True).click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Diese Seite konnte nicht geöffnet werden.")
    expect(page.get_by_role("main")).not_to_contain_text("Failed to fetch")
