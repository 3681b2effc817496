"""The composition root: picks the Store and the settings source, then builds the app."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from stellarr.app import create_app
from stellarr.services.container import Services
from stellarr.settings import Settings, SettingsProvider, StaticSettings, load_settings
from stellarr.store.base import Store

if TYPE_CHECKING:
    from fastapi import FastAPI

    from stellarr.clients.tmdb import TMDBClient

PACKAGED_UI = Path(__file__).parent / "static"


def build_store(kind: str, *, database_path: Path, table: str | None) -> Store:
    if kind == "dynamodb":
        # Imported here so the SQLite path never loads the AWS client (and vice versa).
        import os

        from stellarr.store.dynamodb import DynamoDBStore

        if not table:
            raise ValueError("STORE=dynamodb needs DYNAMODB_TABLE")
        return DynamoDBStore.from_env(table, os.environ)
    from stellarr.store.sqlite import SQLiteStore

    return SQLiteStore(database_path)


def build_app(
    settings: Settings,
    *,
    provider: SettingsProvider | None = None,
    store: Store | None = None,
    tmdb: TMDBClient | None = None,
) -> FastAPI:
    store = store or build_store(
        settings.store, database_path=settings.database_path, table=settings.dynamodb_table
    )
    services = Services(provider or StaticSettings(settings), store, tmdb)
    return create_app(services, settings.static_dir or PACKAGED_UI)


def build_app_from_environment(environ: Mapping[str, str]) -> FastAPI:
    """What `serve` and the Lambda handler run: settings from the environment, `.env`, and
    (when APP_SECRET_ARN is set) a Secrets Manager secret re-read every few minutes."""
    secret_id = environ.get("APP_SECRET_ARN")
    if not secret_id:
        return build_app(load_settings(environ))
    from stellarr.aws.secrets import SecretsClient
    from stellarr.secret_settings import SecretsManagerSettings

    provider = SecretsManagerSettings(environ, secret_id, SecretsClient.from_env(environ))
    store = build_store(
        environ.get("STORE", "sqlite").lower(),
        database_path=Path(environ.get("DATABASE_PATH", "data/stellarr.db")),
        table=environ.get("DYNAMODB_TABLE"),
    )
    static = environ.get("STATIC_DIR")
    # Secrets arrive with the first request; TMDB is configured from them then.
    return create_app(Services(provider, store), Path(static) if static else None)
