"""What every AWS client here has in common: its signed transport, built from settings."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, ClassVar, Self

import httpx

from stellarr.aws.credentials import (
    CredentialSource,
    Service,
    credentials_from_env,
    default_endpoint,
    endpoint_from_env,
    region_from_env,
)
from stellarr.aws.http import DEFAULT_POLICY, AwsHttp, Clock, parse_json_error, utcnow
from stellarr.retry import RetryPolicy, Sleep


class AwsService:
    SERVICE: ClassVar[Service]
    TIMEOUT: ClassVar[float] = 10.0
    # DynamoDB and Secrets Manager speak JSON; S3 overrides this with its XML errors.
    parse_error = staticmethod(parse_json_error)

    def __init__(
        self,
        *,
        credentials: CredentialSource,
        region: str,
        endpoint_url: str | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        client: httpx.AsyncClient | None = None,
        timeout: float | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = utcnow,
    ) -> None:
        self._region = region
        self._sleep = sleep
        self._credentials = credentials
        self._owns_credentials = False
        self._http = AwsHttp(
            service=self.SERVICE,
            region=region,
            credentials=credentials,
            endpoint_url=endpoint_url or default_endpoint(self.SERVICE, region),
            parse_error=self.parse_error,
            policy=policy,
            client=client,
            timeout=self.TIMEOUT if timeout is None else timeout,
            sleep=sleep,
            clock=clock,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **options: Any) -> Self:
        service = cls(
            credentials=credentials_from_env(environ),
            region=region_from_env(environ),
            endpoint_url=endpoint_from_env(environ, cls.SERVICE),
            **options,
        )
        service._owns_credentials = True  # built here, so closed here
        return service

    async def aclose(self) -> None:
        try:
            await self._http.aclose()
        finally:
            if self._owns_credentials:
                await self._credentials.aclose()
