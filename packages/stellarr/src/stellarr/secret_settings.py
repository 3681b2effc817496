"""Settings whose secrets live in AWS Secrets Manager (`APP_SECRET_ARN`).

The secret is a JSON object (APP_SECRET_KEY, PRESHARED_PASSWORD, TMDB_API_KEY, FEED_TOKEN,
PLEX_WEBHOOK_TOKEN, PLEX_SERVER_NAME, TVDB_API_KEY, VAPID_PRIVATE_KEY, ...); environment
variables override it. It is re-read after a TTL so a rotation takes effect on warm Lambdas
without waiting for a cold start.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Protocol

from stellarr.domain.errors import Unavailable
from stellarr.settings import Settings, SettingsError

log = logging.getLogger(__name__)

SECRET_TTL_SECONDS = 300.0
RETRY_AFTER_FAILURE_SECONDS = 30.0


class SecretSource(Protocol):
    async def get_secret_string(self, secret_id: str) -> str: ...

    async def aclose(self) -> None: ...


class SecretsManagerSettings:
    def __init__(
        self,
        environ: Mapping[str, str],
        secret_id: str,
        source: SecretSource,
        ttl_seconds: float = SECRET_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._environ = {k: v for k, v in environ.items() if v != ""}
        self._secret_id = secret_id
        self._source = source
        self._ttl = ttl_seconds
        self._clock = clock
        self._settings: Settings | None = None
        self._fresh_until = 0.0
        self._lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._source.aclose()

    async def get(self) -> Settings:
        if self._settings is not None and self._clock() < self._fresh_until:
            return self._settings
        async with self._lock:
            if self._settings is None or self._clock() >= self._fresh_until:
                await self._refresh()
        assert self._settings is not None
        return self._settings

    async def _refresh(self) -> None:
        try:
            values = await self._read_secret()
            settings = Settings.from_mapping({**values, **self._environ})
        except (SettingsError, Unavailable) as exc:
            if self._settings is None:
                raise Unavailable(f"Settings unavailable: {exc}") from None
            # Keep serving with the last good settings rather than failing every request.
            log.warning("keeping previous settings; refresh failed: %s", exc)
            self._fresh_until = self._clock() + RETRY_AFTER_FAILURE_SECONDS
            return
        self._settings = settings
        self._fresh_until = self._clock() + self._ttl

    async def _read_secret(self) -> dict[str, str]:
        from stellarr.aws.errors import AwsError

        try:
            raw = await self._source.get_secret_string(self._secret_id)
        except AwsError as exc:
            raise Unavailable(f"Secrets Manager: {exc.code}") from None
        try:
            data = json.loads(raw)
        except ValueError:
            raise Unavailable("the secret is not a JSON object") from None
        if not isinstance(data, dict):
            raise Unavailable("the secret is not a JSON object")
        return {str(k): str(v) for k, v in data.items() if isinstance(v, str | int) and v != ""}
