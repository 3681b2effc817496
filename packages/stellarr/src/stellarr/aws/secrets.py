"""Secrets Manager GetSecretValue; the secret never reaches a log line or an error message."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Self

import httpx

from stellarr.aws.credentials import (
    Credentials,
    default_endpoint,
    endpoint_from_env,
    region_from_env,
)
from stellarr.aws.errors import AwsError
from stellarr.aws.http import DEFAULT_POLICY, AwsHttp, Clock, Sleep, parse_json_error, utcnow
from stellarr.retry import RetryPolicy


class SecretsClient:
    def __init__(
        self,
        *,
        credentials: Credentials,
        region: str,
        endpoint_url: str | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        client: httpx.AsyncClient | None = None,
        timeout: float = 10.0,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = utcnow,
    ) -> None:
        self._http = AwsHttp(
            service="secretsmanager",
            region=region,
            credentials=credentials,
            endpoint_url=endpoint_url or default_endpoint("secretsmanager", region),
            parse_error=parse_json_error,
            policy=policy,
            client=client,
            timeout=timeout,
            sleep=sleep,
            clock=clock,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **options: Any) -> Self:
        return cls(
            credentials=Credentials.from_env(environ),
            region=region_from_env(environ),
            endpoint_url=endpoint_from_env(environ, "secretsmanager"),
            **options,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def get_secret_string(self, secret_id: str, *, version_stage: str | None = None) -> str:
        """The SecretString; AwsError (code ResourceNotFoundException, ...) otherwise."""
        request = {"SecretId": secret_id}
        if version_stage:
            request["VersionStage"] = version_stage
        response = await self._http.json_call(
            "secretsmanager.GetSecretValue", request, content_type="application/x-amz-json-1.1"
        )
        value = response.get("SecretString")
        if not isinstance(value, str):
            raise AwsError("NoSecretString", f"secret {secret_id!r} holds binary data only", 200)
        return value
