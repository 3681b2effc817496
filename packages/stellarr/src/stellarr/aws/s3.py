"""S3 PutObject/GetObject over the REST API: path-style for custom endpoints."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Mapping
from typing import Any, Self
from urllib.parse import quote

import httpx

from stellarr.aws.credentials import Credentials, endpoint_from_env, region_from_env
from stellarr.aws.errors import AwsError
from stellarr.aws.http import DEFAULT_POLICY, AwsHttp, Clock, Sleep, parse_xml_error, utcnow
from stellarr.retry import RetryPolicy


class S3Client:
    def __init__(
        self,
        *,
        credentials: Credentials,
        region: str,
        endpoint_url: str | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        client: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = utcnow,
    ) -> None:
        # Emulators and most S3-compatible stores only route path-style requests.
        self._path_style = endpoint_url is not None
        self._region = region
        self._http = AwsHttp(
            service="s3",
            region=region,
            credentials=credentials,
            endpoint_url=endpoint_url or f"https://s3.{region}.amazonaws.com",
            parse_error=parse_xml_error,
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
            endpoint_url=endpoint_from_env(environ, "s3"),
            **options,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    def object_url(self, bucket: str, key: str) -> str:
        # Keys are encoded strictly once; the signer then signs the path verbatim.
        path = quote(key, safe="/~")
        # Dotted bucket names break the TLS wildcard certificate of virtual hosts.
        if self._path_style or "." in bucket:
            return f"{self._http.endpoint_url}/{bucket}/{path}"
        return f"https://{bucket}.s3.{self._region}.amazonaws.com/{path}"

    async def put_object(
        self,
        bucket: str,
        key: str,
        body: bytes,
        *,
        content_type: str = "application/octet-stream",
        cache_control: str | None = None,
    ) -> str:
        """Upload; returns the ETag."""
        headers = {
            "Content-Type": content_type,
            "Content-MD5": base64.b64encode(
                hashlib.md5(body, usedforsecurity=False).digest()
            ).decode(),
        }
        if cache_control:
            headers["Cache-Control"] = cache_control
        response = await self._http.send(
            "PUT",
            self.object_url(bucket, key),
            operation="PutObject",
            headers=headers,
            body=body,
        )
        return str(response.headers.get("etag", ""))

    async def get_object(self, bucket: str, key: str) -> bytes | None:
        """The object's bytes, or None when there is no such key."""
        try:
            response = await self._http.send(
                "GET", self.object_url(bucket, key), operation="GetObject"
            )
        except AwsError as exc:
            if exc.code in {"NoSuchKey", "NotFound"}:
                return None
            raise
        return response.content
