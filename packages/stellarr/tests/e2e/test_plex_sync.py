"""`stellarr plex-sync` as a person runs it: a real process reading a (fake) Plex Media Server
with plexapi and sending to a real `stellarr serve`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from stellarr_testing.fake_plex import TOKEN as PLEX_TOKEN
from stellarr_testing.fake_plex import FakePlex, running_fake_plex
from stellarr_testing.fake_tmdb import API_KEY, FakeTMDB
from stellarr_testing.login import login_body
from stellarr_testing.processes import free_port, running_stellarr

SYNC_TOKEN = "sync-token-4f1c9a7e2b"
PASSWORD = "correct horse battery staple"
FEED_TOKEN = "feed-token-xyz"
# What the default fake library holds with a TMDB id (The Matrix is in two sections).
MOVIES = {272, 603, 550}
SHOWS = {66732, 1396}
SKIPPED = ["The Shawshank Redemption (1994)", "Holiday 2019", "Game of Thrones (2011)", "Bluey"]
OUR_VARIABLES = ("PLEX_URL", "PLEX_TOKEN", "STELLARR_URL", "STELLARR_SYNC_TOKEN")


@pytest.fixture(scope="module")
def stellarr(tmp_path_factory: pytest.TempPathFactory, fake_tmdb_server: FakeTMDB) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("stellarr")
    env = {
        **{k: v for k, v in os.environ.items() if k not in OUR_VARIABLES},
        "APP_SECRET_KEY": "k" * 48,
        "PRESHARED_PASSWORD": PASSWORD,
        "DATABASE_PATH": str(folder / "data" / "stellarr.db"),
        "ENV_FILE": str(folder / "no.env"),
        "TMDB_API_KEY": API_KEY,
        "TMDB_BASE_URL": fake_tmdb_server.url,
        "FEED_TOKEN": FEED_TOKEN,
        "PLEX_WEBHOOK_TOKEN": SYNC_TOKEN,
    }
    with running_stellarr(env, folder) as (base, _process):
        yield base


@pytest.fixture
def plex() -> Iterator[FakePlex]:
    with running_fake_plex() as server:
        yield server


def plex_sync(
    *args: str, plex: FakePlex | None = None, stellarr: str | None = None, token: str = SYNC_TOKEN
) -> subprocess.CompletedProcess[str]:
    """The command with the given flags; Plex and Stellarr addresses come in through the
    environment, as in the docs' cron example."""
    env = {k: v for k, v in os.environ.items() if k not in OUR_VARIABLES}
    if plex is not None:
        env.update(PLEX_URL=plex.url, PLEX_TOKEN=PLEX_TOKEN)
    if stellarr is not None:
        env.update(STELLARR_URL=stellarr, STELLARR_SYNC_TOKEN=token)
    return subprocess.run(
        [sys.executable, "-m", "stellarr", "plex-sync", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def login(base: str) -> dict[str, str]:
    response = httpx.post(f"{base}/api/auth/verify", json=login_body(PASSWORD, origin=base))
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def request(base: str, auth: dict[str, str], tmdb_id: int, media_type: str) -> None:
    body = {"tmdb_id": tmdb_id, "media_type": media_type}
    response = httpx.post(f"{base}/api/request", json=body, headers=auth)
    assert response.status_code in (200, 201), response.text


def library_status(base: str, auth: dict[str, str]) -> dict[str, Any]:
    response = httpx.get(f"{base}/api/library-status", headers=auth)
    assert response.status_code == 200, response.text
    status: dict[str, Any] = response.json()
    return status


def radarr_ids(base: str) -> set[int]:
    feed = httpx.get(f"{base}/list/radarr/tmdb", params={"token": FEED_TOKEN})
    assert feed.status_code == 200, feed.text
    return {m["id"] for m in feed.json()}


def assert_one_line(result: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    assert result.returncode == code, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_sync_replaces_the_library_and_fulfils_pending_requests(
    stellarr: str, plex: FakePlex
) -> None:
    auth = login(stellarr)
    request(stellarr, auth, 272, "movie")  # in Plex
    request(stellarr, auth, 823464, "movie")  # not in Plex
    request(stellarr, auth, 66732, "tv")  # in Plex
    assert {272, 823464} <= radarr_ids(stellarr)
    extra = plex.add_movies(205)  # more than one page of 100

    result = plex_sync(plex=plex, stellarr=stellarr)

    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip().splitlines()
    assert summary == [
        f"movie: scanned {len(extra) + 6}, skipped 2 (no TMDB id), "
        f"sent {len(extra) + 3}, marked as added 1",
        "tv: scanned 4, skipped 2 (no TMDB id), sent 2, marked as added 1",
    ]
    status = library_status(stellarr, auth)
    assert status["library"] == {"movie": sorted(MOVIES | set(extra)), "tv": sorted(SHOWS)}
    pending = {(r["media_type"], r["tmdb_id"]) for r in status["requests"]}
    assert ("movie", 272) not in pending and ("tv", 66732) not in pending
    assert ("movie", 823464) in pending
    radarr = radarr_ids(stellarr)
    assert 272 not in radarr and 823464 in radarr
    sonarr = httpx.get(f"{stellarr}/list/sonarr", params={"token": FEED_TOKEN}).json()
    assert 66732 not in {s["tmdbId"] for s in sonarr}
    # progress per section, the titles left out by name, and never the tokens
    assert "Scanning Movies: 210/210" in result.stderr
    assert "Scanning TV Shows: 4/4" in result.stderr
    for title in SKIPPED:
        assert f"no TMDB id in Plex: {title}" in result.stderr
    assert SYNC_TOKEN not in result.stdout + result.stderr
    assert PLEX_TOKEN not in result.stdout + result.stderr
    # ids came from the listing itself: no title was fetched one by one
    assert plex.calls("/library/metadata") == []
    starts = [
        c.headers.get("X-Plex-Container-Start")
        for c in plex.calls("/library/sections/1/all")
        if c.query.get("includeGuids") == ["1"]
    ]
    assert starts == ["0", "100", "200"]

    # A title gone from Plex leaves the library on the next (replacing) sync ...
    movies = plex.section("Movies")
    movies.items = [i for i in movies.items if i.title != "Fight Club"]
    assert plex_sync("--movies-only", plex=plex, stellarr=stellarr).returncode == 0
    assert 550 not in library_status(stellarr, auth)["library"]["movie"]
    # ... and --no-clear only adds: what Stellarr has stays, what Plex has is added.
    plex.section("Movies").items = []
    plex.add_movies(1, first_tmdb_id=77)
    added = plex_sync("--movies-only", "--no-clear", plex=plex, stellarr=stellarr)
    assert added.returncode == 0, added.stderr
    library = library_status(stellarr, auth)["library"]["movie"]
    assert 77 in library and 272 in library and 603 in library


def test_dry_run_prints_what_would_be_sent_and_sends_nothing(stellarr: str, plex: FakePlex) -> None:
    auth = login(stellarr)
    before = library_status(stellarr, auth)["library"]
    plex.section("TV Shows").items.pop(0)  # Stranger Things: the library would change

    # no Stellarr address or token needed to look
    result = plex_sync("--dry-run", plex=plex)

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    sent = {(line["media_type"], line["tmdb_id"]) for line in lines}
    assert sent == {("movie", i) for i in MOVIES} | {("tv", 1396)}
    assert {"media_type": "movie", "tmdb_id": 550, "title": "Fight Club"} in lines
    assert "dry run, movie: scanned 6, skipped 2 (no TMDB id), would send 3" in result.stderr
    assert library_status(stellarr, auth)["library"] == before


def test_list_libraries_prints_every_section_and_exits(plex: FakePlex) -> None:
    result = plex_sync("--list-libraries", plex=plex)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Movies\tmovie\t5 titles",
        "TV Shows\tshow\t4 titles",
        "4K Movies\tmovie\t1 title",
        "Music\tartist\t1 title, not synced",
    ]
    # counted, not read: every listing asked for an empty window
    listings = plex.calls("/library/sections/")
    assert len(listings) == 4
    assert all(c.query.get("X-Plex-Container-Size") == ["0"] for c in listings)


def test_movies_only_and_library_choose_what_is_read_and_sent(
    stellarr: str, plex: FakePlex
) -> None:
    auth = login(stellarr)
    tv_before = library_status(stellarr, auth)["library"]["tv"]
    plex.section("TV Shows").items.clear()  # a TV sync now would fail (nothing to send)

    result = plex_sync("--movies-only", plex=plex, stellarr=stellarr)

    assert result.returncode == 0, result.stderr
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["movie"]
    assert plex.calls("/library/sections/2/") == []
    status = library_status(stellarr, auth)["library"]
    assert status["movie"] == sorted(MOVIES) and status["tv"] == tv_before

    only_4k = plex_sync("--library", "4k movies", "--dry-run", plex=plex)
    assert only_4k.returncode == 0, only_4k.stderr
    assert [json.loads(line)["tmdb_id"] for line in only_4k.stdout.splitlines()] == [603]


def test_a_wrong_plex_token_fails_with_one_clear_line(plex: FakePlex) -> None:
    plex.token = "the-token-plex-expects"  # not the one the command sends
    result = plex_sync("--dry-run", plex=plex)
    line = assert_one_line(result, 1, "Plex refused the token (401)", "--plex-token")
    assert PLEX_TOKEN not in line


def test_an_unreachable_plex_fails_with_one_clear_line() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = subprocess.run(
        [sys.executable, "-m", "stellarr", "plex-sync", "--dry-run"],
        env={**os.environ, "PLEX_URL": url, "PLEX_TOKEN": PLEX_TOKEN},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_one_line(result, 1, "cannot reach Plex", "refused")


def test_a_wrong_sync_token_fails_with_stellarrs_detail(stellarr: str, plex: FakePlex) -> None:
    auth = login(stellarr)
    before = library_status(stellarr, auth)["library"]
    wrong = "not-the-sync-token-123"
    refused = httpx.post(
        f"{stellarr}/sync/library", params={"media_type": "movie", "token": wrong}, json=[]
    )
    assert refused.status_code == 401

    result = plex_sync(plex=plex, stellarr=stellarr, token=wrong)

    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last == f"stellarr: Stellarr refused the movie library (401): {refused.json()['detail']}"
    assert wrong not in result.stdout + result.stderr
    assert library_status(stellarr, auth)["library"] == before


def test_a_library_with_no_tmdb_ids_is_not_sent_as_an_empty_one(
    stellarr: str, plex: FakePlex
) -> None:
    shows = plex.section("TV Shows")
    shows.items = [i for i in shows.items if not any(g.startswith("tmdb") for g in i.guids)]
    result = plex_sync("--tv-only", plex=plex, stellarr=stellarr)
    assert result.returncode == 1
    assert "none of the 2 tv shows in Plex has a TMDB id" in result.stderr.splitlines()[-1]


def test_an_unreachable_stellarr_fails(plex: FakePlex) -> None:
    result = plex_sync("--movies-only", plex=plex, stellarr=f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 1
    assert "cannot reach Stellarr at http://127.0.0.1:" in result.stderr.splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "env", "words"),
    [
        ((), {}, ("stellarr: plex-sync needs --plex-url", "PLEX_URL")),
        ((), {"PLEX_URL": "http://plex:32400"}, ("--plex-token", "PLEX_TOKEN")),
        ((), {"PLEX_URL": "http://plex:32400", "PLEX_TOKEN": "t"}, ("--stellarr-url",)),
        (
            ("--stellarr-url", "http://stellarr:8000"),
            {"PLEX_URL": "http://plex:32400", "PLEX_TOKEN": "t"},
            ("--sync-token", "STELLARR_SYNC_TOKEN"),
        ),
        (("--plex-url", "plex:32400", "--plex-token", "t", "--dry-run"), {}, ("http://",)),
    ],
)
def test_missing_or_malformed_settings_are_one_line_and_exit_2(
    args: tuple[str, ...], env: dict[str, str], words: tuple[str, ...]
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "stellarr", "plex-sync", *args],
        env={**{k: v for k, v in os.environ.items() if k not in OUR_VARIABLES}, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_one_line(result, 2, *words)


def test_an_unknown_library_names_the_ones_plex_has(plex: FakePlex) -> None:
    result = plex_sync("--library", "Films", "--dry-run", plex=plex)
    assert_one_line(result, 2, "'Films'", "Movies, TV Shows, 4K Movies, Music")
    music = plex_sync("--library", "Music", "--dry-run", plex=plex)
    assert_one_line(music, 2, "'Music' is a Plex artist library")


def test_movies_only_and_tv_only_together_are_refused() -> None:
    result = plex_sync("--movies-only", "--tv-only")
    assert result.returncode == 2 and "not allowed with argument" in result.stderr
