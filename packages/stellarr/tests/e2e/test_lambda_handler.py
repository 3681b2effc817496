"""The Lambda handler on real Function URL events: DynamoDB Local for the store, moto's
Secrets Manager for the settings, the fake TMDB for search and requests."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from stellarr import lambda_handler
from stellarr_testing.fake_tmdb import API_KEY, FakeTMDB
from stellarr_testing.lambda_events import function_url_event, response_json
from stellarr_testing.login import login_body
from stellarr_testing.stores import moto_admin

PASSWORD = "lambda shared password"
ORIGIN = "https://requests.example.com"


@pytest.fixture
def lambda_env(
    monkeypatch: pytest.MonkeyPatch, dynamodb_endpoint: str, moto_endpoint: str, fake_tmdb: FakeTMDB
) -> Iterator[dict[str, str]]:
    secret_name = f"stellarr-{uuid.uuid4().hex[:8]}"
    secrets = moto_admin("secretsmanager", moto_endpoint)
    arn = secrets.create_secret(
        Name=secret_name,
        SecretString=json.dumps(
            {
                "APP_SECRET_KEY": "s" * 48,
                "PRESHARED_PASSWORD": PASSWORD,
                "TMDB_API_KEY": API_KEY,
                "FEED_TOKEN": "feed-from-secret",
            }
        ),
    )["ARN"]
    env = {
        "STORE": "dynamodb",
        "DYNAMODB_TABLE": f"stellarr-{uuid.uuid4().hex[:8]}",
        "DYNAMODB_ENDPOINT_URL": dynamodb_endpoint,
        "SECRETS_ENDPOINT_URL": moto_endpoint,
        "APP_SECRET_ARN": arn,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_SESSION_TOKEN": "session-token",
        "AWS_REGION": "eu-west-1",
        "TMDB_BASE_URL": fake_tmdb.url,
        "PUBLIC_URL": ORIGIN,
        "TRUSTED_PROXIES": "130.176.0.0/16",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(lambda_handler, "_asgi_handler", None)
    yield env
    built = lambda_handler._asgi_handler
    if built is not None:
        # Mangum runs every invocation on the thread's event loop, as Lambda would reuse it
        # across warm invocations; the test owns that loop's end.
        loop = asyncio.get_event_loop_policy().get_event_loop()
        loop.run_until_complete(built.app.state.services.close())
        loop.close()
        asyncio.set_event_loop(None)


def invoke(method: str, path: str, **kw: Any) -> dict[str, Any]:
    response = lambda_handler.handler(function_url_event(method, path, **kw), None)
    assert isinstance(response, dict)
    return response


def login(name: str = "alice", **kw: Any) -> dict[str, Any]:
    return invoke("POST", "/api/auth/verify", body=login_body(PASSWORD, name, origin=ORIGIN), **kw)


def test_health_and_the_whole_request_flow(lambda_env: dict[str, str]) -> None:
    health = invoke("GET", "/api/health")
    assert health["statusCode"] == 200
    assert response_json(health) == {"status": "healthy", "service": "stellarr"}

    answer = login()
    assert answer["statusCode"] == 200, answer
    auth = {"authorization": f"Bearer {response_json(answer)['token']}"}
    created = invoke(
        "POST", "/api/request", headers=auth, body={"tmdb_id": 66732, "media_type": "tv"}
    )
    assert created["statusCode"] == 201, created
    listed = response_json(invoke("GET", "/api/requests", headers=auth))["requests"]
    assert [(r["tmdb_id"], r["tvdb_id"], r["requested_by"]) for r in listed] == [
        (66732, 305288, "alice")
    ]
    assert invoke("GET", "/list/sonarr")["statusCode"] == 401
    feed = invoke("GET", "/list/sonarr", query="token=feed-from-secret")
    assert response_json(feed) == [
        {"title": "Stranger Things", "tvdbId": 305288, "tmdbId": 66732, "imdbId": "tt4574334"}
    ]
    removed = invoke("DELETE", "/api/request/tv/66732", headers=auth)
    assert response_json(removed) == {"success": True, "message": "Request removed"}


def test_base64_bodies_and_json_errors(lambda_env: dict[str, str]) -> None:
    body = login_body(PASSWORD, "bob", origin=ORIGIN, timestamp=int(time.time()) - 1)
    answer = invoke("POST", "/api/auth/verify", body=body, base64_body=True)
    assert answer["statusCode"] == 200 and response_json(answer)["name"] == "bob"
    missing = invoke("GET", "/api/nothing-here")
    assert missing["statusCode"] == 404 and response_json(missing) == {"detail": "Not found"}


def test_rate_limit_follows_source_ip_and_trusted_cloudfront(lambda_env: dict[str, str]) -> None:
    wrong = login_body("wrong", origin=ORIGIN)
    for _ in range(5):
        assert (
            invoke("POST", "/api/auth/verify", body=wrong, source_ip="198.51.100.20")["statusCode"]
            == 401
        )
    assert login(source_ip="198.51.100.20")["statusCode"] == 429
    # a spoofed X-Forwarded-For from an untrusted caller changes nothing
    spoofed = {"x-forwarded-for": "192.0.2.1"}
    assert login(source_ip="198.51.100.20", headers=spoofed)["statusCode"] == 429
    # behind trusted CloudFront the viewer address is the right-most untrusted hop
    via_cloudfront = {"x-forwarded-for": "198.51.100.20, 130.176.1.1"}
    assert login(source_ip="130.176.9.9", headers=via_cloudfront)["statusCode"] == 429
    elsewhere = {"x-forwarded-for": "198.51.100.77"}
    assert login("carol", source_ip="130.176.9.9", headers=elsewhere)["statusCode"] == 200


def test_nothing_heavy_is_imported_until_needed(lambda_env: dict[str, str]) -> None:
    import subprocess
    import sys

    script = (
        "import sys, stellarr.lambda_handler as h\n"
        "heavy = [m for m in ('fastapi', 'httpx', 'pydantic', 'mangum') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
