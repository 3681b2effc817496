"""TMDB v3 client: pooled, retried, cached. Credentials never leave this module in errors."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Literal

import httpx

from stellarr.clients.cache import TTLCache
from stellarr.domain.errors import NotFound, TMDBNotConfigured, UpstreamError
from stellarr.retry import RetryPolicy, parse_retry_after

log = logging.getLogger(__name__)

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
SearchKind = Literal["movie", "tv", "multi"]
Json = dict[str, Any]


class TMDBClient:
    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        read_token: str | None = None,
        http: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._read_token = read_token
        self._http = http or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=5.0),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            headers={"Accept": "application/json", "User-Agent": "Stellarr"},
        )
        self._retry = retry or RetryPolicy(attempts=3, base_delay=0.5, max_delay=10.0)
        self.details_cache: TTLCache[tuple[str, int, str | None], Json] = TTLCache(
            DETAILS_TTL_SECONDS, max_entries=20_000
        )

    def configure(self, api_key: str | None, read_token: str | None) -> None:
        self._api_key = api_key
        self._read_token = read_token

    @property
    def configured(self) -> bool:
        return bool(self._api_key or self._read_token)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _get(self, path: str, params: dict[str, str | int]) -> Json:
        if not self.configured:
            raise TMDBNotConfigured("TMDB is not configured: set TMDB_READ_TOKEN or TMDB_API_KEY")
        headers = {}
        query: dict[str, str | int] = dict(params)
        if self._read_token:
            headers["Authorization"] = f"Bearer {self._read_token}"
        else:
            query["api_key"] = self._api_key or ""
        url = f"{self.base_url}{path}"
        attempt = 0
        while True:
            attempt += 1
            retry_after: float | None = None
            try:
                response = await self._http.get(url, params=query, headers=headers)
            except httpx.HTTPError as exc:
                # The exception text carries the URL (and so the key): log its type only.
                problem = f"TMDB unreachable ({type(exc).__name__})"
            else:
                if response.status_code == 404:
                    raise NotFound(f"TMDB has no {path}")
                if response.is_success:
                    try:
                        body: Json = response.json()
                    except ValueError:
                        raise UpstreamError("TMDB sent a response that is not JSON") from None
                    return body
                if response.status_code in (401, 403):
                    raise UpstreamError("TMDB refused our credentials (check the TMDB key)")
                problem = f"TMDB answered {response.status_code}"
                if response.status_code != 429 and response.status_code < 500:
                    raise UpstreamError(problem)
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
            delay = self._retry.delay(attempt, retry_after)
            if delay is None:
                raise UpstreamError(problem)
            log.info("%s for %s; retrying in %.2fs", problem, path, delay)
            await asyncio.sleep(delay)

    async def search(
        self, kind: SearchKind, query: str, page: int = 1, language: str | None = None
    ) -> Json:
        params: dict[str, str | int] = {"query": query, "page": page, "include_adult": "false"}
        if language:
            params["language"] = language
        return await self._get(f"/search/{kind}", params)

    async def details(self, media_type: str, tmdb_id: int, language: str | None = None) -> Json:
        """Details with external ids; one call per title per 12 h, shared by concurrent callers."""

        async def load() -> Json:
            params: dict[str, str | int] = {"append_to_response": "external_ids"}
            if language:
                params["language"] = language
            details = await self._get(f"/{media_type}/{tmdb_id}", params)
            return {k: v for k, v in details.items() if k in DETAILS_FIELDS}

        return await self.details_cache.get_or_load((media_type, tmdb_id, language), load)
