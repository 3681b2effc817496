"""`stellarr serve` as a person runs it: a real process, a real port, a fresh data folder."""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from stellarr.domain.trending import LISTS
from stellarr_testing.fake_tmdb import FakeTMDB
from stellarr_testing.login import login_body
from stellarr_testing.processes import running_stellarr, stop, wait_until


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("APP_SECRET_KEY", "PRESHARED_PASSWORD")}
    env.update(extra)
    return env


@pytest.fixture
def server(
    tmp_path: Path, fake_tmdb: FakeTMDB
) -> Iterator[tuple[str, subprocess.Popen[Any], Path]]:
    env = clean_env(
        DATABASE_PATH=str(tmp_path / "data" / "stellarr.db"),
        TMDB_API_KEY="fake-v3-api-key-0123456789abcdef",
        TMDB_BASE_URL=fake_tmdb.url,
        FEED_TOKEN="feed-token-xyz",
    )
    log = tmp_path / "console.log"
    with log.open("wb") as output, running_stellarr(env, tmp_path, output) as (base, proc):
        yield base, proc, log


def test_first_run_prints_a_password_that_logs_in(
    server: tuple[str, subprocess.Popen[Any], Path], tmp_path: Path
) -> None:
    base, proc, log = server
    stored = (tmp_path / "data" / "preshared_password").read_text().strip()
    auth = httpx.post(f"{base}/api/auth/verify", json=login_body(stored, "alice", origin=base))
    assert auth.status_code == 200, auth.text
    token = auth.json()["token"]
    added = httpx.post(
        f"{base}/api/request",
        json={"tmdb_id": 66732, "media_type": "tv"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert added.status_code == 201
    assert httpx.get(f"{base}/list/sonarr").status_code == 401
    feed = httpx.get(f"{base}/list/sonarr?token=feed-token-xyz")
    assert feed.json()[0]["tvdbId"] == 305288
    stop(proc)
    output = log.read_text()
    assert re.search(rf"^\s+{re.escape(stored)}$", output, re.MULTILINE), output
    # the access log saw the feed token in a URL; the log line must not
    assert "/list/sonarr?token=***" in output and "feed-token-xyz" not in output


def test_weak_configuration_stops_with_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "stellarr", "serve"],
        cwd=tmp_path,
        env=clean_env(APP_SECRET_KEY="change-me-in-production", DATABASE_PATH=str(tmp_path / "db")),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "APP_SECRET_KEY is too weak" in result.stderr


def run_serve(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stellarr", "serve", *args],
        cwd=tmp_path,
        env=clean_env(**{"DATABASE_PATH": str(tmp_path / "data" / "stellarr.db"), **env}),
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_line_refusal(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"LOG_LEVEL": "loud"}, ("LOG_LEVEL", "loud")),
        ({"PUBLIC_URL": "requests.example.com"}, ("PUBLIC_URL", "https://")),
        ({"DATABASE_PATH": "/proc/stellarr/data/stellarr.db"}, ("DATABASE_PATH", "/proc")),
        # sysfs is mounted read-only: a data folder nobody may write to, even root.
        ({"DATABASE_PATH": "/sys/stellarr.db"}, ("DATABASE_PATH", "cannot be created or written")),
        ({"STORE": "dynamodb"}, ("DYNAMODB_TABLE",)),
    ],
)
def test_configuration_errors_are_one_line_and_exit_2(
    tmp_path: Path, env: dict[str, str], words: tuple[str, ...]
) -> None:
    assert_one_line_refusal(run_serve(tmp_path, **env), "configuration error", *words)


def test_a_port_out_of_range_is_refused_without_a_traceback(tmp_path: Path) -> None:
    result = run_serve(tmp_path, "--port", "70000")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "is not a TCP port" in result.stderr


def test_a_port_in_use_says_how_to_pick_another(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_serve(tmp_path, "--port", str(port))
    assert_one_line_refusal(result, f"port {port}", "already in use", "make run PORT=")


def test_a_lost_database_is_never_served_as_an_empty_one(
    tmp_path: Path, fake_tmdb: FakeTMDB
) -> None:
    database = tmp_path / "data" / "stellarr.db"
    env = clean_env(
        DATABASE_PATH=str(database),
        TMDB_API_KEY="fake-v3-api-key-0123456789abcdef",
        TMDB_BASE_URL=fake_tmdb.url,
    )
    with running_stellarr(env, tmp_path) as (base, _proc):
        password = (tmp_path / "data" / "preshared_password").read_text().strip()
        auth = httpx.post(f"{base}/api/auth/verify", json=login_body(password, origin=base))
        headers = {"Authorization": f"Bearer {auth.json()['token']}"}
        body = {"tmdb_id": 66732, "media_type": "tv"}
        assert httpx.post(f"{base}/api/request", json=body, headers=headers).status_code == 201
        assert stat.S_IMODE(database.stat().st_mode) == 0o600
        assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700
        database.unlink()
        # The write must not be acknowledged into a file nobody will ever read again.
        lost = httpx.post(
            f"{base}/api/request", json={"tmdb_id": 74851, "media_type": "tv"}, headers=headers
        )
        assert lost.status_code == 503, lost.text
        # Health probes at most once a second; within a few polls it must say degraded.
        wait_until(
            lambda: httpx.get(f"{base}/api/health").status_code == 503, _proc, "degraded health"
        )

    # After a restart, an initialised data folder without its database refuses to start...
    refused = run_serve(tmp_path, DATABASE_PATH=str(database))
    assert_one_line_refusal(refused, "missing", "stellarr start-afresh")
    database.write_bytes(b"")  # ...and so does an empty file where the database was.
    assert_one_line_refusal(run_serve(tmp_path, DATABASE_PATH=str(database)), "missing")
    database.unlink()

    # Starting afresh is an explicit decision.
    afresh = subprocess.run(
        [sys.executable, "-m", "stellarr", "start-afresh"],
        cwd=tmp_path,
        env=clean_env(DATABASE_PATH=str(database)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert afresh.returncode == 0, afresh.stderr
    with running_stellarr(env, tmp_path) as (base, _proc):
        assert httpx.get(f"{base}/list/sonarr").json() == []


def test_listening_beyond_loopback_without_public_url_warns(tmp_path: Path) -> None:
    from stellarr.bootstrap import configure
    from stellarr.cli import _warnings

    env = {"DATABASE_PATH": str(tmp_path / "data" / "db"), "ENV_FILE": str(tmp_path / "none")}
    deployment = configure(env)
    warnings = _warnings(deployment, "0.0.0.0")
    assert any("trust the Host header" in line for line in warnings)
    assert any("TMDB is not configured" in line for line in warnings)
    assert not any("Host header" in line for line in _warnings(deployment, "127.0.0.1"))
    public = configure({**env, "PUBLIC_URL": "https://requests.example.com"})
    assert not any("Host header" in line for line in _warnings(public, "0.0.0.0"))


def run_warmer(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stellarr", "warm-trending"],
        cwd=tmp_path,
        env=clean_env(**{"DATABASE_PATH": str(tmp_path / "data" / "stellarr.db"), **env}),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_warm_trending_writes_the_data_folder_and_prints_a_summary(
    tmp_path: Path, fake_tmdb: FakeTMDB
) -> None:
    tmdb = {"TMDB_API_KEY": "fake-v3-api-key-0123456789abcdef", "TMDB_BASE_URL": fake_tmdb.url}
    result = run_warmer(tmp_path, TRENDING_LOCALES="en,fr", **tmdb)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert sorted(summary) == sorted(
        f"{name}-{kind}-{locale}" for name, kind in LISTS for locale in ("en", "fr")
    )
    folder = tmp_path / "data" / "trending"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{name}.json" for name in summary)
    assert summary["trending-movie-fr"]["bytes"] == (
        (folder / "trending-movie-fr.json").stat().st_size
    )
    assert "home list trending-tv-fr.json: 12 items" in result.stderr
    assert "home list upcoming-movie-fr.json: 6 items" in result.stderr
    assert "fake-v3-api-key" not in result.stdout + result.stderr

    fake_tmdb.break_path("/3/trending/movie/week", 404)
    failed = run_warmer(tmp_path, TRENDING_LOCALES="en,fr", **tmdb)
    assert failed.returncode == 1
    outcome = json.loads(failed.stdout)
    assert outcome["trending-movie-en"]["status"] == "failed"
    assert outcome["trending-tv-en"]["status"] == "ok"
    assert (folder / "trending-movie-fr.json").stat().st_size == (
        summary["trending-movie-fr"]["bytes"]
    )


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"TRENDING_PAGES": "0"}, ("TRENDING_PAGES", "at least 1")),
        ({"TRENDING_LOCALES": "en,klingon"}, ("TRENDING_LOCALES", "klingon")),
        ({"TMDB_API_KEY": ""}, ("TMDB is not configured",)),
        ({"TRENDING_S3_BUCKET": "stellarr-trending"}, ("AWS",)),
    ],
)
def test_warm_trending_refuses_bad_configuration_in_one_line(
    tmp_path: Path, env: dict[str, str], words: tuple[str, ...]
) -> None:
    base = {"TMDB_API_KEY": "k", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}
    assert_one_line_refusal(run_warmer(tmp_path, **{**base, **env}), "configuration error", *words)
