"""The trending warmer against the fake TMDB server, writing into a real folder."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from stellarr.clients.tmdb import TMDBClient, TMDBCredentials
from stellarr.domain.trending import LISTS, TYPES, listings
from stellarr.retry import RetryPolicy
from stellarr.services.trending import TrendingWarmer
from stellarr.services.trending_destinations import LocalFolder
from stellarr.settings import Settings, StaticSettings
from stellarr_testing.fake_tmdb import API_KEY, PERSON, FakeTMDB

LOCALES = ("en", "es", "fr", "de")
MONDAY = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)
LISTING_KEYS = ["id", "title", "year", "overview", "poster_path", "media_type", "vote_average"]


@pytest.fixture
async def tmdb(fake_tmdb: FakeTMDB) -> AsyncIterator[TMDBClient]:
    settings = StaticSettings(
        Settings(app_secret_key="k" * 48, preshared_password="pw", tmdb_api_key=API_KEY)
    )
    client = TMDBClient(
        fake_tmdb.url,
        TMDBCredentials(settings),
        retry=RetryPolicy(attempts=2, base_delay=0.0, max_delay=0.0, jitter=False),
    )
    yield client
    await client.aclose()


def warmer(tmdb: TMDBClient, folder: Path, when: datetime, pages: int = 1) -> TrendingWarmer:
    return TrendingWarmer(tmdb, LocalFolder(folder), LOCALES, pages, clock=lambda: when)


def listed(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def read(folder: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / name).read_bytes())
    return data


async def test_one_compact_file_per_list_type_and_locale_without_people(
    tmdb: TMDBClient, fake_tmdb: FakeTMDB, tmp_path: Path
) -> None:
    summary = await warmer(tmdb, tmp_path, MONDAY).run()

    assert listed(tmp_path) == sorted(
        f"{name}-{t}-{lang}.json" for name, t in LISTS for lang in LOCALES
    )
    assert set(summary) == {f"{name}-{t}-{lang}" for name, t in LISTS for lang in LOCALES}
    calls = fake_tmdb.calls("/3/")
    assert len(calls) == 24
    paths = [f"/3/trending/{t}/week" for t in TYPES]
    paths += ["/3/movie/popular", "/3/tv/popular", "/3/movie/upcoming"]
    assert sorted((c.path, c.query["language"][0]) for c in calls) == sorted(
        (path, lang) for path in paths for lang in LOCALES
    )
    # Popular and upcoming items do not say their type: the list's own type is theirs.
    upcoming = read(tmp_path, "upcoming-movie-fr.json")["results"]
    assert [item["id"] for item in upcoming] == [
        item["id"] for item in fake_tmdb.lists["movie", "upcoming"]["results"]
    ]
    assert {item["media_type"] for item in upcoming} == {"movie"}
    shows = read(tmp_path, "popular-tv-en.json")["results"]
    assert shows and {item["media_type"] for item in shows} == {"tv"}
    for kind in TYPES:
        raw = (tmp_path / f"trending-{kind}-de.json").read_bytes()
        data = json.loads(raw)
        compact = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
        assert raw == compact
        assert list(data) == ["results", "generated_at"]
        assert data["generated_at"] == MONDAY.isoformat()
        assert all(list(item) == LISTING_KEYS for item in data["results"])
        assert PERSON["id"] not in [item["id"] for item in data["results"]]
        assert summary[f"trending-{kind}-de"] == {
            "status": "ok",
            "items": len(data["results"]),
            "bytes": len(raw),
        }
    everything = read(tmp_path, "trending-all-en.json")["results"]
    # /trending/all mixes movies, shows and a person: the person is gone, the rest stay.
    assert {item["media_type"] for item in everything} == {"movie", "tv"}
    assert len(everything) == len(fake_tmdb.trending["all"]["results"]) - 1
    show = next(item for item in everything if item["id"] == 253)
    assert show == {
        "id": 253,
        "title": "Star Trek",
        "year": 1966,
        "overview": show["overview"],
        "poster_path": show["poster_path"],
        "media_type": "tv",
        "vote_average": show["vote_average"],
    }


def test_items_are_normalised_exactly_like_search_results() -> None:
    # The one normalisation search uses (tmdb_fields.listing), people and bad ids dropped,
    # and a title that moved between two page loads listed once.
    movie = {"id": 7, "title": "A", "release_date": "2001-02-03", "media_type": "movie"}
    pages = [{"results": [movie, PERSON, {"id": "x"}]}, {"results": [movie]}]
    assert listings("all", pages) == [
        {
            "id": 7,
            "title": "A",
            "year": 2001,
            "overview": None,
            "poster_path": None,
            "media_type": "movie",
            "vote_average": None,
        }
    ]


async def test_a_failed_list_keeps_its_last_good_file_and_is_reported(
    tmdb: TMDBClient, fake_tmdb: FakeTMDB, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await warmer(tmdb, tmp_path, MONDAY).run()
    before = contents(tmp_path)
    fake_tmdb.break_path("/3/trending/tv/week", 500)

    with caplog.at_level(logging.INFO, logger="stellarr.services.trending"):
        summary = await warmer(tmdb, tmp_path, TUESDAY).run()

    for lang in LOCALES:
        assert summary[f"trending-tv-{lang}"] == {
            "status": "failed",
            "items": 0,
            "bytes": 0,
            "error": "TMDB answered 500",
        }
        assert (tmp_path / f"trending-tv-{lang}.json").read_bytes() == before[
            f"trending-tv-{lang}.json"
        ]
        for kind in ("all", "movie"):
            assert summary[f"trending-{kind}-{lang}"]["status"] == "ok"
            assert read(tmp_path, f"trending-{kind}-{lang}.json")["generated_at"] == (
                TUESDAY.isoformat()
            )
    assert listed(tmp_path) == sorted(before)  # no temporary files
    assert "trending-tv-fr.json failed, the last good file stays: TMDB answered 500" in caplog.text
    assert "trending-movie-fr.json: 20 items" in caplog.text
    # The v3 key travels in the URL; neither the summary nor the log may carry it.
    assert API_KEY not in json.dumps(summary) and API_KEY not in caplog.text


class CountingTMDB:
    """Counts the TMDB calls in flight at once."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.most = 0
        self.calls = 0

    async def home_list(self, path: str, language: str, page: int = 1) -> dict[str, Any]:
        self.calls += 1
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        for _ in range(3):  # let every other call that can start, start
            await asyncio.sleep(0)
        self.in_flight -= 1
        return {"results": []}


@pytest.mark.parametrize(("pages", "most"), [(1, 24), (5, 24)])
async def test_tmdb_calls_run_concurrently_within_a_bound(
    tmp_path: Path, pages: int, most: int
) -> None:
    source = CountingTMDB()
    run = TrendingWarmer(source, LocalFolder(tmp_path), LOCALES, pages, clock=lambda: MONDAY)
    summary = await run.run()
    assert source.calls == 24 * pages
    assert source.most == most  # a default run's calls all at once; never more than 24
    assert all(outcome["status"] == "ok" for outcome in summary.values())


async def test_a_failed_write_is_a_failed_list(tmdb: TMDBClient, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    summary = await warmer(tmdb, blocker, MONDAY).run()
    assert {outcome["status"] for outcome in summary.values()} == {"failed"}
