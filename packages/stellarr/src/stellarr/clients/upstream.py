"""What every JSON API client here shares: one pooled httpx client, one attempt's transport
rules (unreachable, throttled and 5xx are worth another try), and a JSON object body."""

from __future__ import annotations

from typing import Any

import httpx

from stellarr.domain.errors import UpstreamError
from stellarr.retry import Retryable, parse_retry_after
from stellarr.tls import trust_store

Json = dict[str, Any]


def json_http(timeout: float, connections: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        verify=trust_store(),
        timeout=httpx.Timeout(timeout, connect=5.0),
        limits=httpx.Limits(
            max_connections=connections, max_keepalive_connections=connections // 2
        ),
        headers={"Accept": "application/json", "User-Agent": "Stellarr"},
    )


async def send(
    http: httpx.AsyncClient, service: str, method: str, url: str, **kwargs: Any
) -> httpx.Response:
    """One attempt; other statuses are the caller's to judge."""
    try:
        response = await http.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        # The exception text carries the URL (and so a key): keep its type only.
        raise Retryable(UpstreamError(f"{service} unreachable ({type(exc).__name__})")) from None
    if response.status_code == 429 or response.status_code >= 500:
        problem = UpstreamError(f"{service} answered {response.status_code}")
        raise Retryable(problem, parse_retry_after(response.headers.get("Retry-After")))
    return response


def json_object(response: httpx.Response, service: str) -> Json:
    if not response.is_success:
        raise UpstreamError(f"{service} answered {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        raise UpstreamError(f"{service} sent a response that is not JSON") from None
    if not isinstance(body, dict):
        raise UpstreamError(f"{service} sent JSON that is not an object")
    return body
