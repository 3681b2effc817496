"""`stereospot ops set-secret`: a value into one of the deployment's Secrets Manager secrets.

Terraform creates the secrets empty, so their values never sit in Terraform's state; this
puts a new version. A value is checked the way the services will read it (the users list
and the signing key go through Settings) before anything is sent, and it is never printed.
ECS hands secrets to a task when it starts: running tasks keep the old value until they are
replaced (`stereospot ops restart`).
"""

from __future__ import annotations

import secrets
from typing import Any

from stereospot.errors import SettingsError
from stereospot.ops.outputs import OpsError, Outputs, UsageError
from stereospot.settings import Settings

# Each secret, and the setting that reads it in the services (None: not a service setting).
SETTING = {
    "signing-key": "STEREOSPOT_SIGNING_KEY",
    "users": "STEREOSPOT_USERS",
    "model-credentials": None,
}


def generate(name: str) -> str:
    if name != "signing-key":
        raise UsageError("--generate makes only a signing key; give users and model credentials")
    return secrets.token_urlsafe(48)


def check(name: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise UsageError(f"the value for {name} is empty")
    env = SETTING.get(name, "")
    if env == "":
        raise UsageError(f"no secret {name!r}; secrets are {', '.join(SETTING)}")
    if env is None:
        if any(c.isspace() for c in value):
            raise UsageError(f"the value for {name} has spaces or line breaks in it")
        return value
    try:
        Settings.from_env({env: value})
    except SettingsError as exc:
        # Settings' message quotes the value it refused: keep only what it says about it.
        raise UsageError(f"{name}: {str(exc).removeprefix(f'{env}={value!r}: ')}") from None
    return value


def put(client: Any, outputs: Outputs, name: str, value: str) -> str:
    """The new version's id."""
    from botocore.exceptions import ClientError

    arn = outputs.secret_arn(name)
    try:
        answer = client.put_secret_value(SecretId=arn, SecretString=check(name, value))
    except ClientError as exc:
        # What to do about a missing secret; any other refusal is told by the command's
        # own handler (its code and operation).
        if _code(exc) != "ResourceNotFoundException":
            raise
        raise OpsError(f"no secret {arn}: apply aws-infra first") from None
    return str(answer["VersionId"])


def read(client: Any, outputs: Outputs, name: str) -> str:
    """The current value (for the smoke test's signing key); never printed."""
    from botocore.exceptions import ClientError

    try:
        return str(client.get_secret_value(SecretId=outputs.secret_arn(name))["SecretString"])
    except ClientError as exc:
        if _code(exc) != "ResourceNotFoundException":
            raise
        raise OpsError(
            f"the secret {name} has no value yet: `stereospot ops set-secret {name} ...`"
        ) from None


def _code(error: Any) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
