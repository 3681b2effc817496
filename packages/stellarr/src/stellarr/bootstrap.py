"""The composition root: the one place that reads the environment, picks the adapters and
builds the app. `stellarr serve` and the Lambda handler both go through `configure`, and
tests pass their own stores and clients through `build_app`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from stellarr.environment import LocalSecrets, local_secrets, merged_environment
from stellarr.settings import (
    Config,
    Settings,
    SettingsError,
    SettingsProvider,
    StaticSettings,
)

if TYPE_CHECKING:
    from fastapi import FastAPI

    from stellarr.clients.tmdb import TMDBClient
    from stellarr.clients.webpush import WebPushClient
    from stellarr.services.trending import Destination, Summary
    from stellarr.store.ports import Stores

PACKAGED_STATIC = Path(__file__).parent / "static"
# The web app, built from web/ by `make run` / `make web` (npm run build); git ignores it.
PACKAGED_WEB = PACKAGED_STATIC / "web"


def packaged_ui() -> Path:
    return PACKAGED_WEB


def ui_is_built() -> bool:
    """Read when asked, not at import: a build made while this module is loaded (tests,
    `make web` beside a running shell) counts."""
    return (PACKAGED_WEB / "index.html").is_file()


@dataclass(frozen=True)
class Deployment:
    """Everything read from the environment, validated once."""

    config: Config
    settings: SettingsProvider
    environment: Mapping[str, str]
    # For the admin's console: a generated password, a missing TMDB key, ...
    notices: tuple[str, ...] = ()


def configure(environ: Mapping[str, str]) -> Deployment:
    """Read and validate the whole configuration; SettingsError names what is wrong."""
    env = merged_environment(environ)
    config = Config.from_mapping(env)
    if config.app_secret_arn:
        # Secrets arrive with the first request and are re-read as they rotate.
        from stellarr.aws.errors import AwsConfigError
        from stellarr.aws.secrets import SecretsClient
        from stellarr.secret_settings import SecretsManagerSettings

        try:
            client = SecretsClient.from_env(env)
        except AwsConfigError as exc:
            raise SettingsError(str(exc)) from None
        return Deployment(config, SecretsManagerSettings(env, config.app_secret_arn, client), env)
    notices: list[str] = []
    values = dict(env)
    if config.store == "sqlite":
        check_data_folder(config.data_dir)
        local = local_secrets(config.data_dir, env)
        values.update(local.values)
        notices += _password_notice(local)
    settings = Settings.from_mapping(values)
    from stellarr.services.push import push_setup_problem

    push_problem = push_setup_problem(settings)
    if push_problem is not None:
        notices.append(f"Web push notifications are off until you {push_problem}.")
    if not settings.tmdb_configured:
        notices.append(
            "TMDB is not configured: set TMDB_READ_TOKEN (or TMDB_API_KEY) and restart. "
            "Until then search tells people it is not set up yet."
        )
    return Deployment(config, StaticSettings(settings), env, tuple(notices))


def check_data_folder(folder: Path) -> None:
    """The data folder must exist (created 0700) and take writes by this user."""
    try:
        if not folder.exists():
            folder.mkdir(mode=0o700, parents=True)
        probe = folder / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SettingsError(
            f"DATABASE_PATH: the data folder {folder} cannot be created or written ({reason}); "
            "choose another DATABASE_PATH or fix the folder's owner and permissions"
        ) from None


def _password_notice(local: LocalSecrets) -> list[str]:
    if local.generated_password:
        return [
            "Stellarr generated a shared password for this installation:\n\n"
            f"      {local.values['PRESHARED_PASSWORD']}\n\n"
            f"  It is kept in {local.password_file}. Set PRESHARED_PASSWORD to choose your own."
        ]
    if local.password_file is not None:
        return [f"Shared password: see {local.password_file}"]
    return []


def build_stores(config: Config, environ: Mapping[str, str]) -> Stores:
    # Imported here so the SQLite path never loads the AWS client (and vice versa).
    if config.store == "dynamodb":
        from stellarr.store.dynamodb import DynamoDBTable, dynamodb_stores

        assert config.dynamodb_table is not None  # Config refuses dynamodb without one
        return dynamodb_stores(DynamoDBTable.from_env(config.dynamodb_table, environ))
    from stellarr.store.sqlite import sqlite_stores

    return sqlite_stores(config.database_path)


def build_app(
    config: Config,
    settings: SettingsProvider,
    *,
    stores: Stores | None = None,
    tmdb: TMDBClient | None = None,
    webpush: WebPushClient | None = None,
    environ: Mapping[str, str] | None = None,
    schedule_trending: bool = False,
    detach_background: bool = False,
) -> FastAPI:
    from stellarr.app import create_app
    from stellarr.services.container import Services

    stores = stores or build_stores(config, os.environ if environ is None else environ)
    services = Services(
        config, settings, stores, tmdb, webpush, detach_background=detach_background
    )
    return create_app(
        services, config.static_dir or packaged_ui(), schedule_trending=schedule_trending
    )


def app_from_environment(environ: Mapping[str, str]) -> FastAPI:
    deployment = configure(environ)
    return build_app(deployment.config, deployment.settings, environ=deployment.environment)


async def warm_trending(deployment: Deployment) -> Summary:
    """One trending run, as `stellarr warm-trending` and the Lambda `cache_warmer` make it:
    TMDB through the deployment's settings; S3 when TRENDING_S3_BUCKET is set, else the
    data folder. Everything it opens is closed before it returns."""
    from stellarr.clients.tmdb import TMDBClient, TMDBCredentials
    from stellarr.logs import install_scrubbing
    from stellarr.services.trending import TrendingWarmer

    install_scrubbing()  # on Lambda the log handler is the runtime's, not ours
    config = deployment.config
    async with AsyncExitStack() as stack:
        stack.push_async_callback(deployment.settings.aclose)
        destination = _trending_destination(config, deployment.environment, stack)
        tmdb = TMDBClient(config.tmdb_base_url, TMDBCredentials(deployment.settings))
        stack.push_async_callback(tmdb.aclose)
        return await TrendingWarmer.for_config(tmdb, destination, config).run()


def _trending_destination(
    config: Config, environ: Mapping[str, str], stack: AsyncExitStack
) -> Destination:
    from stellarr.services.trending_destinations import LocalFolder, S3Bucket

    if config.trending_s3_bucket is None:
        return LocalFolder(config.trending_dir)
    from stellarr.aws.errors import AwsConfigError
    from stellarr.aws.s3 import S3Client

    try:
        client = S3Client.from_env(environ)
    except AwsConfigError as exc:
        raise SettingsError(str(exc)) from None
    stack.push_async_callback(client.aclose)
    return S3Bucket(client, config.trending_s3_bucket)
