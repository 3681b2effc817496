"""Credentials, region and endpoint overrides from the standard AWS environment variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from stellarr.aws.errors import AwsConfigError

Service = Literal["dynamodb", "s3", "secretsmanager"]

ENDPOINT_VARIABLES: dict[Service, str] = {
    "dynamodb": "DYNAMODB_ENDPOINT_URL",
    "s3": "S3_ENDPOINT_URL",
    "secretsmanager": "SECRETS_ENDPOINT_URL",
}
# The AWS variables Stellarr reads (declared here, where they are read).
AWS_VARIABLES = (
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    *ENDPOINT_VARIABLES.values(),
)


class CredentialSource(Protocol):
    """Where signing gets the credentials for each request."""

    async def current(self) -> Credentials: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Credentials:
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:  # keep the secret halves out of any log line or traceback
        return f"Credentials(access_key_id={self.access_key_id[:4]!r}...)"

    async def current(self) -> Credentials:
        """Fixed credentials are their own source."""
        return self

    async def aclose(self) -> None:
        return None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Credentials:
        key_id = environ.get("AWS_ACCESS_KEY_ID", "").strip()
        secret = environ.get("AWS_SECRET_ACCESS_KEY", "").strip()
        if not key_id or not secret:
            raise AwsConfigError(
                "AWS credentials missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                "(and AWS_SESSION_TOKEN for temporary credentials)"
            )
        token = environ.get("AWS_SESSION_TOKEN", "").strip() or None
        return cls(key_id, secret, token)


def credentials_from_env(environ: Mapping[str, str]) -> CredentialSource:
    """Keys in the environment, else the container credentials endpoint (SnapStart, ECS)."""
    if environ.get("AWS_ACCESS_KEY_ID", "").strip():
        return Credentials.from_env(environ)
    from stellarr.aws.container_credentials import ContainerCredentials

    container = ContainerCredentials.from_env(environ)
    return container if container is not None else Credentials.from_env(environ)


def region_from_env(environ: Mapping[str, str]) -> str:
    region = (environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "").strip()
    if not region:
        raise AwsConfigError("AWS region missing: set AWS_REGION or AWS_DEFAULT_REGION")
    return region


def endpoint_from_env(environ: Mapping[str, str], service: Service) -> str | None:
    value = environ.get(ENDPOINT_VARIABLES[service], "").strip().rstrip("/")
    if value and not value.startswith(("http://", "https://")):
        raise AwsConfigError(f"{ENDPOINT_VARIABLES[service]} must start with http:// or https://")
    return value or None


def default_endpoint(service: Service, region: str) -> str:
    return f"https://{service}.{region}.amazonaws.com"
