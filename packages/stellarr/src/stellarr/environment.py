"""What `serve` reads once at start-up: the .env file, and secrets generated on first run.

Nothing here runs again later: a Secrets Manager refresh re-parses the values it already
has and touches no disk.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from stellarr.settings import SettingsError

SECRET_KEY_FILE = "app_secret_key"  # noqa: S105 (a file name)
PASSWORD_FILE = "preshared_password"  # noqa: S105 (a file name)
VAPID_KEY_FILE = "vapid_private_key"


def read_env_file(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines (optional `export`, quotes, # comments) from a .env file."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "it is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else exc.strerror
        raise SettingsError(f"ENV_FILE: cannot read {path}: {reason}") from None
    for raw in text.splitlines():
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


def merged_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The .env file (ENV_FILE, default ./.env) first, real environment variables over it."""
    env = {k: v for k, v in environ.items() if v != ""}
    merged = read_env_file(Path(env.get("ENV_FILE", ".env")))
    merged.update(env)
    return merged


@dataclass(frozen=True)
class LocalSecrets:
    values: dict[str, str]
    password_file: Path | None
    generated_password: bool


def local_secrets(data_dir: Path, env: Mapping[str, str]) -> LocalSecrets:
    """APP_SECRET_KEY, PRESHARED_PASSWORD and VAPID_PRIVATE_KEY for a self-hosted instance:
    the environment's, else the ones kept in the data folder (mode 0600), generated there on
    first run."""
    values: dict[str, str] = {}
    password_file: Path | None = None
    generated = False
    if not env.get("APP_SECRET_KEY"):
        values["APP_SECRET_KEY"], _ = _persisted(
            data_dir / SECRET_KEY_FILE, lambda: secrets.token_urlsafe(48)
        )
    if not env.get("PRESHARED_PASSWORD"):
        password_file = data_dir / PASSWORD_FILE
        values["PRESHARED_PASSWORD"], generated = _persisted(
            password_file, lambda: secrets.token_urlsafe(12)
        )
    if not env.get("VAPID_PRIVATE_KEY"):
        values["VAPID_PRIVATE_KEY"], _ = _persisted(data_dir / VAPID_KEY_FILE, _new_vapid_key)
    return LocalSecrets(values, password_file, generated)


def _new_vapid_key() -> str:
    from stellarr.clients.vapid import VapidKey

    return VapidKey.generate().private_b64


def _persisted(path: Path, make: Callable[[], str]) -> tuple[str, bool]:
    if path.is_file():
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value, False
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value, True
