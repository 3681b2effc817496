from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from stellarr.clients.tmdb import TMDBClient
from stellarr.services.container import Services
from stellarr.settings import Settings, settings_from_mapping
from stellarr.store.memory import MemoryStore


class Rotating:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def get(self) -> Settings:
        return self.settings

    async def aclose(self) -> None:
        return None


async def test_rotated_tmdb_credentials_reach_the_client(tmp_path: Path) -> None:
    first = settings_from_mapping(
        {"DATABASE_PATH": str(tmp_path / "db"), "APP_SECRET_KEY": "a" * 40, "TMDB_API_KEY": "old"}
    )
    provider = Rotating(first)
    services = Services(provider, MemoryStore())
    await services.current_settings()
    client: TMDBClient = services.tmdb
    assert client.configured and client._api_key == "old"
    provider.settings = replace(first, tmdb_api_key=None, tmdb_read_token="new-token")
    await services.current_settings()
    assert services.tmdb is client
    assert (client._api_key, client._read_token) == (None, "new-token")
    await services.close()
