"""S3 PutObject over the REST API: path-style for custom endpoints."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import quote

from stellarr.aws.http import parse_xml_error
from stellarr.aws.service import AwsService


class S3Client(AwsService):
    SERVICE = "s3"
    parse_error = staticmethod(parse_xml_error)
    TIMEOUT = 30.0

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # Emulators and most S3-compatible stores only route path-style requests.
        self._path_style = options.get("endpoint_url") is not None

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
