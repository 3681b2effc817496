"""Titles and overviews with characters no output format may carry (XML 1.0 forbids most C0
controls and U+FFFE; a lone surrogate cannot be encoded at all) must not break any output:
one such request would otherwise make every RSS feed unparseable, or search answer 500."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from stellarr_testing.fake_tmdb import FakeTMDB
from stellarr_testing.harness import Harness

HOSTILE_TITLE = "Bad\x0bTitle \x1b[31m red \ufffe end \ud800 half"
CLEAN_TITLE = "BadTitle [31m red  end  half"
HOSTILE_OVERVIEW = "Over\x00view\x08 with\uffff noise"
CLEAN_OVERVIEW = "Overview with noise"


@pytest.fixture
def hostile_tmdb(fake_tmdb: FakeTMDB) -> FakeTMDB:
    for kind, catalog in (("movie", fake_tmdb.movies), ("tv", fake_tmdb.shows)):
        first = fake_tmdb.searches[kind]["results"][0]
        field = "title" if kind == "movie" else "name"
        first[field] = HOSTILE_TITLE
        first["overview"] = HOSTILE_OVERVIEW
        catalog[first["id"]][field] = HOSTILE_TITLE
        catalog[first["id"]]["overview"] = HOSTILE_OVERVIEW
    return fake_tmdb


async def test_every_output_stays_valid(api: Harness, hostile_tmdb: FakeTMDB) -> None:
    auth = await api.login()
    for kind in ("movie", "tv"):
        found = await api.client.post(
            "/api/search", json={"query": "x", "media_type": kind}, headers=auth
        )
        assert found.status_code == 200, found.text
        first = found.json()["results"][0]
        assert (first["title"], first["overview"]) == (CLEAN_TITLE, CLEAN_OVERVIEW)
        added = await api.client.post(
            "/api/request", json={"tmdb_id": first["id"], "media_type": kind}, headers=auth
        )
        assert added.status_code == 201, added.text

    for path in ("/rss/movies", "/rss/tv", "/rss/all"):
        response = await api.client.get(path)
        channel = ET.fromstring(response.content).find("channel")  # raises if not XML 1.0
        assert channel is not None
        titles = [item.findtext("title") or "" for item in channel.iter("item")]
        assert any(CLEAN_TITLE in title for title in titles), titles
    for path in ("/list/radarr/tmdb", "/list/sonarr", "/api/requests", "/api/library-status"):
        response = await api.client.get(path, headers=auth)
        assert response.status_code == 200
        text = response.content.decode("utf-8")  # strict: a lone surrogate cannot survive this
        assert "\\ud800" not in text and "\x0b" not in text
        json.loads(text)
    listed = (await api.client.get("/api/requests", headers=auth)).json()["requests"]
    assert {r["title"] for r in listed} == {CLEAN_TITLE}
