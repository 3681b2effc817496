"""`GET /trending-{type}-{locale}.json` from the data folder, and the schedule that fills it
while the app runs."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
from pathlib import Path

import httpx
import pytest

from stellarr.bootstrap import build_app
from stellarr.settings import Config, Settings, StaticSettings
from stellarr.store.sqlite import sqlite_stores
from stellarr_testing.fake_tmdb import FakeTMDB
from stellarr_testing.harness import Harness, harness_env

from .conftest import MakeApi

BODY = json.dumps(
    {"results": [{"id": n, "title": f"Title {n}"} for n in range(60)], "generated_at": "x"},
    separators=(",", ":"),
).encode()


def publish(folder: Path, name: str, body: bytes) -> None:
    """As the warmer does: a new file renamed over the old one."""
    folder.mkdir(exist_ok=True)
    temporary = folder / f".{name}.tmp"
    temporary.write_bytes(body)
    os.replace(temporary, folder / name)


@pytest.fixture
async def api(make_api_with: MakeApi, tmp_path: Path) -> Harness:
    publish(tmp_path / "trending", "trending-all-en.json", BODY)
    return await make_api_with(stores=sqlite_stores(tmp_path / "store.db"))


async def test_serves_the_file_with_cdn_headers_etag_and_security_headers(api: Harness) -> None:
    answer = await api.client.get("/trending-all-en.json", headers={"Accept-Encoding": "identity"})
    assert answer.status_code == 200
    assert answer.content == BODY
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "public, max-age=3600"
    assert answer.headers["vary"] == "Accept-Encoding"
    assert answer.headers["etag"].startswith('"')
    assert "img-src 'self' https://image.tmdb.org" in answer.headers["content-security-policy"]

    head = await api.client.head("/trending-all-en.json", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == answer.headers["etag"]
    assert head.headers["content-length"] == str(len(BODY))


async def test_gzip_and_not_modified_per_encoding(api: Harness) -> None:
    plain = await api.client.get("/trending-all-en.json", headers={"Accept-Encoding": "identity"})
    with_gzip = await api.client.get("/trending-all-en.json", headers={"Accept-Encoding": "gzip"})
    assert with_gzip.headers["content-encoding"] == "gzip"
    assert with_gzip.content == BODY  # httpx undid the gzip
    assert int(with_gzip.headers["content-length"]) < len(BODY)
    assert len(gzip.compress(BODY)) < len(BODY)
    assert with_gzip.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'

    again = await api.client.get(
        "/trending-all-en.json",
        headers={"Accept-Encoding": "gzip", "If-None-Match": with_gzip.headers["etag"]},
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["cache-control"] == "public, max-age=3600"
    # The plain body's ETag does not validate the gzip representation.
    other = await api.client.get(
        "/trending-all-en.json",
        headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["etag"]},
    )
    assert other.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/trending-all-ja.json",  # a locale nobody warmed
        "/trending-people-en.json",  # not a type
        "/trending-all-EN.json",
        "/trending-all-eng.json",
        "/trending-all-en-US.json",
        "/trending-all-..%2F..%2Fstore.db.json",
        "/trending-all-%2E%2E.json",
        "/trending-..-en.json",
        "/trending-all-e%00.json",
        "/upcoming-tv-en.json",  # TMDB has no upcoming shows
        "/popular-all-en.json",  # nor a popular list across both types
        "/popular-trending-all-en.json",
    ],
)
async def test_unknown_types_locales_and_traversal_are_404(api: Harness, path: str) -> None:
    answer = await api.client.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["detail"]


@pytest.mark.parametrize(
    "name", ["popular-movie-en.json", "popular-tv-en.json", "upcoming-movie-en.json"]
)
async def test_the_other_home_lists_are_served_like_trending(
    api: Harness, tmp_path: Path, name: str
) -> None:
    assert (await api.client.get(f"/{name}")).status_code == 404  # not warmed yet
    publish(tmp_path / "trending", name, BODY)
    answer = await api.client.get(f"/{name}", headers={"Accept-Encoding": "identity"})
    assert answer.status_code == 200 and answer.content == BODY
    assert answer.headers["cache-control"] == "public, max-age=3600"


async def test_a_new_file_is_served_and_a_removed_one_is_gone(api: Harness, tmp_path: Path) -> None:
    first = await api.client.get("/trending-all-en.json")
    files = api.services.trending_files
    # Unchanged: the very same bytes in memory, not a second read.
    assert files.get("trending", "all", "en") is files.get("trending", "all", "en")

    newer = BODY.replace(b'"generated_at":"x"', b'"generated_at":"y"')
    publish(tmp_path / "trending", "trending-all-en.json", newer)
    second = await api.client.get("/trending-all-en.json")
    assert second.content == newer
    assert second.headers["etag"] != first.headers["etag"]
    stale = await api.client.get(
        "/trending-all-en.json", headers={"If-None-Match": first.headers["etag"]}
    )
    assert stale.status_code == 200

    (tmp_path / "trending" / "trending-all-en.json").unlink()
    assert (await api.client.get("/trending-all-en.json")).status_code == 404


async def test_the_running_app_warms_missing_files_and_stops_its_schedule(
    fake_tmdb: FakeTMDB, tmp_path: Path
) -> None:
    env = harness_env(fake_tmdb.url, str(tmp_path), TRENDING_LOCALES="en,de")
    config = Config.from_mapping(env)
    app = build_app(
        config,
        StaticSettings(Settings.from_mapping(env)),
        stores=sqlite_stores(tmp_path / "stellarr.db"),
        schedule_trending=True,
    )
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://stellarr.test") as client,
    ):
        for _ in range(500):  # until the background run has written the files
            if len(list(config.trending_dir.glob("trending-*.json"))) == 6:
                break
            await asyncio.sleep(0.01)
        answer = await client.get("/trending-movie-de.json")
        assert answer.status_code == 200
        assert len(answer.json()["results"]) == 20
        assert [t for t in asyncio.all_tasks() if t.get_name() == "stellarr-trending"]
    assert [t for t in asyncio.all_tasks() if t.get_name() == "stellarr-trending"] == []
    assert len(fake_tmdb.calls("/3/trending/")) == 6
