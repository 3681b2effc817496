"""deploy/Caddyfile with a real Caddy (Debian's `caddy` package) where one is installed:
`caddy validate` for the production address, then Caddy in front of a real `stellarr serve`
on loopback (plain HTTP, the address given as DOMAIN): every path reaches the app, no log
line keeps a query string, and the login limit counts each client, not Caddy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from stellarr_testing.fake_tmdb import API_KEY, FakeTMDB
from stellarr_testing.login import login_body
from stellarr_testing.paths import PACKAGE_ROOT
from stellarr_testing.processes import answers, free_port, running_stellarr, stop, wait_until

CADDYFILE = PACKAGE_ROOT / "deploy" / "Caddyfile"
CADDY = shutil.which("caddy")
pytestmark = pytest.mark.skipif(
    CADDY is None, reason="caddy is not installed (apt-get install caddy)"
)

FEED_TOKEN = "feed-token-0123456789abcdef"
WEBHOOK_TOKEN = "webhook-token-0123456789abcdef"
# Every kind of path the app answers; Caddy must hand each over unchanged.
PATHS = [
    ("GET", "/api/health"),
    ("GET", "/api/feeds"),
    ("GET", f"/list/radarr?token={FEED_TOKEN}"),
    ("GET", f"/list/sonarr?token={FEED_TOKEN}"),
    ("GET", f"/rss/all?token={FEED_TOKEN}"),
    ("POST", f"/webhook/plex?token={WEBHOOK_TOKEN}"),
    ("POST", f"/webhook/jellyfin?token={WEBHOOK_TOKEN}"),
    ("POST", f"/sync/library?token={WEBHOOK_TOKEN}"),
    ("GET", "/trending-all-en.json"),
    ("GET", "/"),
    ("GET", "/requests"),
    ("GET", "/api/docs"),
]
SECRETS = (FEED_TOKEN, WEBHOOK_TOKEN)


def caddy_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    home = tmp_path / "caddy-home"
    return {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        **extra,
    }


def test_caddyfile_validates_for_a_public_domain_and_is_formatted(tmp_path: Path) -> None:
    assert CADDY is not None
    result = subprocess.run(
        [CADDY, "validate", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env=caddy_env(tmp_path, DOMAIN="requests.example.com"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr
    formatted = subprocess.run(
        [CADDY, "fmt", str(CADDYFILE)], capture_output=True, text=True, timeout=30, check=True
    )
    assert formatted.stdout == CADDYFILE.read_text()


def test_caddyfile_serves_the_domain_over_https_and_proxies_everything_to_the_app(
    tmp_path: Path,
) -> None:
    assert CADDY is not None
    adapted = subprocess.run(
        [CADDY, "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env=caddy_env(tmp_path, DOMAIN="requests.example.com"),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    config = json.loads(adapted.stdout)
    (server,) = config["apps"]["http"]["servers"].values()
    assert server["listen"] == [":443"]  # HTTPS, with Caddy's own redirect from :80
    (route,) = server["routes"]
    assert route["match"] == [{"host": ["requests.example.com"]}]
    handlers = [h for sub in route["handle"] for r in sub["routes"] for h in r["handle"]]
    # One handler and no path matcher: every path goes to the app.
    assert [h["handler"] for h in handlers] == ["reverse_proxy"]
    assert all("match" not in r for sub in route["handle"] for r in sub["routes"])
    assert handlers[0]["upstreams"] == [{"dial": "stellarr:8000"}]
    for log in config["logging"]["logs"].values():
        assert log["encoder"]["fields"]["request>uri"] == {"filter": "regexp", "regexp": "[?].*"}


@dataclass
class Proxied:
    app: str
    caddy: str
    caddy_output: Path


@pytest.fixture
def proxied(tmp_path: Path, fake_tmdb: FakeTMDB) -> Iterator[Proxied]:
    assert CADDY is not None
    env = {
        k: v for k, v in os.environ.items() if k not in ("APP_SECRET_KEY", "PRESHARED_PASSWORD")
    } | {
        "DATABASE_PATH": str(tmp_path / "data" / "stellarr.db"),
        "TMDB_API_KEY": API_KEY,
        "TMDB_BASE_URL": fake_tmdb.url,
        "FEED_TOKEN": FEED_TOKEN,
        "PLEX_WEBHOOK_TOKEN": WEBHOOK_TOKEN,
        # Caddy's address, as docker-compose.prod.yml sets it.
        "TRUSTED_PROXIES": "127.0.0.1/32",
        "RATE_LIMIT_MAX_ATTEMPTS": "3",
    }
    with running_stellarr(env, tmp_path) as (app, _):
        port = free_port()
        output = tmp_path / "caddy.log"
        with output.open("wb") as log:
            caddy = subprocess.Popen(
                [CADDY, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
                env=caddy_env(
                    tmp_path,
                    DOMAIN=f"http://127.0.0.1:{port}",
                    STELLARR_UPSTREAM=app.removeprefix("http://"),
                    CADDY_ADMIN="off",
                ),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_until(lambda: answers(f"http://127.0.0.1:{port}/"), caddy, "caddy")
                yield Proxied(app, f"http://127.0.0.1:{port}", output)
            finally:
                stop(caddy)


def call(base: str, method: str, path: str) -> httpx.Response:
    body: dict[str, str] | None = {} if method == "POST" else None
    return httpx.request(method, f"{base}{path}", json=body, timeout=10.0)


def test_every_path_reaches_the_app_and_no_log_line_keeps_a_query(proxied: Proxied) -> None:
    for method, path in PATHS:
        direct = call(proxied.app, method, path)
        through = call(proxied.caddy, method, path)
        assert (through.status_code, through.content) == (direct.status_code, direct.content), path
        assert through.status_code != 502, path
    assert call(proxied.caddy, "GET", "/").text.lstrip().lower().startswith("<!doctype html")

    logged = proxied.caddy_output.read_text()
    uris = {json.loads(line)["request"]["uri"] for line in logged.splitlines() if '"uri"' in line}
    assert {path.partition("?")[0] for _, path in PATHS} <= uris
    assert not any("?" in uri for uri in uris)
    assert not any(secret in logged for secret in SECRETS)


def test_the_login_limit_counts_each_client_behind_caddy(proxied: Proxied) -> None:
    def failed_login(address: str, **headers: str) -> int:
        with httpx.Client(transport=httpx.HTTPTransport(local_address=address)) as client:
            body = login_body("not-the-password", origin=proxied.caddy)
            answer = client.post(f"{proxied.caddy}/api/auth/verify", json=body, headers=headers)
            return answer.status_code

    assert [failed_login("127.0.0.2") for _ in range(3)] == [401, 401, 401]
    assert failed_login("127.0.0.2") == 429
    # Caddy writes the address it saw, so a made-up X-Forwarded-For changes nothing ...
    assert failed_login("127.0.0.2", **{"X-Forwarded-For": "203.0.113.7"}) == 429
    # ... and another client is not held back by the first one's failures.
    assert failed_login("127.0.0.3") == 401
