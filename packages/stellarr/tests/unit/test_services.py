"""The services container: credentials read per request, closing final and total."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from stellarr.domain.errors import StoreError, TMDBNotConfigured
from stellarr.services.container import Services, ServicesClosed
from stellarr.settings import Config, Settings
from stellarr_testing.fake_tmdb import API_KEY, READ_TOKEN, FakeTMDB
from stellarr_testing.memory_store import MemoryDatabase, memory_stores

SETTINGS = Settings(app_secret_key="a" * 40, preshared_password="pw-for-tests")


class Rotating:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.closed = 0

    async def get(self) -> Settings:
        return self.settings

    async def aclose(self) -> None:
        self.closed += 1


async def test_rotated_tmdb_credentials_apply_to_the_next_request(fake_tmdb: FakeTMDB) -> None:
    provider = Rotating(replace(SETTINGS, tmdb_api_key=API_KEY))
    config = Config(tmdb_base_url=fake_tmdb.url)
    services = Services(config, provider, memory_stores())
    try:
        # No "load settings first" rule: the client is usable as soon as it exists.
        await services.tmdb.search("movie", "matrix")
        provider.settings = replace(SETTINGS, tmdb_read_token=READ_TOKEN)
        await services.tmdb.search("movie", "alien")
        provider.settings = SETTINGS
        with pytest.raises(TMDBNotConfigured, match="not set up yet"):
            await services.tmdb.search("movie", "heat")
    finally:
        await services.close()
    first, second = fake_tmdb.calls("/3/search/movie")
    assert first.query.get("api_key") == [API_KEY] and "Authorization" not in first.headers
    assert second.headers["Authorization"] == f"Bearer {READ_TOKEN}"
    assert "api_key" not in second.query


class FailingDatabase(MemoryDatabase):
    async def close(self) -> None:
        raise StoreError("close failed")


async def test_closing_closes_everything_even_when_one_part_fails(tmp_path: Path) -> None:
    provider = Rotating(SETTINGS)
    stores = memory_stores()
    stores = replace(stores, database=FailingDatabase())
    services = Services(Config(), provider, stores)
    await services.ready()
    client = services.tmdb
    with pytest.raises(StoreError):
        await services.close()
    assert provider.closed == 1
    assert client._http.is_closed


async def test_closing_is_final(tmp_path: Path) -> None:
    services = Services(Config(), Rotating(SETTINGS), memory_stores())
    await services.ready()
    await services.close()
    with pytest.raises(ServicesClosed):
        await services.ready()


def test_building_the_services_loads_no_notification_library() -> None:
    """cryptography lives in the Lambda layer and Apprise is big: a warmed or SnapStart
    instance builds every service, so they load with the first notification, not before."""
    import subprocess
    import sys

    script = """
import sys
from stellarr.services.container import Services
from stellarr.settings import Config, Settings, StaticSettings
from stellarr_testing.memory_store import memory_stores
settings = Settings(app_secret_key="a" * 40, preshared_password="pw-for-tests")
services = Services(Config(), StaticSettings(settings), memory_stores())
for name in ("media_requests", "fulfilment", "show_ids", "search", "push", "notifier"):
    getattr(services, name)
heavy = ("cryptography", "http_ece", "py_vapid", "apprise", "requests", "plexapi")
print(sorted(m for m in heavy if m in sys.modules))
"""
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert run.stdout.strip() == "[]", run.stderr
