"""Languages in a real Chromium: the browser's language is the first choice, the header's
switcher changes every string, the dates and <html lang> at once, and the choice survives
a reload."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from e2e.web_app import (
    PACKAGED_WEB,
    USER_PASSWORD,
    NewPage,
    WebServer,
    add_stored_request,
    api_session,
    remove_request,
    screenshot,
)
from playwright.sync_api import Page, Request, expect

from stellarr.domain.models import MediaRequest, MediaType

TMDB_ID, TITLE = 990500, "Le Samouraï (1967)"
ASKED = datetime(2024, 5, 17, 21, 30, tzinfo=UTC)


@pytest.fixture
def asked(web_server: WebServer) -> Iterator[None]:
    """One request on a known day, so its date shows the same way in every run."""
    request = MediaRequest(
        media_type=MediaType.MOVIE,
        tmdb_id=TMDB_ID,
        title="Le Samouraï",
        year=1967,
        imdb_id="tt0062229",
        requested_by="alice",
        requested_at=ASKED,
    )
    add_stored_request(web_server, request)
    try:
        yield
    finally:
        remove_request(web_server, TMDB_ID)


def expect_language(page: Page, lang: str, heading: str, date: str, movies: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("navigation").get_by_role("link", name=heading)).to_be_visible()
    row = page.get_by_role("main").get_by_role("listitem").filter(has_text=TITLE)
    expect(row.locator("time")).to_have_text(date)
    expect(page.get_by_role("radio", name=movies)).to_be_visible()


@pytest.mark.usefixtures("asked")
def test_the_browser_language_comes_first(new_page: NewPage, web_server: WebServer) -> None:
    page = new_page(session=api_session(web_server, USER_PASSWORD, "alice"), locale="fr-FR")
    page.goto("/requests")
    expect_language(page, "fr", "Demandes", "17 mai 2024", "Films 1")
    expect(page.get_by_label("Langue")).to_have_value("fr")
    expect(page.get_by_text("Demandé par alice le 17 mai 2024")).to_be_visible()
    screenshot(page, "language-browser-fr")


@pytest.mark.usefixtures("asked")
def test_switching_language_changes_strings_dates_and_html_lang(
    new_page: NewPage, web_server: WebServer
) -> None:
    page = new_page(session=api_session(web_server, USER_PASSWORD, "alice"), locale="en-US")
    page.goto("/requests")
    expect_language(page, "en", "Requests", "May 17, 2024", "Movies 1")

    page.get_by_label("Language").select_option(label="Deutsch")
    expect_language(page, "de", "Anfragen", "17.05.2024", "Filme 1")
    expect(page.get_by_text("Angefragt von alice am 17.05.2024")).to_be_visible()
    # The Request button is not the Requests link's word.
    page.goto("/")
    expect(page.get_by_role("button", name="anfordern").first).to_have_text("Anfordern")
    page.goto("/requests")
    expect(page.get_by_role("link", name="Zum Inhalt springen")).to_be_attached()
    screenshot(page, "language-switched-de")

    # Kept for the next visit, whatever the browser says.
    page.reload()
    expect_language(page, "de", "Anfragen", "17.05.2024", "Filme 1")

    page.get_by_label("Sprache").select_option(label="Español")
    expect_language(page, "es", "Solicitudes", "17 may 2024", "Películas 1")
    # One request's badge is singular, unlike the filter that lists them ("Pendientes").
    row = page.get_by_role("main").get_by_role("listitem").filter(has_text=TITLE)
    expect(row.get_by_text("Pendiente", exact=True)).to_be_visible()
    page.get_by_text("Cómo funcionan las solicitudes").click()
    expect(page.get_by_text("Busca un título en Descubrir y pulsa Solicitar.")).to_be_visible()
    screenshot(page, "language-switched-es-how", full_page=False)

    page.get_by_label("Idioma").select_option(label="English")
    expect_language(page, "en", "Requests", "May 17, 2024", "Movies 1")


# Every <h1> text the page ever shows, from before the app starts.
HEADINGS_SEEN = """
window.__headingsSeen = [];
new MutationObserver(() => {
  for (const h of document.querySelectorAll('h1')) window.__headingsSeen.push(h.textContent.trim());
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


def _message_files(page: Page, seen: list[str]) -> None:
    """Notes each language file the page asks for, as it asks: the built chunks that hold a
    catalogue, found by a string only that language has."""
    markers = {"Zum Inhalt springen": "de", "Saltar al contenido": "es", "Aller au contenu": "fr"}
    files = {
        path.name: lang
        for path in (PACKAGED_WEB / "_app" / "immutable").rglob("*.js")
        for marker, lang in markers.items()
        if marker in path.read_text(encoding="utf-8")
    }
    assert sorted(files.values()) == ["de", "es", "fr"], files

    def on_request(request: Request) -> None:
        name = request.url.rpartition("/")[2]
        if name in files:
            seen.append(files[name])

    page.on("request", on_request)


def test_only_the_language_in_use_is_fetched(new_page: NewPage, web_server: WebServer) -> None:
    seen: list[str] = []
    page = new_page(
        session=api_session(web_server, USER_PASSWORD, "alice"),
        locale="en-US",
        service_workers="block",
    )
    _message_files(page, seen)
    page.goto("/requests")
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests")
    assert seen == [], "an English visit fetched other languages"

    page.get_by_label("Language").select_option(label="Deutsch")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anfragen")
    assert seen == ["de"]

    german = new_page(
        session=api_session(web_server, USER_PASSWORD, "alice"),
        locale="de-DE",
        service_workers="block",
    )
    first: list[str] = []
    _message_files(german, first)
    german.add_init_script(script=HEADINGS_SEEN)
    german.goto("/requests")
    expect(german.get_by_role("heading", level=1)).to_have_text("Anfragen")
    assert first == ["de"]
    # Never an English heading first: the layout waits for the language before rendering.
    headings = german.evaluate("() => window.__headingsSeen")
    assert "Requests" not in headings and "Anfragen" in headings, headings
