"""A stand-in for api.themoviedb.org on 127.0.0.1, answering in TMDB's recorded shapes.

Responses come from real captures in tests/fixtures/tmdb (see SOURCES.txt there); details
for titles that only appear in search captures are assembled from their search entries in
TMDB's details shape (title/name, dates, imdb_id, external_ids, number_of_seasons).
Every title also has synthesized genres, credits, videos and (shows) seasons, since no
capture holds them (stellarr_testing/tmdb_title_extras.py); `append_to_response` adds
credits, videos (filtered by language as TMDB filters them) and external_ids.
`/find/{id}` answers from the same catalogue by the external ids it holds, plus episodes
a test files with `add_episode`, in TMDB's find shape (movie_results, person_results,
tv_results, tv_episode_results with show_id, tv_season_results).
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from stellarr_testing.http_servers import QuietHandler, serving
from stellarr_testing.tmdb_title_extras import genres, languages_asked, title_extras

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "tmdb"
API_KEY = "fake-v3-api-key-0123456789abcdef"
READ_TOKEN = "fake.v4.read-token.0123456789abcdef"

NOT_FOUND = {
    "success": False,
    "status_code": 34,
    "status_message": "The resource you requested could not be found.",
}
BAD_KEY = {
    "status_code": 7,
    "status_message": "Invalid API key: You must be granted a valid key.",
    "success": False,
}
INVALID_SOURCE = {
    "success": False,
    "status_code": 22,
    "status_message": "Invalid parameters: Your request parameters are incorrect.",
}
FIND_SOURCES = ("imdb_id", "tvdb_id", "facebook_id", "instagram_id", "twitter_id", "wikidata_id")
FIND_LISTS = (
    "movie_results",
    "person_results",
    "tv_results",
    "tv_episode_results",
    "tv_season_results",
)
PERSON = {
    "adult": False,
    "gender": 2,
    "id": 1748,
    "known_for_department": "Acting",
    "media_type": "person",
    "name": "William Shatner",
    "original_name": "William Shatner",
    "popularity": 20.1,
    "profile_path": "/7v6t9YgJ0kXdU4u6z7sKj1Jd6ZQ.jpg",
    "known_for": [],
}


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


@dataclass
class Seen:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class FakeTMDB:
    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    movies: dict[int, dict[str, Any]] = field(default_factory=dict)
    shows: dict[int, dict[str, Any]] = field(default_factory=dict)
    searches: dict[str, dict[str, Any]] = field(default_factory=dict)
    trending: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (external_source, id) -> the tv_episode_results entry /find answers for it
    episodes: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    # path -> status answered on every call to it, whatever the order of concurrent calls
    outages: dict[str, int] = field(default_factory=dict)
    # Seconds each answer waits, as a far-away TMDB would (the trending bench).
    latency: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.seen.clear()
            self.failures.clear()
            self.outages.clear()
            self.latency = 0.0
        self._load_catalog()

    def break_path(self, path: str, status: int = 500) -> None:
        with self.lock:
            self.outages[path] = status

    def fail_next(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        headers = {"Retry-After": retry_after} if retry_after else {}
        with self.lock:
            self.failures.extend([(status, headers)] * times)

    def add_episode(
        self,
        show_id: int,
        season: int,
        number: int,
        *,
        tvdb_id: int | None = None,
        imdb_id: str | None = None,
        episode_id: int | None = None,
    ) -> None:
        """File an episode of `show_id` under its TVDB and/or IMDb id for /find."""
        entry = {
            "id": episode_id or show_id * 1000 + season * 100 + number,
            "name": f"Episode {number}",
            "overview": "",
            "media_type": "tv_episode",
            "vote_average": 0.0,
            "vote_count": 0,
            "air_date": "2020-01-01",
            "episode_number": number,
            "episode_type": "standard",
            "production_code": "",
            "runtime": 45,
            "season_number": season,
            "show_id": show_id,
            "still_path": None,
        }
        with self.lock:
            if tvdb_id is not None:
                self.episodes[("tvdb_id", str(tvdb_id))] = entry
            if imdb_id is not None:
                self.episodes[("imdb_id", imdb_id)] = entry

    def calls(self, prefix: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path.startswith(prefix)]

    def _load_catalog(self) -> None:
        self.searches = {
            "movie": load("search_movie__Titoomf_CleanArqTripleApiFilmeTmdb.json"),
            "tv": load("search_tv__LcTrKiD_tv-shows.json"),
            "multi": load("search_multi__sonnyb378_entertainment_app.json"),
        }
        self.searches["multi"]["results"].insert(3, PERSON)
        self.trending = {
            "all": load("trending_all_week__derived.json"),
            "movie": load("trending_movie_week__sakshiarora04_just-movie.json"),
            "tv": load("trending_tv_week__derived.json"),
        }
        # The other lists of the home page, by TMDB path (/movie/popular, ...).
        self.lists = {
            ("movie", "popular"): load("movie_popular__derived.json"),
            ("tv", "popular"): load("tv_popular__derived.json"),
            ("movie", "upcoming"): load("movie_upcoming__derived.json"),
        }
        self.movies, self.shows, self.episodes = {}, {}, {}
        for payload in [*self.searches.values(), *self.trending.values(), *self.lists.values()]:
            for item in payload["results"]:
                kind = item.get("media_type") or ("tv" if "first_air_date" in item else "movie")
                if kind == "movie":
                    self.movies[item["id"]] = _movie_details(item)
                elif kind == "tv":
                    self.shows[item["id"]] = _show_details(item)
        real = load("movie_details_ptBR__ThayBorges_movie-challenge.json")
        self.movies[real["id"]] = real
        stranger = self.shows[66732]
        stranger["external_ids"] = load("tv_external_ids__LcTrKiD_tv-shows.json")
        stranger["number_of_seasons"] = 4
        for kind, catalog in (("movie", self.movies), ("tv", self.shows)):
            for details in catalog.values():
                title_extras(details, kind)

    def respond(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")
        if parts[:1] == ["3"]:
            parts = parts[1:]
        if len(parts) == 2 and parts[0] == "search" and parts[1] in self.searches:
            body = copy.deepcopy(self.searches[parts[1]])
            body["page"] = int(query.get("page", ["1"])[0])
            return 200, body
        if len(parts) == 3 and parts[0] == "trending" and parts[2] == "week":
            if parts[1] not in self.trending:
                return 404, NOT_FOUND
            body = copy.deepcopy(self.trending[parts[1]])
            body["page"] = int(query.get("page", ["1"])[0])
            return 200, body
        if len(parts) == 2 and (parts[0], parts[1]) in self.lists:
            body = copy.deepcopy(self.lists[parts[0], parts[1]])
            body["page"] = int(query.get("page", ["1"])[0])
            return 200, body
        if len(parts) == 2 and parts[0] in ("movie", "tv") and parts[1].isdigit():
            catalog = self.movies if parts[0] == "movie" else self.shows
            item = catalog.get(int(parts[1]))
            if item is None:
                return 404, NOT_FOUND
            body = copy.deepcopy(item)
            appended = set(query.get("append_to_response", [""])[0].split(","))
            credits, videos = body.pop("credits", None), body.pop("videos", None)
            if "external_ids" in appended:
                body.setdefault("external_ids", {"imdb_id": body.get("imdb_id")})
                body["external_ids"].setdefault("imdb_id", body.get("imdb_id"))
            else:
                body.pop("external_ids", None)
            if "credits" in appended and credits is not None:
                body["credits"] = credits
            if "recommendations" in appended:
                body["recommendations"] = self._recommendations(parts[0], int(parts[1]))
            if "videos" in appended and videos is not None:
                asked = languages_asked(query)
                body["videos"] = {
                    "results": [v for v in videos["results"] if v.get("iso_639_1") in asked]
                }
            return 200, body
        if len(parts) == 2 and parts[0] == "find":
            return self._find(parts[1], query.get("external_source", [""])[0])
        return 404, NOT_FOUND

    def _recommendations(self, kind: str, tmdb_id: int) -> dict[str, Any]:
        """TMDB's recommendations list for a title: the catalogue's other titles of its kind,
        as list entries (with media_type, as TMDB's recommendations carry it)."""
        catalog = self.movies if kind == "movie" else self.shows
        keys = ("id", "title", "name", "release_date", "first_air_date", "overview")
        keys += ("poster_path", "vote_average", "original_language", "popularity")
        results = [
            {**{k: item[k] for k in keys if k in item}, "media_type": kind, "adult": False}
            for other, item in sorted(catalog.items())
            if other != tmdb_id
        ][:6]
        return {"page": 1, "results": results, "total_pages": 1, "total_results": len(results)}

    def _find(self, external_id: str, source: str) -> tuple[int, dict[str, Any]]:
        if source not in FIND_SOURCES:
            return 400, INVALID_SOURCE
        found: dict[str, list[dict[str, Any]]] = {name: [] for name in FIND_LISTS}
        for kind, catalog in (("movie", self.movies), ("tv", self.shows)):
            for item in catalog.values():
                external = item.get("external_ids") or {}
                ids = {
                    "imdb_id": item.get("imdb_id") or external.get("imdb_id"),
                    "tvdb_id": external.get("tvdb_id"),
                }
                value = ids.get(source)
                if value is not None and str(value) == external_id:
                    entry = {k: v for k, v in item.items() if k != "external_ids"}
                    entry["media_type"] = kind
                    found[f"{kind}_results"].append(entry)
        episode = self.episodes.get((source, external_id))
        if episode is not None:
            found["tv_episode_results"].append(copy.deepcopy(episode))
        return 200, found


def _movie_details(item: dict[str, Any]) -> dict[str, Any]:
    details = {k: v for k, v in item.items() if k not in ("genre_ids", "media_type")}
    details.update({"imdb_id": f"tt{item['id']:07d}", "runtime": 120, "status": "Released"})
    details["genres"] = genres(item, "movie")
    return details


def _show_details(item: dict[str, Any]) -> dict[str, Any]:
    details = {k: v for k, v in item.items() if k not in ("genre_ids", "media_type")}
    details.update(
        {
            "number_of_seasons": 1 + item["id"] % 7,
            "external_ids": {"imdb_id": f"tt{item['id'] + 9000000}", "tvdb_id": 70000 + item["id"]},
            "genres": genres(item, "tv"),
        }
    )
    return details


def _handler(state: FakeTMDB) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
            self.answer_json(status, body, "application/json;charset=utf-8", headers)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query, keep_blank_values=True)
            with state.lock:
                state.seen.append(Seen(parts.path, query, dict(self.headers.items())))
                failure = state.failures.pop(0) if state.failures else None
                outage = state.outages.get(parts.path)
                latency = state.latency
            if latency:
                time.sleep(latency)
            if outage:
                failure = (outage, {})
            if failure:
                status, headers = failure
                self._send(status, {"status_code": 25, "status_message": "failure"}, headers)
                return
            bearer = self.headers.get("Authorization", "") == f"Bearer {READ_TOKEN}"
            if not bearer and query.get("api_key", [""])[0] != API_KEY:
                self._send(401, BAD_KEY, {})
                return
            status, body = state.respond(parts.path, query)
            self._send(status, body, {})

    return Handler


@contextmanager
def running_fake_tmdb() -> Iterator[FakeTMDB]:
    state = FakeTMDB()
    state.reset()
    with serving(_handler(state)) as origin:
        state.url = f"{origin}/3"
        yield state
