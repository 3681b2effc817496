"""The composition root: picks the Store and clients from settings, then builds the app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from stellarr.app import create_app
from stellarr.clients.tmdb import TMDBClient
from stellarr.services.container import Services
from stellarr.settings import Settings, SettingsProvider, StaticSettings
from stellarr.store.base import Store

PACKAGED_UI = Path(__file__).parent / "static"


def build_store(settings: Settings) -> Store:
    if settings.store == "dynamodb":
        # Imported here so the SQLite path never loads the AWS client (and vice versa).
        from stellarr.store.dynamodb import DynamoDBStore

        assert settings.dynamodb_table is not None
        return DynamoDBStore.from_env(settings.dynamodb_table)
    from stellarr.store.sqlite import SQLiteStore

    return SQLiteStore(settings.database_path)


def build_tmdb(settings: Settings) -> TMDBClient:
    return TMDBClient(
        settings.tmdb_base_url,
        api_key=settings.tmdb_api_key,
        read_token=settings.tmdb_read_token,
    )


def build_app(
    settings: Settings,
    *,
    provider: SettingsProvider | None = None,
    store: Store | None = None,
    tmdb: TMDBClient | None = None,
) -> FastAPI:
    services = Services.build(
        provider or StaticSettings(settings),
        store or build_store(settings),
        tmdb or build_tmdb(settings),
    )
    return create_app(services, settings.static_dir or PACKAGED_UI)
