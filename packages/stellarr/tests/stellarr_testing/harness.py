"""An app from the factory per test, driven in-process through httpx's ASGITransport."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI

from stellarr.bootstrap import build_app
from stellarr.clients.tmdb import TMDBClient, TMDBCredentials
from stellarr.clients.webpush import WebPushClient
from stellarr.retry import RetryPolicy
from stellarr.services.container import Services
from stellarr.settings import Config, Settings, StaticSettings
from stellarr.store.ports import Stores
from stellarr_testing.fake_push import trust_context
from stellarr_testing.login import ORIGIN, login_body

USER_PASSWORD = "correct horse battery staple"
ADMIN_PASSWORD = "admin horse battery staple"
SECRET_KEY = "k" * 48


def harness_env(tmdb_url: str, data_dir: str, **overrides: str) -> dict[str, str]:
    env = {
        "APP_SECRET_KEY": SECRET_KEY,
        "PRESHARED_PASSWORD": USER_PASSWORD,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "TMDB_API_KEY": "fake-v3-api-key-0123456789abcdef",
        "TMDB_BASE_URL": tmdb_url,
        "DATABASE_PATH": f"{data_dir}/stellarr.db",
        "ALLOWED_ORIGINS": ORIGIN,
        "ENV_FILE": f"{data_dir}/no.env",
    }
    env.update(overrides)
    return env


@dataclass
class Harness:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings
    tmdb: TMDBClient

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    tokens: dict[tuple[str, str], str] = field(default_factory=dict)
    last_timestamp: int = 2**62
    webpush: WebPushClient | None = None

    async def login(
        self, name: str = "alice", password: str = USER_PASSWORD, **kwargs: Any
    ) -> dict[str, str]:
        """Bearer headers; one real login per (name, password), since a challenge is
        single-use and two logins in the same second would present the same one."""
        token = self.tokens.get((name, password))
        if token is None:
            # Same password, same second, same origin = same challenge: take an earlier second
            # for each login so different people in one test do not look like a replay.
            self.last_timestamp = min(int(time.time()), self.last_timestamp - 1)
            kwargs.setdefault("timestamp", self.last_timestamp)
            response = await self.client.post(
                "/api/auth/verify", json=login_body(password, name, **kwargs)
            )
            assert response.status_code == 200, response.text
            token = self.tokens[(name, password)] = response.json()["token"]
        return {"Authorization": f"Bearer {token}"}

    async def close(self) -> None:
        await self.client.aclose()
        await self.services.close()
        await self.tmdb.aclose()  # given to the app, so not the app's to close
        if self.webpush is not None:
            await self.webpush.aclose()


def make_harness(
    env: Mapping[str, str],
    stores: Stores,
    client_ip: str = "203.0.113.7",
    base_url: str = "http://stellarr.test",
) -> Harness:
    """An app over `stores` (opened by the app, closed by `Harness.close`)."""
    config = Config.from_mapping(env)
    settings = Settings.from_mapping(env)
    provider = StaticSettings(settings)
    tmdb = TMDBClient(
        config.tmdb_base_url,
        TMDBCredentials(provider),
        retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05),
    )
    # Web Push goes to the local push-service stand-in, over TLS verified against the
    # test CA (fake_push) instead of the system's trust store.
    webpush = WebPushClient(verify=trust_context())
    app = build_app(config, provider, stores=stores, tmdb=tmdb, webpush=webpush)
    transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))
    client = httpx.AsyncClient(transport=transport, base_url=base_url)
    return Harness(app, client, settings, tmdb, webpush=webpush)
