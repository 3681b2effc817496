"""The feed token, however the URL spells it, never reaches a real server's log output."""

from __future__ import annotations

from pathlib import Path

import httpx

from stellarr_testing.fake_tmdb import API_KEY, FakeTMDB
from stellarr_testing.processes import running_stellarr, serve_env, stop

FEED_TOKEN = "feed-token-5f1c9a7e-not-in-logs"
# Spellings Starlette decodes to ?token=, so each one opens the feed.
SPELLINGS = ("token", "tok%65n", "%74oken", "%74%6F%6B%65%6E")


def test_access_log_never_shows_the_feed_token(tmp_path: Path, fake_tmdb: FakeTMDB) -> None:
    env = serve_env(
        tmp_path,
        TMDB_API_KEY=API_KEY,
        TMDB_BASE_URL=fake_tmdb.url,
        FEED_TOKEN=FEED_TOKEN,
        LOG_LEVEL="INFO",
    )
    log = tmp_path / "server.log"
    with log.open("wb") as output, running_stellarr(env, tmp_path, output) as (base, process):
        with httpx.Client(base_url=base, timeout=10) as client:
            for name in SPELLINGS:
                for method in ("GET", "HEAD"):
                    answer = client.request(method, f"/list/radarr?{name}={FEED_TOKEN}")
                    assert answer.status_code == 200, (name, method)
            assert client.get(f"/rss/all?page=2&tok%65n={FEED_TOKEN}x").status_code == 401
        stop(process)
    output_text = log.read_text()
    assert FEED_TOKEN not in output_text
    # The requests were logged, only without the token.
    for name in SPELLINGS:
        assert f'"GET /list/radarr?{name}=*** HTTP/1.1" 200' in output_text, output_text
        assert f'"HEAD /list/radarr?{name}=*** HTTP/1.1" 200' in output_text, output_text
    assert '"GET /rss/all?page=2&tok%65n=*** HTTP/1.1" 401' in output_text, output_text
