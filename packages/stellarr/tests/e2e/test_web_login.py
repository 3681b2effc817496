"""Logging in to the web app in a real Chromium against `stellarr serve`: the right and the
wrong password, a deep link that survives the login, a stale token, the pure-JS hash on a
plain-http LAN name, and the one retry when the second was already used."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from urllib.parse import quote

import httpx
import pytest
from e2e.web_app import (
    INSECURE_HOST,
    MOVIE,
    MOVIE_ID,
    SHOW_ID,
    USER_PASSWORD,
    LoginLabels,
    NewPage,
    Problems,
    WebServer,
    assert_accessible,
    log_in,
    screenshot,
    stored_session,
)
from playwright.sync_api import Page, Response, expect

from stellarr_testing.login import login_body

GERMAN_LOGIN = LoginLabels(name="Dein Name", password="Passwort", button="Anmelden")
SPANISH_LOGIN = LoginLabels(name="Tu nombre", password="Contraseña", button="Iniciar sesión")


def discover_heading(page: Page) -> None:
    expect(page.get_by_role("heading", level=1, name="Discover")).to_be_visible()


def test_the_right_password_logs_in_and_lands_on_discover(page: Page) -> None:
    page.goto("/")  # logged out: the app sends you to log in first
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_label("Your name", exact=True)).to_be_focused()
    assert_accessible(page)
    screenshot(page, "login")

    log_in(page, "alice", USER_PASSWORD, navigate=False)
    discover_heading(page)
    expect(page).to_have_url(re.compile(r"/$"))
    session = stored_session(page)
    assert isinstance(session, dict)
    assert session["name"] == "alice" and session["role"] == "user" and session["token"]


def test_a_wrong_password_is_refused_in_plain_words(page: Page, problems: Problems) -> None:
    problems.allow_api(401, "/api/auth/verify")
    log_in(page, "mallory", "not the password")
    alert = page.get_by_test_id("login-error")
    expect(alert).to_have_text("Could not log in: Wrong password. Check it and try again.")
    expect(alert).to_have_attribute("role", "alert")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_be_editable()
    screenshot(page, "login-wrong-password")
    assert stored_session(page) is None


def test_a_wrong_password_is_refused_in_the_users_language(
    new_page: NewPage, problems: Problems
) -> None:
    # The server's reason ("Invalid password") is English: the page words it itself.
    problems.allow_api(401, "/api/auth/verify")
    page = new_page(locale="de-DE")
    log_in(page, "mallory", "not the password", labels=GERMAN_LOGIN)
    alert = page.get_by_test_id("login-error")
    expect(alert).to_have_text(
        "Anmeldung fehlgeschlagen: Falsches Passwort. Bitte prüfen und erneut versuchen."
    )
    expect(alert).not_to_contain_text("Invalid password")
    assert stored_session(page) is None


def test_too_many_logins_say_how_long_to_wait_in_the_users_language(
    new_page: NewPage, problems: Problems
) -> None:
    problems.allow_api(429, "/api/auth/verify")
    page = new_page(locale="es-ES")
    # The server's limit, as it answers once reached (a real one would take many tries and
    # lock this module's other logins out).
    page.route(
        "**/api/auth/verify",
        lambda route: route.fulfill(
            status=429,
            headers={"Retry-After": "42"},
            json={"detail": "Too many failed logins; try again in 42 seconds"},
        ),
    )
    log_in(page, "mallory", USER_PASSWORD, labels=SPANISH_LOGIN)
    expect(page.get_by_test_id("login-error")).to_have_text(
        "No se pudo iniciar sesión: Demasiados intentos. Vuelve a intentarlo dentro de 42 segundos."
    )


def test_a_name_that_calls_everyone_is_refused_in_the_users_language(
    new_page: NewPage, problems: Problems
) -> None:
    # "@here" would read as a ping of a whole chat; the server's reason is English.
    problems.allow_api(400, "/api/auth/verify")
    page = new_page(locale="de-DE")
    log_in(page, "@here", USER_PASSWORD, labels=GERMAN_LOGIN)
    expect(page.get_by_test_id("login-error")).to_have_text(
        "Anmeldung fehlgeschlagen: Dieser Name würde alle in einem Gruppenchat benachrichtigen,"
        " wie @here oder @everyone. Bitte wähle einen anderen Namen."
    )
    assert stored_session(page) is None


def test_a_deep_link_survives_the_login(page: Page) -> None:
    page.goto(f"/title/movie/{MOVIE_ID}")
    expect(page).to_have_url(
        re.compile(rf"/login\?next={quote(f'/title/movie/{MOVIE_ID}', safe='')}$")
    )
    log_in(page, "alice", USER_PASSWORD, navigate=False)
    expect(page.get_by_role("heading", level=1)).to_have_text(MOVIE)
    expect(page).to_have_url(re.compile(rf"/title/movie/{MOVIE_ID}$"))


# "/<tab>/evil.example": URL parsers drop the tab, which leaves "//evil.example"; "/..//" and
# "/%2e%2e//" resolve to the path "//evil.example", which is another host once parsed again.
@pytest.mark.parametrize(
    "outside",
    ["//evil.example/x", "/\t/evil.example/x", "/..//evil.example/x", "/%2e%2e//evil.example/x"],
)
def test_next_never_leaves_the_site(page: Page, outside: str) -> None:
    log_in(page, "alice", USER_PASSWORD, next_path=outside)
    discover_heading(page)
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))


def test_a_stale_token_logs_out_and_login_returns_to_the_page(
    new_page: NewPage, problems: Problems
) -> None:
    # The forged token's 401s: any of the calls the page starts with may be first.
    calls = (f"/api/title/tv/{SHOW_ID}", "/api/library-status", "/api/push/status")
    for path in (*calls, "/api/request/options"):
        problems.allow_api(401, path)
    page = new_page(session={"token": "forged", "name": "eve", "role": "admin"})
    page.goto(f"/title/tv/{SHOW_ID}")
    # The API's 401 ends the session and keeps where we were.
    expect(page).to_have_url(re.compile(rf"/login\?next=%2Ftitle%2Ftv%2F{SHOW_ID}$"))
    assert stored_session(page) is None
    log_in(page, "eve", USER_PASSWORD, navigate=False)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Star Trek")
    expect(page).to_have_url(re.compile(rf"/title/tv/{SHOW_ID}$"))


def test_login_over_plain_http_on_a_lan_name_uses_the_pure_js_hash(
    new_page: NewPage, web_server: WebServer
) -> None:
    url = f"http://{INSECURE_HOST}:{web_server.port}"
    page = new_page(base_url=url)
    page.goto("/login")
    # No secure context, so no WebCrypto: the pure-JS fallback must do the work.
    assert page.evaluate("() => [window.isSecureContext, typeof crypto.subtle]") == [
        False,
        "undefined",
    ]
    log_in(page, "carol", USER_PASSWORD, navigate=False)
    discover_heading(page)
    session = stored_session(page)
    assert isinstance(session, dict) and session["name"] == "carol"


def sent_timestamp(response: Response) -> int:
    body = response.request.post_data_json
    assert isinstance(body, dict)
    return int(body["timestamp"])


def test_login_retries_once_when_its_second_was_already_used(
    page: Page, web_server: WebServer, problems: Problems
) -> None:
    problems.allow_api(401, "/api/auth/verify")  # the first try, on a used second
    # Each (timestamp, hash) is accepted once, so two people sharing the password who log
    # in within the same second collide. Freeze the page's clock on a second someone has
    # just used; the app must wait for the next second and succeed.
    second = int(time.time()) + 60  # within the server's allowed clock drift
    page.clock.install(time=datetime.fromtimestamp(second - 30, UTC))
    page.goto("/login")
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
    page.clock.pause_at(datetime.fromtimestamp(second, UTC))
    taken = httpx.post(
        f"{web_server.url}/api/auth/verify",
        json=login_body(USER_PASSWORD, name="early", origin=web_server.url, timestamp=second),
        timeout=10,
    )
    assert taken.status_code == 200

    verify = lambda response: response.url.endswith("/api/auth/verify")  # noqa: E731
    with page.expect_response(verify) as collided:
        log_in(page, "late", USER_PASSWORD, navigate=False)
    assert collided.value.status == 401
    assert sent_timestamp(collided.value) == second
    with page.expect_response(verify) as retried:
        page.clock.resume()  # the one-second pause now elapses
    assert retried.value.status == 200
    assert sent_timestamp(retried.value) > second
    discover_heading(page)
