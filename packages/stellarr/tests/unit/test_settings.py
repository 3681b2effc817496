import re
import stat
from pathlib import Path

import pytest

from stellarr.settings import KNOWN_VARIABLES, SettingsError, load_settings, settings_from_mapping
from stellarr_testing import paths

DOCS = paths.DOCS / "configuration.md"
STRONG = "s" * 40


def env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"DATABASE_PATH": str(tmp_path / "data" / "stellarr.db"), **values}


def test_generates_and_persists_missing_secrets(tmp_path: Path) -> None:
    first = settings_from_mapping(env(tmp_path))
    assert first.generated_password and len(first.app_secret_key) >= 32
    secret_file = tmp_path / "data" / "app_secret_key"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    second = settings_from_mapping(env(tmp_path))
    assert not second.generated_password
    assert (second.app_secret_key, second.preshared_password) == (
        first.app_secret_key,
        first.preshared_password,
    )


@pytest.mark.parametrize(
    "values",
    [
        {"APP_SECRET_KEY": "change-me-in-production"},
        {"APP_SECRET_KEY": "changeme"},
        {"APP_SECRET_KEY": "short-but-random-31-characters!"},
        {"APP_SECRET_KEY": STRONG, "PRESHARED_PASSWORD": "changeme"},
        {"APP_SECRET_KEY": STRONG, "PRESHARED_PASSWORD": "pw1", "ADMIN_PASSWORD": "pw1"},
        {"APP_SECRET_KEY": STRONG, "RATE_LIMIT_MAX_ATTEMPTS": "five"},
        {"APP_SECRET_KEY": STRONG, "TRUSTED_PROXIES": "10.0.0.0/8, not-a-network"},
        {"APP_SECRET_KEY": STRONG, "STORE": "postgres"},
        {"APP_SECRET_KEY": STRONG, "STORE": "dynamodb"},
    ],
)
def test_refuses_weak_or_broken_configuration(tmp_path: Path, values: dict[str, str]) -> None:
    with pytest.raises(SettingsError) as caught:
        settings_from_mapping(env(tmp_path, **values))
    # the message must not repeat a secret it refused
    assert STRONG not in str(caught.value)


def test_env_file_is_read_and_environment_overrides_it(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# comment\nexport PRESHARED_PASSWORD='from file'\nFEED_TOKEN=abc # trailing\n"
        f"APP_SECRET_KEY={STRONG}\nPUBLIC_URL=https://Stellarr.Example.com/\n"
    )
    settings = load_settings(env(tmp_path, FEED_TOKEN="from-env"), env_file=dotenv)
    assert settings.preshared_password == "from file"
    assert settings.feed_token == "from-env"
    assert settings.login_origins() == ("https://stellarr.example.com",)


def test_repr_never_shows_secrets(tmp_path: Path) -> None:
    settings = settings_from_mapping(env(tmp_path, APP_SECRET_KEY=STRONG, TMDB_API_KEY="tmdbkey"))
    assert STRONG not in repr(settings) and "tmdbkey" not in repr(settings)


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", DOCS.read_text(encoding="utf-8")))
    missing = [name for name in KNOWN_VARIABLES if name not in documented]
    assert not missing, f"undocumented settings: {missing}"
