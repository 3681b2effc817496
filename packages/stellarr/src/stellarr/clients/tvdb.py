"""TheTVDB v4 client, for the one question TMDB cannot always answer: which series an
episode id belongs to. Pooled, retried; the key and the bearer token never leave it.

v4 logs in with `POST /login {"apikey"}` and answers with a bearer token valid for a month.
The token is renewed well before that (after a day), when the key changes, and once when
TheTVDB answers 401 anyway (a token revoked or expired early).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx

from stellarr.clients.cache import TTLCache
from stellarr.clients.upstream import Json, json_http, json_object, send
from stellarr.domain.errors import NotFound, Unavailable, UpstreamError
from stellarr.domain.media_ids import coerce_id
from stellarr.retry import RetryPolicy, Sleep, retrying
from stellarr.settings import SettingsProvider

DEFAULT_RETRY = RetryPolicy(attempts=3, base_delay=0.5, max_delay=10.0)
TOKEN_LIFETIME_SECONDS = 24 * 3600
# An episode never moves to another series; a day bounds what a corrected id costs.
EPISODE_TTL_SECONDS = 24 * 3600
NOT_CONFIGURED = "TheTVDB is not set up: TVDB_API_KEY is unset"
SERVICE = "TheTVDB"


class TVDBNotConfigured(Unavailable):
    pass


class _Rejected(Exception):
    """TheTVDB said 401 to a token: log in again once, then give up."""

    def __init__(self, token: str) -> None:
        super().__init__("TheTVDB rejected the token")
        self.token = token


class TVDBClient:
    def __init__(
        self,
        base_url: str,
        settings: SettingsProvider,
        *,
        http: httpx.AsyncClient | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        token_lifetime: float = TOKEN_LIFETIME_SECONDS,
        timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._settings = settings
        self._owns_http = http is None
        self._http = http or json_http(timeout, connections=10)
        self._retry = retry
        self._sleep = sleep
        self._clock = clock
        self._token_lifetime = token_lifetime
        # (the key it was issued for, the token, when it was issued)
        self._token: tuple[str, str, float] | None = None
        self._login_lock = asyncio.Lock()
        self.episodes: TTLCache[int, int | None] = TTLCache(EPISODE_TTL_SECONDS, 20_000)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def configured(self) -> bool:
        return bool((await self._settings.get()).tvdb_api_key)

    async def episode_series_id(self, episode_id: int) -> int | None:
        """The TVDB series id of a TVDB episode id; None when TheTVDB has no such episode.
        Raises TVDBNotConfigured without a key, UpstreamError when TheTVDB fails."""
        if coerce_id(episode_id) is None:
            raise ValueError(f"not a TVDB id: {episode_id!r}")

        async def load() -> int | None:
            try:
                body = await self._get(f"/episodes/{episode_id}")
            except NotFound:
                return None
            data = body.get("data")
            series = data.get("seriesId") if isinstance(data, dict) else None
            return series if isinstance(series, int) and series > 0 else None

        return await self.episodes.get_or_load(episode_id, load)

    async def _get(self, path: str) -> Json:
        try:
            return await self._get_with(await self._bearer(), path)
        except _Rejected as rejected:
            await self._forget(rejected.token)
        try:
            return await self._get_with(await self._bearer(), path)
        except _Rejected:
            raise UpstreamError("TheTVDB refused a fresh token (check TVDB_API_KEY)") from None

    async def _get_with(self, token: str, path: str) -> Json:
        url = f"{self.base_url}{path}"

        async def attempt() -> Json:
            headers = {"Authorization": f"Bearer {token}"}
            response = await send(self._http, SERVICE, "GET", url, headers=headers)
            if response.status_code == 401:
                raise _Rejected(token)
            if response.status_code == 404:
                raise NotFound(f"TheTVDB has no {path}")
            return json_object(response, SERVICE)

        return await retrying(attempt, self._retry, what=f"TheTVDB {path}", sleep=self._sleep)

    async def _bearer(self) -> str:
        key = (await self._settings.get()).tvdb_api_key
        if not key:
            raise TVDBNotConfigured(NOT_CONFIGURED)
        current = self._token
        if current is not None and self._fresh(current, key):
            return current[1]
        async with self._login_lock:
            # Whoever waited on the lock finds the token the first caller fetched.
            current = self._token
            if current is not None and self._fresh(current, key):
                return current[1]
            token = await self._login(key)
            self._token = (key, token, self._clock())
            return token

    def _fresh(self, current: tuple[str, str, float], key: str) -> bool:
        issued_for, _, issued_at = current
        return issued_for == key and self._clock() - issued_at < self._token_lifetime

    async def _forget(self, token: str) -> None:
        async with self._login_lock:
            if self._token is not None and self._token[1] == token:
                self._token = None

    async def _login(self, key: str) -> str:
        url = f"{self.base_url}/login"

        async def attempt() -> str:
            response = await send(self._http, SERVICE, "POST", url, json={"apikey": key})
            if response.status_code in (401, 403):
                raise UpstreamError("TheTVDB refused our API key (check TVDB_API_KEY)")
            data = json_object(response, SERVICE).get("data")
            token = data.get("token") if isinstance(data, dict) else None
            if not isinstance(token, str) or not token:
                raise UpstreamError("TheTVDB login answered without a token")
            return token

        return await retrying(attempt, self._retry, what="TheTVDB login", sleep=self._sleep)
