import re
import stat
from pathlib import Path

import pytest

from stellarr.bootstrap import configure
from stellarr.environment import merged_environment
from stellarr.settings import KNOWN_VARIABLES, Config, Settings, SettingsError
from stellarr_testing import paths

DOCS = paths.DOCS / "configuration.md"
STRONG = "s" * 40


def env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {
        "DATABASE_PATH": str(tmp_path / "data" / "stellarr.db"),
        "ENV_FILE": str(tmp_path / "no.env"),
        **values,
    }


async def test_generates_and_persists_missing_secrets(tmp_path: Path) -> None:
    first = configure(env(tmp_path))
    settings = await first.settings.get()
    assert len(settings.app_secret_key) >= 32
    assert any(settings.preshared_password in line for line in first.notices)
    secret_file = tmp_path / "data" / "app_secret_key"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    second = configure(env(tmp_path))
    again = await second.settings.get()
    assert not any(settings.preshared_password in line for line in second.notices)
    assert (again.app_secret_key, again.preshared_password) == (
        settings.app_secret_key,
        settings.preshared_password,
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
        {"APP_SECRET_KEY": STRONG, "LOG_LEVEL": "loud"},
        {"APP_SECRET_KEY": STRONG, "PUBLIC_URL": "requests.example.com"},
        {"APP_SECRET_KEY": STRONG, "ALLOWED_ORIGINS": "https://ok.example, ftp://x"},
        {"APP_SECRET_KEY": STRONG, "TMDB_BASE_URL": "api.themoviedb.org/3"},
        {"APP_SECRET_KEY": STRONG, "TRENDING_LOCALES": "en,english"},
        {"APP_SECRET_KEY": STRONG, "TRENDING_LOCALES": "en,../x"},
        {"APP_SECRET_KEY": STRONG, "TRENDING_LOCALES": " , "},
        {"APP_SECRET_KEY": STRONG, "TRENDING_PAGES": "0"},
        {"APP_SECRET_KEY": STRONG, "PLEX_WEBHOOK_TOKEN": "changeme"},
        {"APP_SECRET_KEY": STRONG, "PLEX_WEBHOOK_TOKEN": "only-15-chars-x"},
        {"APP_SECRET_KEY": STRONG, "PLEX_WEBHOOK_TOKEN": "a+b&c=d-long-enough-token"},
        {"APP_SECRET_KEY": STRONG, "TRENDING_PAGES": "6"},
        {"APP_SECRET_KEY": STRONG, "TRENDING_S3_BUCKET": "Not_A_Bucket"},
    ],
)
def test_refuses_weak_or_broken_configuration(tmp_path: Path, values: dict[str, str]) -> None:
    with pytest.raises(SettingsError) as caught:
        configure(env(tmp_path, **{"PRESHARED_PASSWORD": "pw-x", **values}))
    message = str(caught.value)
    # one line that names the variable, and never repeats a secret it refused
    assert "\n" not in message and STRONG not in message
    named = [v for v in values if v in message]
    assert named, message


def test_env_file_is_read_and_environment_overrides_it(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# comment\nexport PRESHARED_PASSWORD='from file'\nFEED_TOKEN=abc # trailing\n"
        f"APP_SECRET_KEY={STRONG}\nPUBLIC_URL=https://Stellarr.Example.com/\n"
    )
    merged = merged_environment(env(tmp_path, FEED_TOKEN="from-env", ENV_FILE=str(dotenv)))
    settings = Settings.from_mapping(merged)
    assert settings.preshared_password == "from file"
    assert settings.feed_token == "from-env"
    assert settings.login_origins() == ("https://stellarr.example.com",)


def test_public_url_may_carry_a_path_but_the_origin_does_not(tmp_path: Path) -> None:
    settings = Settings.from_mapping(
        {
            "APP_SECRET_KEY": STRONG,
            "PRESHARED_PASSWORD": "pw",
            "PUBLIC_URL": "https://Home.example:8443/stellarr/",
        }
    )
    assert settings.public_url == "https://Home.example:8443/stellarr"
    assert settings.login_origins() == ("https://home.example:8443",)


def test_repr_never_shows_secrets() -> None:
    settings = Settings.from_mapping(
        {"APP_SECRET_KEY": STRONG, "PRESHARED_PASSWORD": "pw-secret", "TMDB_API_KEY": "tmdbkey"}
    )
    text = repr(settings)
    assert STRONG not in text and "tmdbkey" not in text and "pw-secret" not in text


def test_a_data_folder_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(SettingsError, match="DATABASE_PATH") as caught:
        configure(env(tmp_path, DATABASE_PATH=str(blocker / "data" / "stellarr.db")))
    assert "\n" not in str(caught.value)


def test_trending_settings_are_read_once_and_normalised() -> None:
    assert Config().trending_locales == ("en", "es", "fr", "de")
    config = Config.from_mapping(
        {
            "TRENDING_LOCALES": "DE, en,de",
            "TRENDING_PAGES": "2",
            "TRENDING_S3_BUCKET": "stellarr-trending",
            "DATABASE_PATH": "/srv/stellarr/stellarr.db",
        }
    )
    assert config.trending_locales == ("de", "en")
    assert (config.trending_pages, config.trending_s3_bucket) == (2, "stellarr-trending")
    assert config.trending_dir == Path("/srv/stellarr/trending")


def test_season_lists_are_read_in_order_and_refused_when_unknown() -> None:
    base = {"APP_SECRET_KEY": STRONG, "PRESHARED_PASSWORD": "pw-secret"}
    assert Settings.from_mapping(base).season_choices == ()
    settings = Settings.from_mapping({**base, "SONARR_SEASON_LISTS": " FUTURE,first ,first"})
    assert [m.value for m in settings.sonarr_season_lists] == ["first", "future"]
    assert [m.value for m in settings.season_choices] == ["all", "first", "future"]
    for wrong in ("pilot", "all", "first;latest"):
        with pytest.raises(SettingsError, match="SONARR_SEASON_LISTS names") as caught:
            Settings.from_mapping({**base, "SONARR_SEASON_LISTS": wrong})
        assert "first, latest, future" in str(caught.value)


def test_config_and_settings_never_share_a_variable() -> None:
    assert len(set(KNOWN_VARIABLES)) == len(KNOWN_VARIABLES)
    assert Config().store == "sqlite"


def test_docs_describe_exactly_the_variables_stellarr_reads() -> None:
    text = DOCS.read_text(encoding="utf-8")
    # The first column of each settings table lists the variables it documents.
    documented = set()
    for row in re.findall(r"^\| (`[A-Z][^|]*)\|", text, flags=re.MULTILINE):
        documented |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", row))
    missing = sorted(set(KNOWN_VARIABLES) - documented)
    unknown = sorted(documented - set(KNOWN_VARIABLES))
    assert not missing, f"read but undocumented: {missing}"
    assert not unknown, f"documented but never read: {unknown}"


def test_an_unreadable_env_file_is_one_line(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_bytes(b"\xff\xfe=bad\n")
    with pytest.raises(SettingsError, match="ENV_FILE") as caught:
        configure(env(tmp_path, ENV_FILE=str(dotenv)))
    assert "\n" not in str(caught.value)


def test_start_up_says_what_web_push_still_needs(tmp_path: Path) -> None:
    # The key is generated on first run; the contact address is the admin's to give.
    notices = "\n".join(configure(env(tmp_path)).notices)
    assert "Web push notifications are off until you set VAPID_SUBJECT=mailto:" in notices
    ready = configure(env(tmp_path, VAPID_SUBJECT="mailto:admin@example.com")).notices
    assert not any("Web push" in line for line in ready)
