"""Credentials from the container credentials endpoint (Lambda SnapStart, ECS), served here by
a small HTTP server on 127.0.0.1 that answers in the endpoint's format."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from stellarr.aws.container_credentials import ContainerCredentials
from stellarr.aws.credentials import Credentials, credentials_from_env
from stellarr.aws.dynamodb import DynamoDBClient
from stellarr.aws.errors import AwsConfigError, AwsError


class Endpoint:
    def __init__(self) -> None:
        self.seen_tokens: list[str | None] = []
        self.issued = 0
        self.lifetime = timedelta(hours=6)
        self.status = 200

    def answer(self, token: str | None) -> tuple[int, dict[str, Any]]:
        self.seen_tokens.append(token)
        if self.status != 200:
            return self.status, {"message": "no"}
        self.issued += 1
        expires = datetime.now(UTC) + self.lifetime
        return 200, {
            "AccessKeyId": f"ASIAISSUED{self.issued}",
            "SecretAccessKey": f"secret-{self.issued}",
            "Token": f"session-{self.issued}",
            "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


@pytest.fixture
def endpoint() -> Iterator[tuple[str, Endpoint]]:
    state = Endpoint()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            status, body = state.answer(self.headers.get("Authorization"))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/creds", state
    finally:
        server.shutdown()
        server.server_close()


async def two_signed_requests(source: Any) -> list[httpx.Request]:
    """Two DynamoDB calls signed with `source`, as they reach the wire."""
    signed: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        signed.append(request)
        return httpx.Response(200, json={})

    client = DynamoDBClient(
        credentials=source,
        region="eu-west-1",
        endpoint_url="http://dynamodb.test",
        client=httpx.AsyncClient(transport=httpx.MockTransport(answer)),
    )
    try:
        await client.get_item("t", {"pk": {"S": "a"}})
        await client.get_item("t", {"pk": {"S": "b"}})
    finally:
        await client.aclose()
    return signed


async def test_requests_are_signed_with_the_endpoints_credentials(
    endpoint: tuple[str, Endpoint],
) -> None:
    url, state = endpoint
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "tok"}
    source = credentials_from_env(env)
    assert isinstance(source, ContainerCredentials)
    signed = await two_signed_requests(source)
    assert state.seen_tokens == ["tok"]  # fetched once, then reused while fresh
    for request in signed:
        assert "Credential=ASIAISSUED1/" in request.headers["Authorization"]
        assert request.headers["X-Amz-Security-Token"] == "session-1"


async def test_credentials_close_to_expiry_are_fetched_again(
    endpoint: tuple[str, Endpoint], tmp_path: Any
) -> None:
    url, state = endpoint
    state.lifetime = timedelta(minutes=4)  # inside the refresh margin: never reused
    token_file = tmp_path / "token"
    token_file.write_text("from-file\n")
    signed = await two_signed_requests(ContainerCredentials(url, token_file=token_file))
    assert state.seen_tokens == ["from-file", "from-file"]
    assert "Credential=ASIAISSUED2/" in signed[1].headers["Authorization"]


async def test_an_endpoint_that_refuses_is_a_typed_error(endpoint: tuple[str, Endpoint]) -> None:
    url, state = endpoint
    state.status = 403
    source = ContainerCredentials(url, token="wrong")
    try:
        with pytest.raises(AwsError, match="CredentialsUnavailable"):
            await source.current()
    finally:
        await source.aclose()


def test_keys_in_the_environment_win_over_the_endpoint() -> None:
    env = {
        "AWS_ACCESS_KEY_ID": "AKIAKEYS",
        "AWS_SECRET_ACCESS_KEY": "s",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/creds",
    }
    assert isinstance(credentials_from_env(env), Credentials)
    relative = credentials_from_env({"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/creds/x"})
    assert isinstance(relative, ContainerCredentials)
    assert relative._url == "http://169.254.170.2/v2/creds/x"


async def test_an_unreadable_token_file_is_a_typed_error(
    endpoint: tuple[str, Endpoint], tmp_path: Any
) -> None:
    url, _ = endpoint
    source = ContainerCredentials(url, token_file=tmp_path / "missing")
    try:
        with pytest.raises(AwsError, match="CredentialsUnavailable"):
            await source.current()
    finally:
        await source.aclose()


@pytest.mark.parametrize(
    "url", ["http://credentials.example/creds", "http://10.0.0.5/creds", "ftp://127.0.0.1/x"]
)
def test_the_token_is_never_sent_in_the_clear_to_another_host(url: str) -> None:
    with pytest.raises(AwsConfigError, match="FULL_URI"):
        credentials_from_env({"AWS_CONTAINER_CREDENTIALS_FULL_URI": url})
    for fine in ("https://creds.example/x", "http://127.0.0.1:9/x", "http://169.254.170.23/x"):
        assert isinstance(
            credentials_from_env({"AWS_CONTAINER_CREDENTIALS_FULL_URI": fine}),
            ContainerCredentials,
        )


class CountingSource:
    def __init__(self) -> None:
        self.closed = 0

    async def current(self) -> Credentials:
        return Credentials("AKIAGIVEN", "secret")

    async def aclose(self) -> None:
        self.closed += 1


async def test_a_client_closes_only_the_credentials_it_built(
    endpoint: tuple[str, Endpoint],
) -> None:
    given = CountingSource()
    await two_signed_requests(given)  # closes its client at the end
    assert given.closed == 0  # handed in, so its giver's to close
    url, _ = endpoint
    built = DynamoDBClient.from_env(
        {"AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_REGION": "eu-west-1"}
    )
    source = built._credentials
    assert isinstance(source, ContainerCredentials)
    await built.aclose()
    assert source._client.is_closed
