from __future__ import annotations

import pytest

from stellarr.aws.credentials import (
    Credentials,
    default_endpoint,
    endpoint_from_env,
    region_from_env,
)
from stellarr.aws.errors import AwsConfigError

ENV = {
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "very-secret-value",
    "AWS_SESSION_TOKEN": "session-token-value",
    "AWS_DEFAULT_REGION": "eu-west-1",
}


def test_credentials_come_from_standard_variables() -> None:
    creds = Credentials.from_env(ENV)
    assert creds == Credentials("AKIAEXAMPLE", "very-secret-value", "session-token-value")
    assert Credentials.from_env({**ENV, "AWS_SESSION_TOKEN": ""}).session_token is None


def test_repr_never_shows_secrets() -> None:
    text = repr(Credentials.from_env(ENV))
    assert "very-secret-value" not in text
    assert "session-token-value" not in text
    assert "AKIAEXAMPLE" not in text


def test_missing_credentials_name_the_variables_without_values() -> None:
    with pytest.raises(AwsConfigError, match="AWS_SECRET_ACCESS_KEY") as info:
        Credentials.from_env({"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE"})
    assert "AKIAEXAMPLE" not in str(info.value)


def test_region_prefers_aws_region() -> None:
    assert region_from_env(ENV) == "eu-west-1"
    assert region_from_env({**ENV, "AWS_REGION": "us-west-2"}) == "us-west-2"
    with pytest.raises(AwsConfigError, match="AWS_REGION"):
        region_from_env({})


def test_endpoint_overrides() -> None:
    env = {
        "DYNAMODB_ENDPOINT_URL": "http://127.0.0.1:8000/",
        "S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    }
    assert endpoint_from_env(env, "dynamodb") == "http://127.0.0.1:8000"
    assert endpoint_from_env(env, "s3") == "http://127.0.0.1:9000"
    assert endpoint_from_env(env, "secretsmanager") is None
    with pytest.raises(AwsConfigError, match="SECRETS_ENDPOINT_URL"):
        endpoint_from_env({"SECRETS_ENDPOINT_URL": "localhost:1"}, "secretsmanager")
    assert default_endpoint("dynamodb", "eu-west-1") == "https://dynamodb.eu-west-1.amazonaws.com"
