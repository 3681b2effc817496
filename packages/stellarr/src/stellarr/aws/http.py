"""The transport every AWS client shares: SigV4 as an httpx.Auth, errors classified, and
retries through the project's one retry helper."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncGenerator, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from stellarr.aws.credentials import Credentials, CredentialSource
from stellarr.aws.errors import (
    AwsError,
    AwsTransportError,
    CancellationReason,
    error_for,
)
from stellarr.aws.sigv4 import sign
from stellarr.retry import Retryable, RetryPolicy, Sleep, parse_retry_after, retrying
from stellarr.tls import trust_store

ParsedError = tuple[str, str, tuple[CancellationReason, ...]]
ErrorParser = Callable[[httpx.Response], ParsedError]
Clock = Callable[[], datetime]

DEFAULT_POLICY = RetryPolicy(attempts=5, base_delay=0.05, max_delay=5.0)


def utcnow() -> datetime:
    return datetime.now(UTC)


# Headers httpx adds on its own; a proxy may rewrite them, so they stay out of the signature.
_HTTPX_DEFAULTS = frozenset({"accept", "accept-encoding", "content-length"})


class SigV4Auth(httpx.Auth):
    """Signs each request as it goes on the wire, so what is signed is what is sent."""

    requires_request_body = True

    def __init__(
        self, credentials: CredentialSource, region: str, service: str, clock: Clock = utcnow
    ) -> None:
        self._credentials = credentials
        self._region = region
        self._service = service
        self._clock = clock
        # The credentials the last request was signed with: what an error message may echo.
        self.last_used: Credentials | None = None

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        # Asked on every request: container credentials expire and are refreshed.
        credentials = self.last_used = await self._credentials.current()
        given = [(k, v) for k, v in request.headers.items() if k.lower() not in _HTTPX_DEFAULTS]
        signed = sign(
            request.method,
            str(request.url),
            given,
            request.content,
            region=self._region,
            service=self._service,
            credentials=credentials,
            timestamp=self._clock(),
        )
        for name, value in signed:
            request.headers[name] = value
        yield request


class AwsHttp:
    """Signed requests for one service, over one pooled httpx.AsyncClient."""

    def __init__(
        self,
        *,
        service: str,
        region: str,
        credentials: CredentialSource,
        endpoint_url: str,
        parse_error: ErrorParser,
        policy: RetryPolicy = DEFAULT_POLICY,
        client: httpx.AsyncClient | None = None,
        timeout: float = 10.0,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = utcnow,
    ) -> None:
        self.service = service
        self.region = region
        self.endpoint_url = endpoint_url.rstrip("/")
        self.policy = policy
        self._credentials = credentials
        self._auth = SigV4Auth(credentials, region, service, clock)
        self._parse_error = parse_error
        self._owns_client = client is None
        self._client = client
        self._timeout = timeout
        self._sleep = sleep

    def _pool(self) -> httpx.AsyncClient:
        # Made on the first call, not when the app is built: the client and its TLS trust
        # cost some 40 ms that a cold start whose request needs no AWS call should not pay,
        # nor SnapStart's restore hook, which builds the app again.
        if self._client is None:
            self._client = httpx.AsyncClient(verify=trust_store(), timeout=self._timeout)
        return self._client

    async def aclose(self) -> None:
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    async def send(
        self,
        method: str,
        url: str,
        *,
        operation: str,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> httpx.Response:
        """Return the first 2xx response; raise AwsError once retries are used up."""

        async def attempt() -> httpx.Response:
            try:
                response = await self._pool().request(
                    method, url, headers=headers, content=body, auth=self._auth
                )
            except httpx.TransportError as exc:
                raise Retryable(
                    AwsTransportError(
                        "TransportError", f"{type(exc).__name__} calling {self.service}", 0
                    )
                ) from None
            if response.status_code < 300:
                return response
            error = self._error_from(response)
            if not error.retryable:
                raise error
            raise Retryable(error, parse_retry_after(response.headers.get("retry-after")))

        what = f"{self.service} {operation}"
        return await retrying(attempt, self.policy, what=what, sleep=self._sleep)

    async def json_call(
        self, target: str, payload: Mapping[str, Any], *, content_type: str
    ) -> dict[str, Any]:
        """POST one JSON-protocol operation (DynamoDB 1.0, Secrets Manager 1.1)."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {"Content-Type": content_type, "X-Amz-Target": target}
        operation = target.rpartition(".")[2]
        response = await self.send(
            "POST", self.endpoint_url + "/", operation=operation, headers=headers, body=body
        )
        if not response.content:
            return {}
        try:
            data = json.loads(response.content)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise AwsError("InvalidResponse", f"{operation} did not return a JSON object", 200)
        return data

    def _error_from(self, response: httpx.Response) -> AwsError:
        try:
            code, message, reasons = self._parse_error(response)
        except ValueError:
            code, message, reasons = f"HTTP{response.status_code}", "", ()
        return error_for(code, self._redact(message), response.status_code, reasons)

    def _redact(self, text: str) -> str:
        # Signature-mismatch messages echo the canonical request, which holds the token.
        used = self._auth.last_used
        for secret in (used.secret_access_key, used.session_token) if used else ():
            if secret:
                text = text.replace(secret, "***")
        return text


def parse_json_error(response: httpx.Response) -> ParsedError:
    data: dict[str, Any] = {}
    if response.content:
        loaded = json.loads(response.content)
        if isinstance(loaded, dict):
            data = loaded
    raw = str(data.get("__type") or response.headers.get("x-amzn-errortype") or "")
    # "com.amazonaws.dynamodb.v20120810#ThrottlingException" or "Code:http://internal/..."
    code = raw.rpartition("#")[2].partition(":")[0] or f"HTTP{response.status_code}"
    message = str(data.get("message") or data.get("Message") or "")
    reasons = tuple(
        CancellationReason(str(r.get("Code", "")), str(r.get("Message", "")))
        for r in data.get("CancellationReasons") or ()
        if isinstance(r, dict)
    )
    return code, message, reasons


_XML_CODE = re.compile(r"<Code>([^<]*)</Code>")
_XML_MESSAGE = re.compile(r"<Message>([^<]*)</Message>")
_STATUS_CODES = {301: "PermanentRedirect", 403: "AccessDenied", 404: "NotFound"}


def parse_xml_error(response: httpx.Response) -> ParsedError:
    # A regex instead of an XML parser: we need two leaf strings and want no XXE surface.
    text = response.text
    code_match = _XML_CODE.search(text)
    message_match = _XML_MESSAGE.search(text)
    default = _STATUS_CODES.get(response.status_code, f"HTTP{response.status_code}")
    code = code_match.group(1) if code_match else default
    return code, message_match.group(1) if message_match else "", ()
