"""One Settings object, read from the environment and an optional .env file, validated once.

Missing secrets are generated on first run and kept in the data folder (mode 0600); weak
placeholders are refused with a clear error instead of being used.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

WEAK_SECRETS = frozenset({"change-me-in-production", "changeme", "change-me", "secret", "password"})
MIN_SECRET_KEY_LENGTH = 32
SECRET_KEY_FILE = "app_secret_key"  # noqa: S105 (a file name)
PASSWORD_FILE = "preshared_password"  # noqa: S105 (a file name)

# Every variable Stellarr reads; docs/configuration.md documents each (a test checks).
KNOWN_VARIABLES = (
    "APP_SECRET_KEY",
    "PRESHARED_PASSWORD",
    "ADMIN_PASSWORD",
    "TMDB_API_KEY",
    "TMDB_READ_TOKEN",
    "TMDB_BASE_URL",
    "TVDB_API_KEY",
    "TVDB_BASE_URL",
    "FEED_TOKEN",
    "PLEX_WEBHOOK_TOKEN",
    "PLEX_SERVER_NAME",
    "DATABASE_PATH",
    "PUBLIC_URL",
    "ALLOWED_ORIGINS",
    "TRUSTED_PROXIES",
    "RATE_LIMIT_MAX_ATTEMPTS",
    "RATE_LIMIT_WINDOW_SECONDS",
    "STORE",
    "DYNAMODB_TABLE",
    "STATIC_DIR",
    "LOG_LEVEL",
    "ENV_FILE",
    # AWS (read by stellarr.aws and secret_settings)
    "APP_SECRET_ARN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "DYNAMODB_ENDPOINT_URL",
    "S3_ENDPOINT_URL",
    "SECRETS_ENDPOINT_URL",
)


class SettingsError(ValueError):
    """Configuration that Stellarr refuses to start with; the message says how to fix it."""


@dataclass(frozen=True)
class Settings:
    app_secret_key: str
    preshared_password: str
    admin_password: str | None = None
    tmdb_api_key: str | None = field(default=None, repr=False)
    tmdb_read_token: str | None = field(default=None, repr=False)
    tmdb_base_url: str = "https://api.themoviedb.org/3"
    tvdb_api_key: str | None = field(default=None, repr=False)
    tvdb_base_url: str = "https://api4.thetvdb.com/v4"
    feed_token: str | None = None
    plex_webhook_token: str | None = None
    plex_server_name: str | None = None
    database_path: Path = Path("data/stellarr.db")
    public_url: str | None = None
    allowed_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    rate_limit_max_attempts: int = 5
    rate_limit_window_seconds: int = 900
    store: str = "sqlite"
    dynamodb_table: str | None = None
    static_dir: Path | None = None
    log_level: str = "INFO"
    generated_password: bool = field(default=False, compare=False)
    password_file: Path | None = field(default=None, compare=False)

    def __repr__(self) -> str:  # secrets must never reach a log line through repr()
        return f"Settings(store={self.store!r}, database_path={str(self.database_path)!r})"

    @property
    def data_dir(self) -> Path:
        return self.database_path.parent

    def login_origins(self) -> tuple[str, ...]:
        """Origins accepted at login; empty means 'the origin the request arrived on'."""
        if self.allowed_origins:
            return self.allowed_origins
        if self.public_url:
            return (normalize_origin(self.public_url),)
        return ()


class SettingsProvider(Protocol):
    """Where the app gets its settings; a rotating secret source refreshes behind this."""

    async def get(self) -> Settings: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class StaticSettings:
    settings: Settings

    async def get(self) -> Settings:
        return self.settings

    async def aclose(self) -> None:
        return None


def normalize_origin(value: str) -> str:
    return value.strip().rstrip("/").lower()


def read_env_file(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines (optional `export`, quotes, # comments) from a .env file."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        else:
            value = value.split(" #", 1)[0].strip()
        values[key.strip()] = value
    return values


def merged_environment(
    environ: Mapping[str, str] | None = None, env_file: Path | None = None
) -> dict[str, str]:
    """The .env file first, real environment variables over it."""
    env = dict(os.environ if environ is None else environ)
    path = env_file or Path(env.get("ENV_FILE", ".env"))
    merged = read_env_file(path)
    merged.update({k: v for k, v in env.items() if v != ""})
    return merged


def _persisted_secret(data_dir: Path, name: str, make: Callable[[], str]) -> tuple[str, bool]:
    path = data_dir / name
    if path.is_file():
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value, False
    data_dir.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value, True


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}")
    return value


def _networks(raw: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    nets = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        try:
            nets.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise SettingsError(f"TRUSTED_PROXIES: {part!r} is not an IP address or CIDR") from None
    return tuple(nets)


def _check_secret_key(key: str) -> None:
    if key.lower() in WEAK_SECRETS or len(key) < MIN_SECRET_KEY_LENGTH:
        raise SettingsError(
            "APP_SECRET_KEY is too weak: use at least 32 random characters "
            "(for example `python -c 'import secrets; print(secrets.token_urlsafe(48))'`), "
            "or unset it to have one generated in the data folder."
        )


def _check_password(name: str, value: str) -> None:
    if value.lower() in WEAK_SECRETS:
        raise SettingsError(f"{name} is a known placeholder ({value!r}); choose a real password.")


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = None
) -> Settings:
    env = merged_environment(environ, env_file)
    return settings_from_mapping(env)


def settings_from_mapping(env: Mapping[str, str]) -> Settings:
    database_path = Path(env.get("DATABASE_PATH", "data/stellarr.db"))
    data_dir = database_path.parent
    store = env.get("STORE", "sqlite").lower()
    if store not in {"sqlite", "dynamodb"}:
        raise SettingsError(f"STORE must be 'sqlite' or 'dynamodb', got {store!r}")
    if store == "dynamodb" and not env.get("DYNAMODB_TABLE"):
        raise SettingsError("STORE=dynamodb needs DYNAMODB_TABLE")

    secret_key = env.get("APP_SECRET_KEY")
    if secret_key is None:
        if store == "dynamodb":
            raise SettingsError("APP_SECRET_KEY is required with STORE=dynamodb (no data folder)")
        secret_key, _ = _persisted_secret(
            data_dir, SECRET_KEY_FILE, lambda: secrets.token_urlsafe(48)
        )
    _check_secret_key(secret_key)

    password = env.get("PRESHARED_PASSWORD")
    generated = False
    password_file = None
    if password is None:
        password_file = data_dir / PASSWORD_FILE
        if store == "dynamodb":
            raise SettingsError("PRESHARED_PASSWORD is required with STORE=dynamodb")
        password, generated = _persisted_secret(
            data_dir, PASSWORD_FILE, lambda: secrets.token_urlsafe(12)
        )
    _check_password("PRESHARED_PASSWORD", password)
    admin = env.get("ADMIN_PASSWORD")
    if admin is not None:
        _check_password("ADMIN_PASSWORD", admin)
        if admin == password:
            raise SettingsError("ADMIN_PASSWORD must differ from PRESHARED_PASSWORD")

    origins = tuple(
        normalize_origin(o) for o in env.get("ALLOWED_ORIGINS", "").split(",") if o.strip()
    )
    static_dir = env.get("STATIC_DIR")
    return Settings(
        app_secret_key=secret_key,
        preshared_password=password,
        admin_password=admin,
        tmdb_api_key=env.get("TMDB_API_KEY"),
        tmdb_read_token=env.get("TMDB_READ_TOKEN"),
        tmdb_base_url=env.get("TMDB_BASE_URL", "https://api.themoviedb.org/3").rstrip("/"),
        tvdb_api_key=env.get("TVDB_API_KEY"),
        tvdb_base_url=env.get("TVDB_BASE_URL", "https://api4.thetvdb.com/v4").rstrip("/"),
        feed_token=env.get("FEED_TOKEN"),
        plex_webhook_token=env.get("PLEX_WEBHOOK_TOKEN"),
        plex_server_name=env.get("PLEX_SERVER_NAME"),
        database_path=database_path,
        public_url=env.get("PUBLIC_URL", "").rstrip("/") or None,
        allowed_origins=origins,
        trusted_proxies=_networks(env.get("TRUSTED_PROXIES", "")),
        rate_limit_max_attempts=_int(env, "RATE_LIMIT_MAX_ATTEMPTS", 5),
        rate_limit_window_seconds=_int(env, "RATE_LIMIT_WINDOW_SECONDS", 900),
        store=store,
        dynamodb_table=env.get("DYNAMODB_TABLE"),
        static_dir=Path(static_dir) if static_dir else None,
        log_level=env.get("LOG_LEVEL", "INFO").upper(),
        generated_password=generated,
        password_file=password_file,
    )
