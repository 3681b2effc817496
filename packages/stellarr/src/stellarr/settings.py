"""Every setting, declared once: its variable, type, default and parser are one field.

Two objects come out of the environment:
- `Config`: how this process is deployed (store, paths, upstream URLs, log level). Read
  once at start-up; never changes while the process lives.
- `Settings`: secrets and policy (passwords, keys, tokens, origins, limits). They may come
  from a Secrets Manager secret and change when it rotates.

The list of known variables and the documentation check are generated from these fields.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar
from urllib.parse import urlsplit

from stellarr.aws.credentials import AWS_VARIABLES
from stellarr.domain.models import Monitor
from stellarr.domain.p256 import canonical_scalar
from stellarr.domain.push_endpoint import (
    DEFAULT_HOST_PATTERNS,
    HostPattern,
    parse_host_patterns,
)

WEAK_SECRETS = frozenset({"change-me-in-production", "changeme", "change-me", "secret", "password"})
MIN_SECRET_KEY_LENGTH = 32
MIN_URL_TOKEN_LENGTH = 16
URL_TOKEN = re.compile(r"[A-Za-z0-9._~-]+")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Two letters only: the web UI picks a trending file by the browser's language subtag, and
# each name becomes part of a file name and a URL.
LOCALE = re.compile(r"[a-z]{2}")
S3_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# TMDB keeps 500 trending pages; five (100 titles a list) is more than a home page shows.
MAX_TRENDING_PAGES = 5

T = TypeVar("T")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(ValueError):
    """Configuration that Stellarr refuses to start with; the message names the variable
    and says how to fix it."""


def setting(variable: str, default: Any = None, parse: Callable[[str], Any] = str) -> Any:
    """A dataclass field read from `variable`; `parse` raises ValueError on bad input."""
    return field(default=default, metadata={"variable": variable, "parse": parse})


def secret(variable: str, default: Any = None, parse: Callable[[str], Any] = str) -> Any:
    """A setting that repr() never shows."""
    return field(default=default, repr=False, metadata={"variable": variable, "parse": parse})


# parsers: each raises ValueError with what is wrong; the caller names the variable --------
def origin_of(url: str) -> str:
    """`scheme://host[:port]`, lower-cased: what a browser sends as Origin."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"{url.strip()!r} is not an http(s) URL (like https://stellarr.example.com)"
        )
    return f"{parts.scheme}://{parts.netloc}".lower()


def _public_url(raw: str) -> str:
    origin_of(raw)
    return raw.strip().rstrip("/")


def _origins(raw: str) -> tuple[str, ...]:
    return tuple(origin_of(part) for part in raw.split(",") if part.strip())


def _networks(raw: str) -> tuple[Network, ...]:
    nets = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        try:
            nets.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{part!r} is not an IP address or CIDR") from None
    return tuple(nets)


def _whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"must be a whole number, got {raw!r}") from None
        if value < minimum:
            raise ValueError(f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise ValueError(f"must be at most {maximum}")
        return value

    return parse


def _seconds(minimum: float, maximum: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"must be a number of seconds, got {raw!r}") from None
        if not minimum <= value <= maximum:
            raise ValueError(f"must be from {minimum:g} to {maximum:g} seconds")
        return value

    return parse


def _locales(raw: str) -> tuple[str, ...]:
    values = tuple(dict.fromkeys(part.strip().lower() for part in raw.split(",") if part.strip()))
    for value in values:
        if not LOCALE.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a two-letter language code (ISO 639-1, like en or de)"
            )
    if not values:
        raise ValueError("must name at least one language, like en,es,fr,de")
    return values


def _bucket(raw: str) -> str:
    value = raw.strip()
    if not S3_BUCKET.fullmatch(value) or ".." in value:
        raise ValueError(f"{value!r} is not an S3 bucket name")
    return value


def _one_of(*choices: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}; got {raw!r}")
        return value

    return parse


def _season_lists(raw: str) -> tuple[Monitor, ...]:
    """The Sonarr lists, beside the plain one, that the admin has added in Sonarr."""
    offered = [m.value for m in Monitor if m is not Monitor.ALL]
    values: list[Monitor] = []
    for part in filter(None, (p.strip().lower() for p in raw.split(","))):
        if part not in offered:
            raise ValueError(
                f"names {part!r}; each entry must be one of {', '.join(offered)} "
                "(the plain /list/sonarr takes every show requested whole)"
            )
        if Monitor(part) not in values:
            values.append(Monitor(part))
    return tuple(sorted(values, key=list(Monitor).index))


def _log_level(raw: str) -> str:
    value = raw.strip().upper()
    if value not in LOG_LEVELS:
        raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}; got {raw!r}")
    return value


def _base_url(raw: str) -> str:
    origin_of(raw)
    return raw.strip().rstrip("/")


# Push and notifications --------------------------------------------------------------
_MAILTO = re.compile(r"mailto:[^@\s]+@([^@\s]+\.[^@\s]+)", re.IGNORECASE)
# Apprise's own rule: a delimiter run ends a URL only where another `schema://` follows,
# so commas inside one URL's query (`?to=a@x,b@x`) stay in it.
_NOTIFY_SPLIT = re.compile(r"[\s,;]+(?=[A-Za-z0-9+]{1,32}://)")
_NOTIFY_URL = re.compile(r"[A-Za-z0-9+]{1,32}://\S+")


def _vapid_key(raw: str) -> str:
    scalar = canonical_scalar(raw)
    if scalar is not None:
        return scalar
    from stellarr.clients.vapid import parse_private_key

    return parse_private_key(raw)


def _vapid_subject(raw: str) -> str:
    value = raw.strip()
    mail = _MAILTO.fullmatch(value)
    parts = urlsplit(value)
    host = mail.group(1) if mail else parts.hostname if parts.scheme == "https" else None
    if not host:
        raise ValueError(
            "must be a mailto: address or an https: URL of the person running Stellarr, "
            "like mailto:admin@example.com"
        )
    if host.lower() == "localhost":
        raise ValueError("must name a real contact: push services refuse localhost")
    return value


def _notify_urls(raw: str) -> tuple[str, ...]:
    urls = tuple(
        url for url in (part.strip(" ,;") for part in _NOTIFY_SPLIT.split(raw.strip())) if url
    )
    for number, url in enumerate(urls, 1):
        if not _NOTIFY_URL.fullmatch(url):
            # The position only: the value may hold a token.
            raise ValueError(f"entry {number} is not an Apprise URL (like ntfy://ntfy.sh/my-topic)")
    return urls


def _origin_secret(raw: str) -> str:
    """A header value the CDN adds to every request: long, random, and plain enough for any
    CDN's header field (letters, digits and `-_.~`). The value is never echoed."""
    value = raw.strip()
    if len(value) < MIN_SECRET_KEY_LENGTH or value.lower() in WEAK_SECRETS:
        raise ValueError(
            f"is too weak: use at least {MIN_SECRET_KEY_LENGTH} random characters "
            "(for example `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
        )
    if not URL_TOKEN.fullmatch(value):
        raise ValueError("may only hold letters, digits, '-', '_', '.' and '~'")
    return value


def parse_fields(cls: type[T], env: Mapping[str, str]) -> T:
    values: dict[str, Any] = {}
    for spec in fields(cls):  # type: ignore[arg-type]
        variable = spec.metadata["variable"]
        raw = env.get(variable)
        if raw is None or raw == "":
            continue
        try:
            values[spec.name] = spec.metadata["parse"](raw)
        except ValueError as exc:
            raise SettingsError(f"{variable} {exc}") from None
    return cls(**values)


def _check_url_token(token: str | None) -> None:
    """PLEX_WEBHOOK_TOKEN can empty the library (`/sync/library?clear=true`), and it is
    pasted into a URL, where `+`, `&` or `#` would silently change it."""
    if token is None:
        return
    if token.lower() in WEAK_SECRETS or len(token) < MIN_URL_TOKEN_LENGTH:
        raise SettingsError(
            f"PLEX_WEBHOOK_TOKEN is too weak: use at least {MIN_URL_TOKEN_LENGTH} random "
            "characters (for example "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
        )
    if not URL_TOKEN.fullmatch(token):
        raise SettingsError(
            "PLEX_WEBHOOK_TOKEN may only hold letters, digits, '-', '_', '.' and '~' "
            "(it travels in a URL); `secrets.token_urlsafe(32)` makes one"
        )


@dataclass(frozen=True)
class Config:
    store: str = setting("STORE", "sqlite", _one_of("sqlite", "dynamodb"))
    database_path: Path = setting("DATABASE_PATH", Path("data/stellarr.db"), Path)
    dynamodb_table: str | None = setting("DYNAMODB_TABLE")
    static_dir: Path | None = setting("STATIC_DIR", None, Path)
    log_level: str = setting("LOG_LEVEL", "INFO", _log_level)
    env_file: Path = setting("ENV_FILE", Path(".env"), Path)
    app_secret_arn: str | None = setting("APP_SECRET_ARN")
    tmdb_base_url: str = setting("TMDB_BASE_URL", "https://api.themoviedb.org/3", _base_url)
    tvdb_base_url: str = setting("TVDB_BASE_URL", "https://api4.thetvdb.com/v4", _base_url)
    trending_locales: tuple[str, ...] = setting(
        "TRENDING_LOCALES", ("en", "es", "fr", "de"), _locales
    )
    trending_pages: int = setting("TRENDING_PAGES", 1, _whole_number(1, MAX_TRENDING_PAGES))
    trending_s3_bucket: str | None = setting("TRENDING_S3_BUCKET", None, _bucket)
    # `stellarr serve` only (stellarr.server): a silent connection must not hold a descriptor.
    request_head_timeout: float = setting("REQUEST_HEAD_TIMEOUT_SECONDS", 5.0, _seconds(0.1, 300))
    max_connections: int | None = setting("MAX_CONNECTIONS", None, _whole_number(1))

    def __post_init__(self) -> None:
        if self.store == "dynamodb" and not self.dynamodb_table:
            raise SettingsError("DYNAMODB_TABLE must be set with STORE=dynamodb")

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> Self:
        return parse_fields(cls, env)

    @property
    def data_dir(self) -> Path:
        return self.database_path.parent

    @property
    def trending_dir(self) -> Path:
        return self.data_dir / "trending"


@dataclass(frozen=True)
class Settings:
    app_secret_key: str = secret("APP_SECRET_KEY")
    preshared_password: str = secret("PRESHARED_PASSWORD")
    admin_password: str | None = secret("ADMIN_PASSWORD")
    tmdb_api_key: str | None = secret("TMDB_API_KEY")
    tmdb_read_token: str | None = secret("TMDB_READ_TOKEN")
    tvdb_api_key: str | None = secret("TVDB_API_KEY")
    feed_token: str | None = secret("FEED_TOKEN")
    plex_webhook_token: str | None = secret("PLEX_WEBHOOK_TOKEN")
    plex_server_name: str | None = setting("PLEX_SERVER_NAME")
    plex_server_uuid: str | None = setting("PLEX_SERVER_UUID")
    public_url: str | None = setting("PUBLIC_URL", None, _public_url)
    # Empty: shows are requested whole and every one is on /list/sonarr, as before seasons.
    sonarr_season_lists: tuple[Monitor, ...] = setting("SONARR_SEASON_LISTS", (), _season_lists)
    allowed_origins: tuple[str, ...] = setting("ALLOWED_ORIGINS", (), _origins)
    trusted_proxies: tuple[Network, ...] = setting("TRUSTED_PROXIES", (), _networks)
    rate_limit_max_attempts: int = setting("RATE_LIMIT_MAX_ATTEMPTS", 5, _whole_number(1))
    rate_limit_window_seconds: int = setting("RATE_LIMIT_WINDOW_SECONDS", 900, _whole_number(1))
    vapid_private_key: str | None = secret("VAPID_PRIVATE_KEY", None, _vapid_key)
    vapid_subject: str | None = setting("VAPID_SUBJECT", None, _vapid_subject)
    push_allowed_hosts: tuple[HostPattern, ...] = setting(
        "PUSH_ALLOWED_HOSTS", DEFAULT_HOST_PATTERNS, parse_host_patterns
    )
    # Secret too: Apprise URLs carry tokens and passwords.
    notify_urls: tuple[str, ...] = secret("NOTIFY_URLS", (), _notify_urls)
    # The X-Origin-Verify value the CDN adds (stellarr.api.origin_verify); the previous one
    # stays accepted while a rotation reaches every edge server.
    origin_verify_secret: str | None = secret("ORIGIN_VERIFY_SECRET", None, _origin_secret)
    origin_verify_secret_previous: str | None = secret(
        "ORIGIN_VERIFY_SECRET_PREVIOUS", None, _origin_secret
    )

    def __post_init__(self) -> None:
        key = self.app_secret_key
        if not key:
            raise SettingsError("APP_SECRET_KEY is not set")
        if key.lower() in WEAK_SECRETS or len(key) < MIN_SECRET_KEY_LENGTH:
            raise SettingsError(
                "APP_SECRET_KEY is too weak: use at least 32 random characters "
                "(for example `python -c 'import secrets; print(secrets.token_urlsafe(48))'`), "
                "or unset it to have one generated in the data folder."
            )
        if not self.preshared_password:
            raise SettingsError("PRESHARED_PASSWORD is not set")
        for name, value in (
            ("PRESHARED_PASSWORD", self.preshared_password),
            ("ADMIN_PASSWORD", self.admin_password),
        ):
            if value is not None and value.lower() in WEAK_SECRETS:
                raise SettingsError(f"{name} is a known placeholder ({value!r}); choose another.")
        if self.admin_password == self.preshared_password:
            raise SettingsError("ADMIN_PASSWORD must differ from PRESHARED_PASSWORD")
        _check_url_token(self.plex_webhook_token)
        if self.origin_verify_secret_previous and not self.origin_verify_secret:
            raise SettingsError(
                "ORIGIN_VERIFY_SECRET_PREVIOUS is set without ORIGIN_VERIFY_SECRET: set the "
                "new value as ORIGIN_VERIFY_SECRET (the previous one is only kept during a "
                "rotation)"
            )

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> Self:
        return parse_fields(cls, env)

    def login_origins(self) -> tuple[str, ...]:
        """Origins accepted at login; empty means 'the origin the request arrived on'."""
        if self.allowed_origins:
            return self.allowed_origins
        if self.public_url:
            return (origin_of(self.public_url),)
        return ()

    @property
    def season_choices(self) -> tuple[Monitor, ...]:
        """What a requester may pick for a show; none when the choice is off."""
        return (Monitor.ALL, *self.sonarr_season_lists) if self.sonarr_season_lists else ()

    @property
    def tmdb_configured(self) -> bool:
        return bool(self.tmdb_api_key or self.tmdb_read_token)

    @property
    def origin_verify_values(self) -> tuple[str, ...]:
        """The X-Origin-Verify values accepted now: none means the check is off."""
        return tuple(
            value
            for value in (self.origin_verify_secret, self.origin_verify_secret_previous)
            if value
        )


def _variables(cls: type) -> tuple[str, ...]:
    return tuple(spec.metadata["variable"] for spec in fields(cls))


CONFIG_VARIABLES = _variables(Config)
SETTINGS_VARIABLES = _variables(Settings)
# Every variable Stellarr reads; docs/configuration.md documents exactly these (a test checks).
KNOWN_VARIABLES = CONFIG_VARIABLES + SETTINGS_VARIABLES + AWS_VARIABLES


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
