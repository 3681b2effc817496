"""`stellarr serve` as a person runs it: a real process, a real port, a fresh data folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from stellarr_testing.fake_tmdb import FakeTMDB
from stellarr_testing.login import login_body
from stellarr_testing.processes import running_stellarr, stop


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
