"""The Secrets Manager settings source against an in-memory secret (the moto run is in
integration/aws)."""

from __future__ import annotations

import json

import pytest

from stellarr.aws.errors import AwsError
from stellarr.domain.errors import Unavailable
from stellarr.secret_settings import SecretsManagerSettings

KEY_A, KEY_B = "a" * 40, "b" * 40


class Secret:
    def __init__(self, value: str) -> None:
        self.value = value
        self.reads = 0
        self.fail = False

    async def aclose(self) -> None:
        return None

    async def get_secret_string(self, secret_id: str) -> str:
        self.reads += 1
        if self.fail:
            raise AwsError("ThrottlingException", "slow down", 400)
        return self.value


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


ENV = {"STORE": "dynamodb", "DYNAMODB_TABLE": "stellarr"}


def provider(secret: Secret, clock: Clock, **env: str) -> SecretsManagerSettings:
    return SecretsManagerSettings(
        {**ENV, **env}, "arn:secret", secret, ttl_seconds=300, clock=clock
    )


def payload(**values: str) -> str:
    return json.dumps({"APP_SECRET_KEY": KEY_A, "PRESHARED_PASSWORD": "pw-one", **values})


async def test_reads_the_secret_and_environment_overrides_it() -> None:
    secret = Secret(payload(TMDB_API_KEY="from-secret", FEED_TOKEN="feed-secret"))
    settings = await provider(secret, Clock(), FEED_TOKEN="from-env").get()
    assert settings.app_secret_key == KEY_A and settings.preshared_password == "pw-one"
    assert settings.tmdb_api_key == "from-secret"
    assert settings.feed_token == "from-env"


async def test_cached_for_the_ttl_then_rotation_applies() -> None:
    secret, clock = Secret(payload()), Clock()
    source = provider(secret, clock)
    first = await source.get()
    clock.now += 299
    assert await source.get() is first and secret.reads == 1
    secret.value = payload(APP_SECRET_KEY=KEY_B, PRESHARED_PASSWORD="pw-two")
    clock.now += 2
    rotated = await source.get()
    assert (rotated.app_secret_key, rotated.preshared_password) == (KEY_B, "pw-two")
    assert secret.reads == 2


async def test_a_failed_refresh_keeps_the_last_good_settings() -> None:
    secret, clock = Secret(payload()), Clock()
    source = provider(secret, clock)
    good = await source.get()
    secret.fail = True
    clock.now += 301
    assert await source.get() is good
    reads = secret.reads
    assert await source.get() is good and secret.reads == reads  # backs off, no hammering
    secret.value = payload(PRESHARED_PASSWORD="pw-new")
    secret.fail = False
    clock.now += 31
    assert (await source.get()).preshared_password == "pw-new"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("not json", "not a JSON object"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps({"APP_SECRET_KEY": "changeme", "PRESHARED_PASSWORD": "x"}), "too weak"),
    ],
)
async def test_unusable_secret_on_first_read_is_unavailable(value: str, reason: str) -> None:
    with pytest.raises(Unavailable, match=reason):
        await provider(Secret(value), Clock()).get()


async def test_aws_failure_on_first_read_is_unavailable_without_details() -> None:
    secret = Secret(payload())
    secret.fail = True
    with pytest.raises(Unavailable, match="ThrottlingException"):
        await provider(secret, Clock()).get()
