"""boto3 clients from Settings, and the one place botocore errors become ours."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from stereospot.errors import Conflict, InvalidInput, NotFound, StoreError
from stereospot.settings import Settings

T = TypeVar("T")

_NOT_FOUND = {"404", "NoSuchKey", "NoSuchUpload", "ResourceNotFoundException", "NotFound"}
_CONFLICT = {"ConditionalCheckFailedException", "PreconditionFailed", "412"}
_INVALID = {"InvalidPart", "InvalidPartOrder", "EntityTooSmall"}


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@contextmanager
def translated(what: str) -> Iterator[None]:
    """Turn botocore's errors into NotFound / Conflict / InvalidInput / StoreError."""
    try:
        yield
    except ClientError as exc:
        code = error_code(exc)
        if code in _NOT_FOUND:
            raise NotFound(f"{what}: not found") from None
        if code in _CONFLICT:
            raise Conflict(f"{what}: condition failed") from None
        if code in _INVALID:
            raise InvalidInput(f"{what}: {code}") from None
        raise StoreError(f"{what}: {code or exc}") from exc
    except BotoCoreError as exc:
        raise StoreError(f"{what}: {exc}") from exc


def call(what: str, fn: Callable[..., T], **kwargs: Any) -> T:
    with translated(what):
        return fn(**kwargs)


class Clients:
    """One boto3 session per backend; clients are thread-safe once made."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.session = boto3.session.Session(region_name=settings.aws_region)
        # Pools sized for several worker threads; standard retries with back-off.
        self.config = Config(
            max_pool_connections=32,
            retries={"mode": "standard", "max_attempts": 5},
            s3={"addressing_style": "path"} if settings.aws_endpoint_url else None,
            signature_version="s3v4",
        )
        self.dynamodb = self._resource("dynamodb")
        self.sqs = self._client("sqs")
        self.s3 = self._client("s3")

    def _client(self, service: str) -> Any:
        return self.session.client(
            service, endpoint_url=self.settings.aws_endpoint_url, config=self.config
        )

    def _resource(self, service: str) -> Any:
        return self.session.resource(
            service, endpoint_url=self.settings.aws_endpoint_url, config=self.config
        )

    def client(self, service: str) -> Any:
        return self._client(service)

    def table(self, name: str) -> Any:
        return self.dynamodb.Table(f"{self.settings.aws_prefix}-{name}")

    def queue_name(self, name: str) -> str:
        return f"{self.settings.aws_prefix}-{name}"
