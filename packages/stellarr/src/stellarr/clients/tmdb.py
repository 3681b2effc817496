"""TMDB v3 client: pooled, retried, cached; text cleaned where it enters. Credentials never
leave this module in errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Callable
from typing import Any, Literal

import httpx

from stellarr.clients.cache import TTLCache
from stellarr.clients.upstream import Json, json_http, json_object, send
from stellarr.domain.errors import LOOKUP_ERRORS, NotFound, TMDBNotConfigured, UpstreamError
from stellarr.domain.media_ids import MediaIds, coerce_id, coerce_imdb
from stellarr.domain.text import clean_tree
from stellarr.domain.title_page import CAST_SIZE
from stellarr.retry import RetryPolicy, Sleep, retrying
from stellarr.settings import SettingsProvider

# Users read this in the UI; the admin is told which variables to set at start-up.
NOT_CONFIGURED = "Search is not set up yet: ask the admin to add a TMDB key"
DEFAULT_RETRY = RetryPolicy(attempts=3, base_delay=0.5, max_delay=10.0)

DETAILS_TTL_SECONDS = 12 * 3600
# What Stellarr reads from details; the rest (cast, videos, companies...) is not cached, so
# 20,000 cached titles stay a few MB instead of hundreds.
DETAILS_FIELDS = frozenset(
    {
        "id",
        "title",
        "name",
        "original_title",
        "original_name",
        "release_date",
        "first_air_date",
        "overview",
        "poster_path",
        "imdb_id",
        "external_ids",
        "number_of_seasons",
        "status",
    }
)
# The title page's share of a details call with credits, videos and external ids appended;
# each list is cut to the entries and keys the page reads (a cast runs to hundreds).
TITLE_FIELDS = DETAILS_FIELDS | {
    "backdrop_path",
    "genres",
    "runtime",
    "seasons",
    "number_of_episodes",
    "vote_average",
}
# Recommendations ride on the same call (and so the same cache) as the rest of the page.
TITLE_APPENDS = "credits,videos,external_ids,recommendations"
CAST_KEYS = ("name", "character", "profile_path")
VIDEO_KEYS = ("iso_639_1", "name", "key", "site", "type", "official")
RECOMMENDATION_KEYS = (
    *("id", "media_type", "title", "name", "release_date", "first_air_date"),
    *("overview", "poster_path", "vote_average"),
)
RECOMMENDATIONS_SIZE = 12  # one row on a desktop, two on a phone
SEASON_KEYS = ("season_number", "name", "episode_count", "air_date", "poster_path")
TITLE_CACHE_ENTRIES = 5_000  # a few KB each once trimmed
SearchKind = Literal["movie", "tv", "multi"]
FindSource = Literal["tvdb_id", "imdb_id"]
log = logging.getLogger(__name__)
FIND_LISTS = ("movie_results", "tv_results", "tv_episode_results", "tv_season_results")
# Enough to say what an id names and, for an episode or season, its show.
FIND_FIELDS = frozenset(
    {"id", "show_id", "title", "name", "release_date", "first_air_date"}
    | {"season_number", "episode_number"}
)
# An id goes into the URL's path: only the forms `media_ids` accepts, written its way.
EXTERNAL_ID: dict[FindSource, Callable[[object], int | str | None]] = {
    "tvdb_id": coerce_id,
    "imdb_id": coerce_imdb,
}


class TMDBCredentials(httpx.Auth):
    """Adds the current credential to each request. Read on every call, so a rotated
    secret applies at once and nothing has to be configured before the client is used."""

    def __init__(self, settings: SettingsProvider) -> None:
        self._settings = settings

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        settings = await self._settings.get()
        if settings.tmdb_read_token:
            request.headers["Authorization"] = f"Bearer {settings.tmdb_read_token}"
        elif settings.tmdb_api_key:
            request.url = request.url.copy_merge_params({"api_key": settings.tmdb_api_key})
        else:
            raise TMDBNotConfigured(NOT_CONFIGURED)
        yield request


class TMDBClient:
    def __init__(
        self,
        base_url: str,
        auth: httpx.Auth,
        *,
        http: httpx.AsyncClient | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
        timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._auth = auth
        self._owns_http = http is None
        # The warmer's calls at once (services.trending) and room for searches meanwhile.
        self._http = http or json_http(timeout, connections=32)
        self._retry = retry
        self._sleep = sleep
        self.details_cache: TTLCache[tuple[str, int, str | None], Json] = TTLCache(
            DETAILS_TTL_SECONDS, max_entries=20_000
        )
        self.title_cache: TTLCache[tuple[str, int, str], Json] = TTLCache(
            DETAILS_TTL_SECONDS, max_entries=TITLE_CACHE_ENTRIES
        )
        self.find_cache: TTLCache[tuple[str, str], Json] = TTLCache(
            DETAILS_TTL_SECONDS, max_entries=20_000
        )

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _get(self, path: str, params: dict[str, str | int]) -> Json:
        url = f"{self.base_url}{path}"

        async def attempt() -> Json:
            response = await send(self._http, "TMDB", "GET", url, params=params, auth=self._auth)
            if response.status_code == 404:
                raise NotFound(f"TMDB has no {path}")
            if response.status_code in (401, 403):
                raise UpstreamError("TMDB refused our credentials (check the TMDB key)")
            cleaned: Json = clean_tree(json_object(response, "TMDB"))
            return cleaned

        return await retrying(attempt, self._retry, what=f"TMDB {path}", sleep=self._sleep)

    async def search(
        self, kind: SearchKind, query: str, page: int = 1, language: str | None = None
    ) -> Json:
        params: dict[str, str | int] = {"query": query, "page": page, "include_adult": "false"}
        if language:
            params["language"] = language
        return await self._get(f"/search/{kind}", params)

    async def home_list(self, path: str, language: str, page: int = 1) -> Json:
        """A page of one of the home page's lists (domain.trending.tmdb_path: trending,
        popular, upcoming); not cached, the warmer calls it once a day."""
        return await self._get(path, {"language": language, "page": page})

    async def details(self, media_type: str, tmdb_id: int, language: str | None = None) -> Json:
        """Details with external ids; one call per title per 12 h, shared by concurrent callers."""

        async def load() -> Json:
            params: dict[str, str | int] = {"append_to_response": "external_ids"}
            if language:
                params["language"] = language
            details = await self._get(f"/{media_type}/{tmdb_id}", params)
            return {k: v for k, v in details.items() if k in DETAILS_FIELDS}

        return await self.details_cache.get_or_load((media_type, tmdb_id, language), load)

    async def title(self, media_type: str, tmdb_id: int, language: str) -> Json:
        """Details with credits, videos and external ids in one call, trimmed to what the
        title page reads; one call per title and language per 12 h, shared by concurrent
        callers. Videos come in `language` and English: TMDB filters them by `language`,
        and most titles have trailers in English only."""

        async def load() -> Json:
            params: dict[str, str | int] = {
                "append_to_response": TITLE_APPENDS,
                "language": language,
                "include_video_language": ",".join(dict.fromkeys((language, "en"))),
            }
            return _trim_title(await self._get(f"/{media_type}/{tmdb_id}", params))

        return await self.title_cache.get_or_load((media_type, tmdb_id, language), load)

    async def find(self, external_id: str | int, source: FindSource) -> Json:
        """What TMDB files under another site's id: the FIND_LISTS, each entry trimmed to
        FIND_FIELDS (an episode's or season's `show_id` is its show). One call per id per
        12 h; raises ValueError for an id that is not of `source`'s form."""
        canonical = EXTERNAL_ID[source](external_id)
        if canonical is None:
            raise ValueError(f"not a {source}: {str(external_id)[:40]!r}")
        value = str(canonical)

        async def load() -> Json:
            body = await self._get(f"/find/{value}", {"external_source": source})
            found: Json = {}
            for name in FIND_LISTS:
                entries = body.get(name)
                found[name] = [
                    {k: v for k, v in entry.items() if k in FIND_FIELDS}
                    for entry in (entries if isinstance(entries, list) else [])
                    if isinstance(entry, dict)
                ]
            return found

        return await self.find_cache.get_or_load((source, value), load)

    async def find_first(self, ids: MediaIds, results: str, field: str = "id") -> int | None:
        """The first positive `field` of the first entry in TMDB's `results` list for the
        ids' TVDB id, then their IMDb id (e.g. `tv_episode_results` / `show_id`: the show
        an episode belongs to). A lookup that fails is logged and the next one tried."""
        lookups: list[tuple[str | int, FindSource]] = []
        if ids.tvdb is not None:
            lookups.append((ids.tvdb, "tvdb_id"))
        if ids.imdb is not None:
            lookups.append((ids.imdb, "imdb_id"))
        for external_id, source in lookups:
            try:
                found = await self.find(external_id, source)
            except LOOKUP_ERRORS as exc:
                log.info("TMDB /find by %s failed: %s", source, exc)
                continue
            for entry in found.get(results) or []:
                value = entry.get(field)
                if isinstance(value, int) and value > 0:
                    log.info("TMDB /find by %s gives %s %s %d", source, results, field, value)
                    return value
        return None


def _entries(value: Any, keys: tuple[str, ...], limit: int | None = None) -> list[Json]:
    entries = [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []
    return [{k: e.get(k) for k in keys} for e in entries[:limit]]


def _appended(body: Json, name: str) -> Json:
    value = body.get(name)
    return value if isinstance(value, dict) else {}


def _trim_title(body: Json) -> Json:
    trimmed = {k: v for k, v in body.items() if k in TITLE_FIELDS}
    trimmed["seasons"] = _entries(body.get("seasons"), SEASON_KEYS)
    trimmed["credits"] = {
        "cast": _entries(_appended(body, "credits").get("cast"), CAST_KEYS, CAST_SIZE)
    }
    trimmed["videos"] = {"results": _entries(_appended(body, "videos").get("results"), VIDEO_KEYS)}
    trimmed["recommendations"] = {
        "results": _entries(
            _appended(body, "recommendations").get("results"),
            RECOMMENDATION_KEYS,
            RECOMMENDATIONS_SIZE,
        )
    }
    return trimmed
