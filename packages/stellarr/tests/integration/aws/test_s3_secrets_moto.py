"""S3 and Secrets Manager calls against moto in server mode (a real HTTP round trip)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from stellarr.aws.credentials import Credentials
from stellarr.aws.errors import AwsError
from stellarr.aws.s3 import S3Client
from stellarr.aws.secrets import SecretsClient
from stellarr_testing.stores import moto_admin

REGION = "us-east-1"
CREDS = Credentials("testing", "moto-secret-key", "moto-session-token")


def _boto(service: str, endpoint: str) -> Any:
    return moto_admin(service, endpoint, REGION)


@pytest.fixture
async def s3(moto_endpoint: str) -> AsyncIterator[S3Client]:
    _boto("s3", moto_endpoint).create_bucket(Bucket="stellarr-test")
    client = S3Client.from_env(
        {
            "AWS_ACCESS_KEY_ID": CREDS.access_key_id,
            "AWS_SECRET_ACCESS_KEY": CREDS.secret_access_key,
            "AWS_SESSION_TOKEN": "moto-session-token",
            "AWS_REGION": REGION,
            "S3_ENDPOINT_URL": moto_endpoint,
        }
    )
    yield client
    await client.aclose()


@pytest.fixture
async def secrets(moto_endpoint: str) -> AsyncIterator[SecretsClient]:
    client = SecretsClient(credentials=CREDS, region=REGION, endpoint_url=moto_endpoint)
    yield client
    await client.aclose()


@pytest.mark.parametrize(
    "key", ["feeds/radarr.json", "dir with spaces/ünïcödé €.json", "a+b=c&d/~tilde(1)!.txt"]
)
async def test_put_object_lands_under_the_exact_key(
    s3: S3Client, moto_endpoint: str, key: str
) -> None:
    body = json.dumps({"key": key}).encode()
    etag = await s3.put_object(
        "stellarr-test", key, body, content_type="application/json", cache_control="max-age=60"
    )
    assert etag.strip('"')
    # boto3 reads the very same key back, so our encoding of the path was right.
    stored = _boto("s3", moto_endpoint).get_object(Bucket="stellarr-test", Key=key)
    assert stored["Body"].read() == body
    head = _boto("s3", moto_endpoint).head_object(Bucket="stellarr-test", Key=key)
    assert head["ContentType"] == "application/json"
    assert head["CacheControl"] == "max-age=60"
    assert head["ContentLength"] == len(body)


async def test_missing_buckets_are_typed_errors(s3: S3Client) -> None:
    with pytest.raises(AwsError) as info:
        await s3.put_object("no-such-bucket", "k", b"x")
    assert info.value.code == "NoSuchBucket"
    assert info.value.status == 404


async def test_get_secret_string(secrets: SecretsClient, moto_endpoint: str) -> None:
    _boto("secretsmanager", moto_endpoint).create_secret(
        Name="stellarr/app", SecretString='{"APP_SECRET_KEY": "s3cr3t-value"}'
    )
    assert await secrets.get_secret_string("stellarr/app") == '{"APP_SECRET_KEY": "s3cr3t-value"}'
    assert (
        await secrets.get_secret_string("stellarr/app", version_stage="AWSCURRENT")
        == '{"APP_SECRET_KEY": "s3cr3t-value"}'
    )


async def test_missing_secret_is_a_typed_error_without_credentials(
    secrets: SecretsClient,
) -> None:
    with pytest.raises(AwsError) as info:
        await secrets.get_secret_string("does/not/exist")
    assert info.value.code == "ResourceNotFoundException"
    assert info.value.status in {400, 404}  # AWS answers 400, moto 404
    assert CREDS.secret_access_key not in str(info.value)


async def test_binary_only_secret_is_refused(secrets: SecretsClient, moto_endpoint: str) -> None:
    _boto("secretsmanager", moto_endpoint).create_secret(Name="binary", SecretBinary=b"\x00\x01")
    with pytest.raises(AwsError) as info:
        await secrets.get_secret_string("binary")
    assert info.value.code == "NoSecretString"
