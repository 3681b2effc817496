"""Settings from a Secrets Manager secret served by moto, through our own SigV4 client."""

from __future__ import annotations

import json
import uuid

from stellarr.aws.secrets import SecretsClient
from stellarr.secret_settings import SecretsManagerSettings
from stellarr_testing.stores import moto_admin


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_secret_values_rotation_and_environment_override(moto_endpoint: str) -> None:
    admin = moto_admin("secretsmanager", moto_endpoint)
    name = f"stellarr-{uuid.uuid4().hex[:8]}"
    first = {"APP_SECRET_KEY": "1" * 40, "PRESHARED_PASSWORD": "first-pw", "FEED_TOKEN": "f1"}
    arn = admin.create_secret(Name=name, SecretString=json.dumps(first))["ARN"]
    env = {
        "STORE": "dynamodb",
        "DYNAMODB_TABLE": "t",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "eu-west-1",
        "SECRETS_ENDPOINT_URL": moto_endpoint,
        "FEED_TOKEN": "from-environment",
    }
    clock = Clock()
    source = SecretsManagerSettings(env, arn, SecretsClient.from_env(env), clock=clock)
    try:
        settings = await source.get()
        assert (settings.app_secret_key, settings.preshared_password) == ("1" * 40, "first-pw")
        assert settings.feed_token == "from-environment"

        second = {**first, "APP_SECRET_KEY": "2" * 40, "PRESHARED_PASSWORD": "second-pw"}
        admin.put_secret_value(SecretId=arn, SecretString=json.dumps(second))
        clock.now = 299.0
        assert (await source.get()).preshared_password == "first-pw"  # still cached
        clock.now = 301.0
        rotated = await source.get()
        assert (rotated.app_secret_key, rotated.preshared_password) == ("2" * 40, "second-pw")
    finally:
        await source.aclose()
