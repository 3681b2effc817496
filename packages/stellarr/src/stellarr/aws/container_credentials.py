"""Credentials from the container credentials endpoint, refreshed before they expire.

Lambda SnapStart (and ECS) give a function no AWS_ACCESS_KEY_ID: they name an endpoint
(`AWS_CONTAINER_CREDENTIALS_FULL_URI`, or a path under 169.254.170.2 in
`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`) and a token to present to it
(`AWS_CONTAINER_AUTHORIZATION_TOKEN`, or a file holding it). A restored snapshot may run days
after it was taken, so credentials are fetched on use and kept only until shortly before they
expire.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from stellarr.aws.credentials import Credentials
from stellarr.aws.errors import AwsConfigError, AwsError
from stellarr.domain.client_ip import is_loopback
from stellarr.tls import trust_store

ECS_HOST = "http://169.254.170.2"
# Fetch anew this long before the expiry the endpoint announced.
REFRESH_MARGIN_SECONDS = 300.0


class ContainerCredentials:
    def __init__(
        self,
        url: str,
        token: str | None = None,
        token_file: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._url = url
        self._token = token
        self._token_file = token_file
        self._clock = clock
        self._client = httpx.AsyncClient(verify=trust_store(), timeout=httpx.Timeout(2.0))
        self._current: Credentials | None = None
        self._refresh_at = 0.0
        self._lock = asyncio.Lock()

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ContainerCredentials | None:
        full = environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI", "").strip()
        relative = environ.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "").strip()
        if not full and not relative:
            return None
        token_file = environ.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "").strip()
        if full:
            _check_full_uri(full)
        return cls(
            full or f"{ECS_HOST}{relative}",
            token=environ.get("AWS_CONTAINER_AUTHORIZATION_TOKEN", "").strip() or None,
            token_file=Path(token_file) if token_file else None,
        )

    async def current(self) -> Credentials:
        if self._current is not None and self._clock() < self._refresh_at:
            return self._current
        async with self._lock:
            if self._current is None or self._clock() >= self._refresh_at:
                await self._fetch()
        assert self._current is not None
        return self._current

    async def _fetch(self) -> None:
        headers = {}
        token = self._token
        if self._token_file is not None:
            try:
                token = self._token_file.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                raise AwsError("CredentialsUnavailable", "cannot read the token file") from None
        if token:
            headers["Authorization"] = token
        try:
            response = await self._client.get(self._url, headers=headers)
        except httpx.HTTPError as exc:
            raise AwsError("CredentialsUnavailable", type(exc).__name__) from None
        if response.status_code != 200:
            raise AwsError("CredentialsUnavailable", f"endpoint answered {response.status_code}")
        try:
            data = response.json()
            credentials = Credentials(
                str(data["AccessKeyId"]), str(data["SecretAccessKey"]), data.get("Token")
            )
            expires = datetime.fromisoformat(str(data["Expiration"])).timestamp()
        except (ValueError, KeyError, TypeError):
            raise AwsError(
                "CredentialsUnavailable", "no usable credentials in the answer"
            ) from None
        self._current = credentials
        self._refresh_at = expires - REFRESH_MARGIN_SECONDS

    async def aclose(self) -> None:
        await self._client.aclose()


# Where a token may be sent in the clear: the link-local addresses ECS and EKS use, and
# this machine (the same rule the AWS SDKs apply).
_PLAIN_HTTP_HOSTS = frozenset({"169.254.170.2", "169.254.170.23", "fd00:ec2::23"})


def _check_full_uri(url: str) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and (host in _PLAIN_HTTP_HOSTS or is_loopback(host)):
        return
    raise AwsConfigError(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback or the "
        "ECS/EKS credentials address"
    )
