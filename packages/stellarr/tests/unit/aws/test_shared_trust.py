"""One TLS trust store for every outgoing client, loaded once and only when a call needs it:
each load parses the whole CA bundle (about 20 ms on a Lambda cold start)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from stellarr import tls
from stellarr.aws.credentials import Credentials
from stellarr.aws.dynamodb import DynamoDBClient
from stellarr.aws.errors import AwsError
from stellarr.aws.secrets import SecretsClient
from stellarr.clients.upstream import json_http
from stellarr.clients.webpush import WebPushClient

CREDS = Credentials("AKIDEXAMPLE", "not-a-real-secret", None)


def context_of(client: httpx.AsyncClient) -> ssl.SSLContext:
    return client._transport._pool._ssl_context  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every CA bundle load from now on; the process-wide store starts empty."""
    seen: list[object] = []
    real = httpx.create_ssl_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        seen.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(tls.httpx, "create_ssl_context", counting)
    tls.trust_store.cache_clear()
    yield seen
    tls.trust_store.cache_clear()


async def test_aws_clients_open_no_pool_until_a_call_then_share_one_store(
    loads: list[object], dynamodb_endpoint: str, moto_endpoint: str
) -> None:
    table = DynamoDBClient(credentials=CREDS, region="eu-west-1", endpoint_url=dynamodb_endpoint)
    secrets = SecretsClient(credentials=CREDS, region="eu-west-1", endpoint_url=moto_endpoint)
    try:
        assert table._http._client is None and secrets._http._client is None
        assert loads == []

        listed = await table.call("ListTables", {})
        assert isinstance(listed["TableNames"], list)
        with pytest.raises(AwsError) as missing:
            await secrets.get_secret_string("arn-of-nothing")
        assert missing.value.code == "ResourceNotFoundException"

        pools = [table._http._client, secrets._http._client]
        assert all(pool is not None for pool in pools)
        assert {id(context_of(pool)) for pool in pools if pool} == {id(tls.trust_store())}
        assert len(loads) == 1
    finally:
        await table.aclose()
        await secrets.aclose()
    assert table._http._client is None


async def test_upstream_and_push_clients_use_the_same_store(loads: list[object]) -> None:
    tmdb = json_http(5.0, 4)
    push = WebPushClient()
    try:
        assert context_of(tmdb) is context_of(push._client()) is tls.trust_store()
        assert len(loads) == 1
    finally:
        await tmdb.aclose()
        await push.aclose()


def test_a_push_client_given_its_own_trust_keeps_it(loads: list[object]) -> None:
    own = ssl.create_default_context()
    push = WebPushClient(verify=own)
    assert context_of(push._client()) is own
    assert loads == []
