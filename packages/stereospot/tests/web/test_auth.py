"""Login: nothing but the login page, health and static files without a session; signed
HttpOnly cookies; CSRF-safe writes; secrets never echoed."""

from __future__ import annotations

import logging
import secrets
import stat
from pathlib import Path

import pytest

from stereospot.bootstrap import signing_key
from stereospot.errors import SettingsError
from stereospot.settings import Settings
from stereospot.web.app import create_app
from stereospot.web.auth import COOKIE, TOKEN_FILE, Authenticator, configured_users
from stereospot_testing.backends import local_settings
from stereospot_testing.web_client import USERS, browser_as, client_for, log_in

from .conftest import Site

JOB = "0" * 32
PAGES = ["/", f"/jobs/{JOB}", f"/jobs/{JOB}/delete"]
API = [
    ("GET", "/api/jobs"),
    ("POST", "/api/jobs"),
    ("GET", f"/api/jobs/{JOB}"),
    ("GET", f"/api/jobs/{JOB}/events"),
    ("GET", f"/api/jobs/{JOB}/media/final"),
    ("POST", f"/api/jobs/{JOB}/retry"),
    ("POST", f"/api/jobs/{JOB}/cancel"),
    ("DELETE", f"/api/jobs/{JOB}"),
    ("POST", f"/api/jobs/{JOB}/uploads"),
    ("GET", f"/api/jobs/{JOB}/uploads/abc/parts"),
    ("PUT", f"/api/jobs/{JOB}/uploads/abc/parts/1"),
    ("POST", f"/api/jobs/{JOB}/uploads/abc/complete"),
    ("GET", f"/media/{JOB}/final?expires=9999999999&signature=00"),
]


async def test_only_login_health_and_static_are_public(site: Site) -> None:
    async with client_for(site.web) as client:
        for path in ["/login", "/healthz", "/static/app.css", "/static/upload.js"]:
            assert (await client.get(path)).status_code == 200, path
        for path in PAGES:
            response = await client.get(path)
            assert response.status_code == 303, path
            assert response.headers["location"] == f"/login?next={path}"
        for method, path in API:
            response = await client.request(method, path)
            assert response.status_code == 401, (method, path)
            assert response.json() == {"detail": "log in first"}
        for path in ["/jobs/x/retry", "/jobs/x/cancel", "/jobs/x/delete", "/logout"]:
            response = await client.post(path, data={"csrf": "x"})
            assert response.status_code == 303 and response.headers["location"] == "/login"


async def test_login_sets_a_signed_httponly_samesite_cookie(site: Site) -> None:
    async with client_for(site.web) as client:
        response = await log_in(client, "ann")
        assert response.status_code == 303 and response.headers["location"] == "/"
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
        assert "Secure" not in cookie  # plain http on a laptop
        assert USERS["ann"] not in cookie
        page = await client.get("/")
        assert page.status_code == 200 and 'id="current-user">ann<' in page.text
    async with client_for(site.web, "https://testserver") as client:
        assert "Secure" in (await log_in(client, "bob")).headers["set-cookie"]


@pytest.mark.parametrize(
    ("name", "token"),
    [("ann", "wrong-token-000000000"), ("eve", "eve-guess-token-42"), ("ann", "")],
)
async def test_a_wrong_token_is_refused_and_never_echoed(site: Site, name: str, token: str) -> None:
    async with client_for(site.web) as client:
        response = await client.post("/login", data={"name": name, "token": token})
        assert response.status_code == 401
        assert "do not match" in response.text
        assert "set-cookie" not in response.headers
        assert (not token or token not in response.text) and USERS["ann"] not in response.text
        assert (await client.get("/")).status_code == 303


async def test_tampered_expired_and_revoked_sessions_are_refused(site: Site) -> None:
    async with browser_as(site.web, "ann") as ann:
        value = ann.client.cookies[COOKIE]
        payload, mac = value.split(".")
        for forged in [f"{payload}.{'0' * len(mac)}", f"{payload[:-2]}xx.{mac}", "junk", ""]:
            ann.client.cookies.set(COOKIE, forged)
            assert (await ann.client.get("/api/jobs")).status_code == 401
        ann.client.cookies.set(COOKIE, value)
        assert (await ann.client.get("/api/jobs")).status_code == 200
        site.harness.clock.advance(site.app.settings.session_seconds + 1)
        assert (await ann.client.get("/api/jobs")).status_code == 401
    # A new token for ann ends the sessions made with the old one.
    async with browser_as(site.web, "ann") as ann:
        rotated = create_app(site.app.service, users={**USERS, "ann": "a-brand-new-token-123456"})
        async with client_for(rotated) as other:
            other.cookies.set(COOKIE, ann.client.cookies[COOKIE])
            assert (await other.get("/api/jobs")).status_code == 401


async def test_writes_need_the_same_origin_and_the_csrf_token(site: Site) -> None:
    async with browser_as(site.web, "ann") as ann:
        body = {"filename": "a.mp4", "format": "half-sbs", "divergence": 2}
        response = await ann.client.post("/api/jobs", json=body)
        assert response.status_code == 403 and "X-CSRF-Token" in response.json()["detail"]
        response = await ann.client.post("/api/jobs", json=body, headers={"X-CSRF-Token": "forged"})
        assert response.status_code == 403
        evil = {**ann.writes, "Origin": "https://evil.example"}
        assert (await ann.client.post("/api/jobs", json=body, headers=evil)).status_code == 403
        same = {**ann.writes, "Origin": "http://testserver"}
        created = await ann.client.post("/api/jobs", json=body, headers=same)
        assert created.status_code == 201
        job_id = created.json()["job_id"]
        # Page forms: the hidden csrf field, and the Origin check.
        response = await ann.client.post(f"/jobs/{job_id}/cancel", data={"csrf": "forged"})
        assert response.status_code == 403 and "reload the page" in response.text
        response = await ann.client.post(
            f"/jobs/{job_id}/cancel", data={"csrf": ann.csrf}, headers={"Origin": "null"}
        )
        assert response.status_code == 403
        response = await ann.client.post(f"/jobs/{job_id}/cancel", data={"csrf": ann.csrf})
        assert response.status_code == 303
        # Logging in from another site is refused too (login CSRF).
        response = await ann.client.post(
            "/login",
            data={"name": "bob", "token": USERS["bob"]},
            headers={"Origin": "https://evil.example"},
        )
        assert response.status_code == 403


async def test_logout_ends_the_session(site: Site) -> None:
    async with browser_as(site.web, "ann") as ann:
        response = await ann.client.post("/logout", data={"csrf": ann.csrf})
        assert response.status_code == 303 and response.headers["location"] == "/login"
        assert (await ann.client.get("/")).status_code == 303


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\\evil.example"])
async def test_login_never_redirects_off_site(site: Site, target: str) -> None:
    async with client_for(site.web) as client:
        response = await client.post(
            "/login", data={"name": "ann", "token": USERS["ann"], "next": target}
        )
        assert response.headers["location"] == "/"


def test_users_setting_is_parsed_checked_and_kept_out_of_repr() -> None:
    settings = Settings.from_env(
        {"STEREOSPOT_USERS": "ann:abcdefghijklmnop, bob:0123456789abcdefXYZ"}
    )
    assert settings.users == (("ann", "abcdefghijklmnop"), ("bob", "0123456789abcdefXYZ"))
    assert "abcdefghijklmnop" not in repr(settings)
    for bad in [
        "ann",
        "ann:short",
        "a b:abcdefghijklmnop",
        "ann:abcdefghijklmnop,ann:abcdefghijklmnopq",
    ]:
        with pytest.raises(SettingsError, match="STEREOSPOT_USERS"):
            Settings.from_env({"STEREOSPOT_USERS": bad})


def test_local_backend_without_users_makes_one_token_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = local_settings(tmp_path / "data")
    with caplog.at_level(logging.WARNING, logger="stereospot.web"):
        users = configured_users(settings)
    path = tmp_path / "data" / TOKEN_FILE
    assert list(users) == ["local"] and users["local"] == path.read_text().strip()
    assert len(users["local"]) >= 24
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert configured_users(settings) == users  # kept across restarts
    assert str(path) in caplog.text and users["local"] not in caplog.text
    with pytest.raises(SettingsError, match="STEREOSPOT_USERS"):
        configured_users(Settings.from_env({}, backend="aws", signing_key="k" * 40))


def test_an_empty_token_or_key_file_is_refused(tmp_path: Path) -> None:
    settings = local_settings(tmp_path / "data")
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / TOKEN_FILE).write_text("\n")
    with pytest.raises(SettingsError, match="empty"):
        configured_users(settings)
    (tmp_path / "data" / "signing.key").write_text("")
    with pytest.raises(SettingsError, match="empty"):
        signing_key(settings)


@pytest.mark.parametrize("name", [TOKEN_FILE, "signing.key"])
def test_a_generated_secret_file_is_never_seen_unfinished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """While the secret is being made, another process finds no file rather than an empty
    one (which it would take for the secret)."""
    settings = local_settings(tmp_path / "data")
    path = tmp_path / "data" / name
    seen: list[str | None] = []

    def made(*args: object) -> str:
        seen.append(path.read_text() if path.exists() else None)
        return "f" * 48

    monkeypatch.setattr(secrets, "token_hex", made)
    monkeypatch.setattr(secrets, "token_urlsafe", made)
    value = configured_users(settings)["local"] if name == TOKEN_FILE else signing_key(settings)
    assert seen == [None]
    assert path.read_text() == "f" * 48 and value in ("f" * 48, b"f" * 48)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [name]  # no temporary file left


def test_an_empty_token_never_authenticates() -> None:
    with pytest.raises(SettingsError, match="token"):
        Authenticator({"ann": ""}, b"k" * 32, 60)
    auth = Authenticator({"ann": "a-long-enough-token-1"}, b"k" * 32, 60)
    auth._users["ann"] = ""  # however an empty one got there
    assert auth.check("ann", "") is None
    assert auth.check("ann", "a-long-enough-token-1") is None
