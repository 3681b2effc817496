"""The Lambda handler on real Function URL events: DynamoDB Local for the store, moto's
Secrets Manager for the settings, the fake TMDB for search and requests; and the handler's
life on Lambda: built during init, and SnapStart's snapshot and restore."""

from __future__ import annotations

import asyncio
import importlib
import json
import random
import sys
import time
import types
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from stellarr import lambda_handler
from stellarr.services.container import Services, ServicesClosed
from stellarr_testing.fake_tmdb import API_KEY, FakeTMDB
from stellarr_testing.lambda_events import function_url_event, response_json
from stellarr_testing.login import login_body
from stellarr_testing.stores import moto_admin

PASSWORD = "lambda shared password"
ORIGIN = "https://requests.example.com"
SECRET = {
    "APP_SECRET_KEY": "s" * 48,
    "PRESHARED_PASSWORD": PASSWORD,
    "TMDB_API_KEY": API_KEY,
    "FEED_TOKEN": "feed-from-secret",
}


@pytest.fixture
def lambda_env(
    monkeypatch: pytest.MonkeyPatch, dynamodb_endpoint: str, moto_endpoint: str, fake_tmdb: FakeTMDB
) -> Iterator[dict[str, str]]:
    secret_name = f"stellarr-{uuid.uuid4().hex[:8]}"
    secrets = moto_admin("secretsmanager", moto_endpoint)
    arn = secrets.create_secret(
        Name=secret_name,
        SecretString=json.dumps(SECRET),
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
        loop = handler_loop()
        loop.run_until_complete(built.app.state.services.close())
        loop.close()
        asyncio.set_event_loop(None)


def handler_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_event_loop_policy().get_event_loop()


def built_services() -> Services:
    services: Services = lambda_handler._asgi_handler.app.state.services
    return services


def tables(dynamodb_endpoint: str) -> list[str]:
    # ListTables answers 100 names a page, and the session's DynamoDB Local holds more than
    # that by the time the whole suite has run: read every page.
    pages = moto_admin("dynamodb", dynamodb_endpoint).get_paginator("list_tables").paginate()
    return [name for page in pages for name in page["TableNames"]]


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


class RuntimeHooks(types.ModuleType):
    """Stands in for `snapshot_restore_py`, which only Lambda's Python runtimes carry: it
    records the hooks and runs them the way the runtime documents (before the snapshot in
    reverse order of registration, after the restore in order)."""

    def __init__(self) -> None:
        super().__init__(lambda_handler.RUNTIME_HOOKS_MODULE)
        self.before: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
        self.after: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []

    def register_before_snapshot(self, func: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        self.before.append((func, args, kw))
        return func

    def register_after_restore(self, func: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        self.after.append((func, args, kw))
        return func

    def snapshot(self) -> None:
        for func, args, kw in reversed(self.before):
            func(*args, **kw)

    def restore(self) -> None:
        for func, args, kw in self.after:
            func(*args, **kw)


def lambda_init(monkeypatch: pytest.MonkeyPatch, initialization: str) -> None:
    """What the runtime does during init: import the handler module."""
    monkeypatch.setenv(lambda_handler.INITIALIZATION_TYPE, initialization)
    importlib.reload(lambda_handler)


@pytest.fixture
def runtime_hooks(monkeypatch: pytest.MonkeyPatch) -> RuntimeHooks:
    hooks = RuntimeHooks()
    monkeypatch.setitem(sys.modules, hooks.__name__, hooks)
    return hooks


def random_generators() -> dict[str, Callable[[], object]]:
    """Every generator whose state a snapshot would hand to all its restored instances."""
    from stellarr.aws.dynamodb import BATCH_POLICY
    from stellarr.aws.http import DEFAULT_POLICY
    from stellarr.clients.tmdb import DEFAULT_RETRY
    from stellarr.store.dynamodb.media import CONFLICT_POLICY

    # The retry policies draw their jitter from the process-wide generator, so reseeding it
    # after a restore covers them all.
    for policy in (DEFAULT_POLICY, BATCH_POLICY, CONFLICT_POLICY, DEFAULT_RETRY):
        assert policy.rng is None
    return {"random": random.getstate}


def test_on_demand_init_builds_the_app_without_touching_the_network(
    lambda_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, dynamodb_endpoint: str
) -> None:
    assert lambda_handler.RUNTIME_HOOKS_MODULE not in sys.modules  # not a Lambda runtime
    lambda_init(monkeypatch, "on-demand")
    # Built, but not warmed: a request may be waiting for this init.
    assert "tmdb" not in vars(built_services())
    assert lambda_env["DYNAMODB_TABLE"] not in tables(dynamodb_endpoint)

    health = invoke("GET", "/api/health")
    assert health["statusCode"] == 200
    assert lambda_env["DYNAMODB_TABLE"] in tables(dynamodb_endpoint)


def test_snapstart_restored_instance_reuses_nothing_from_before_the_snapshot(
    lambda_env: dict[str, str],
    runtime_hooks: RuntimeHooks,
    monkeypatch: pytest.MonkeyPatch,
    dynamodb_endpoint: str,
    moto_endpoint: str,
) -> None:
    lambda_init(monkeypatch, "snap-start")
    assert [f.__name__ for f, _, _ in runtime_hooks.before] == ["before_snapshot"]
    assert [f.__name__ for f, _, _ in runtime_hooks.after] == ["after_restore"]
    # Built and warmed during init, without a connection: the table is made on first use.
    before = built_services()
    assert {"tmdb", "media_requests", "search"} <= vars(before).keys()
    assert lambda_env["DYNAMODB_TABLE"] not in tables(dynamodb_endpoint)

    # Whatever init leaves behind must not survive: here a pooled connection to the table
    # and settings read from the secret.
    assert invoke("GET", "/list/sonarr", query="token=feed-from-secret")["statusCode"] == 200
    table_before = before.stores.database.client  # type: ignore[attr-defined]
    pool_before = table_before._http._client
    assert not pool_before.is_closed

    runtime_hooks.snapshot()
    assert pool_before.is_closed
    with pytest.raises(ServicesClosed):
        handler_loop().run_until_complete(before.ready())

    # Days later, in one of many instances: the secret was rotated, credentials are new.
    rotated = {**SECRET, "FEED_TOKEN": "rotated-feed-token"}
    moto_admin("secretsmanager", moto_endpoint).put_secret_value(
        SecretId=lambda_env["APP_SECRET_ARN"], SecretString=json.dumps(rotated)
    )
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session-token-after-restore")
    generators = random_generators()
    in_snapshot = {name: state() for name, state in generators.items()}
    # DynamoDB client tokens need no reseeding: uuid4 reads os.urandom on every call.
    random.seed(0)
    token = uuid.uuid4()
    random.seed(0)
    assert uuid.uuid4() != token
    random.setstate(in_snapshot["random"])

    runtime_hooks.restore()

    after = built_services()
    assert after is not before
    table_after = after.stores.database.client  # type: ignore[attr-defined]
    assert table_after is not table_before
    assert table_after._http._client is None  # no pool until the first call needs one
    assert table_after._http._credentials.session_token == "session-token-after-restore"
    unchanged = [name for name, state in generators.items() if state() == in_snapshot[name]]
    assert unchanged == []

    assert invoke("GET", "/api/health")["statusCode"] == 200
    assert invoke("GET", "/list/sonarr", query="token=feed-from-secret")["statusCode"] == 401
    assert invoke("GET", "/list/sonarr", query="token=rotated-feed-token")["statusCode"] == 200
    pool_after = table_after._http._client
    assert pool_after is not None and pool_after is not pool_before
    assert not pool_after.is_closed
    answer = login()
    assert answer["statusCode"] == 200, answer


# The warmer's own function, as Lambda runs it: the module imported during init with this
# function's handler setting, then one EventBridge invocation.
CACHE_WARMER_RUN = """
import json, sys
from stellarr import lambda_handler
event = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
try:
    outcome = {"summary": lambda_handler.cache_warmer(event, None)}
except lambda_handler.TrendingFailed as failed:
    outcome = {"failed": str(failed)}
outcome["loaded"] = [m for m in ("fastapi", "starlette", "mangum") if m in sys.modules]
print(json.dumps(outcome))
"""


def run_cache_warmer(bucket: str) -> dict[str, Any]:
    import os
    import subprocess

    env = {
        **os.environ,
        "TRENDING_S3_BUCKET": bucket,
        lambda_handler.INITIALIZATION_TYPE: "on-demand",
        lambda_handler.HANDLER_VARIABLE: "stellarr.lambda_handler.cache_warmer",
    }
    result = subprocess.run(
        [sys.executable, "-c", CACHE_WARMER_RUN],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    outcome: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return outcome


@pytest.fixture
def trending_bucket(
    lambda_env: dict[str, str], moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> str:
    bucket = f"stellarr-trending-{uuid.uuid4().hex[:8]}"
    moto_admin("s3", moto_endpoint).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    monkeypatch.setenv("S3_ENDPOINT_URL", moto_endpoint)
    return bucket


def test_cache_warmer_writes_every_list_to_s3_without_loading_the_web_app(
    trending_bucket: str, moto_endpoint: str
) -> None:
    outcome = run_cache_warmer(trending_bucket)

    assert outcome["loaded"] == []  # neither during init nor in the run: a 128 MB function
    summary = outcome["summary"]
    assert len(summary) == 24 and {o["status"] for o in summary.values()} == {"ok"}
    s3 = moto_admin("s3", moto_endpoint)
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=trending_bucket)["Contents"])
    assert keys == sorted(f"{name}.json" for name in summary)
    assert "popular-movie-en.json" in keys and "upcoming-movie-de.json" in keys
    stored = s3.get_object(Bucket=trending_bucket, Key="trending-tv-es.json")
    assert stored["ContentType"] == "application/json"
    assert stored["CacheControl"] == "public, max-age=3600"
    body = stored["Body"].read()
    assert len(body) == summary["trending-tv-es"]["bytes"]
    assert [item["media_type"] for item in json.loads(body)["results"]] == ["tv"] * 12


def test_cache_warmer_fails_the_invocation_but_keeps_what_it_wrote(
    trending_bucket: str, moto_endpoint: str, fake_tmdb: FakeTMDB
) -> None:
    fake_tmdb.break_path("/3/trending/all/week", 503)
    outcome = run_cache_warmer(trending_bucket)
    assert outcome["failed"].startswith(
        "home lists failed: trending-all-en, trending-all-es, trending-all-fr, trending-all-de"
    )
    s3 = moto_admin("s3", moto_endpoint)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=trending_bucket)["Contents"]}
    assert len(keys) == 20 and "trending-movie-de.json" in keys


# The init phase in a fresh interpreter: how many collections ran while the handler module
# was imported (and so the app built), and what is frozen and enabled afterwards.
GC_DURING_INIT = """
import gc, json
before = [s["collections"] for s in gc.get_stats()]
from stellarr import lambda_handler
after = [s["collections"] for s in gc.get_stats()]
print(json.dumps({
    "collections": [a - b for a, b in zip(after, before)],
    "built": lambda_handler._asgi_handler is not None,
    "frozen": gc.get_freeze_count(),
    "enabled": gc.isenabled(),
}))
"""


def init_in_a_fresh_interpreter(initialization: str | None) -> dict[str, Any]:
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != lambda_handler.INITIALIZATION_TYPE}
    if initialization:
        env[lambda_handler.INITIALIZATION_TYPE] = initialization
    result = subprocess.run(
        [sys.executable, "-c", GC_DURING_INIT],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    outcome: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return outcome


def test_init_builds_with_the_collector_off_then_freezes_what_it_built(
    lambda_env: dict[str, str],
) -> None:
    elsewhere = init_in_a_fresh_interpreter(None)
    on_lambda = init_in_a_fresh_interpreter("on-demand")

    assert (elsewhere["built"], on_lambda["built"]) == (False, True)
    # Building the app (FastAPI, pydantic, every router) added no collection to those that
    # importing the handler module's own imports runs anyway.
    assert on_lambda["collections"] == elsewhere["collections"]
    assert elsewhere["frozen"] == 0
    # What was built is frozen: far more than the interpreter's own start-up objects.
    assert on_lambda["frozen"] > 50_000
    assert on_lambda["enabled"] is elsewhere["enabled"] is True


def test_snapshot_lets_the_collector_have_the_warmed_app(
    lambda_env: dict[str, str], runtime_hooks: RuntimeHooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    lambda_init(monkeypatch, "snap-start")
    assert gc.get_freeze_count() > 0 and gc.isenabled()

    runtime_hooks.snapshot()

    assert gc.get_freeze_count() == 0
    runtime_hooks.restore()
    assert invoke("GET", "/api/health")["statusCode"] == 200


# The init phase in a fresh interpreter: which models were built, and whether the OpenAPI
# document (the one user of FastAPI's own models) still renders.
MODELS_AFTER_INIT = """
import copy, json
from stellarr import lambda_handler
from fastapi.openapi.models import OpenAPI
from stellarr.api.schemas import RequestBody
built = {"fastapi's": OpenAPI.__pydantic_complete__, "ours": RequestBody.__pydantic_complete__}
event = copy.deepcopy(lambda_handler._WARM_UP_EVENT)
event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/openapi.json"
response = lambda_handler.handler(event, None)
document = json.loads(response["body"])
print(json.dumps({"built": built, "status": response["statusCode"],
                  "paths": "/api/requests" in document["paths"]}))
"""


def test_init_leaves_fastapis_own_models_unbuilt_until_the_openapi_document_needs_them(
    lambda_env: dict[str, str],
) -> None:
    import os
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", MODELS_AFTER_INIT],
        env={**os.environ, lambda_handler.INITIALIZATION_TYPE: "on-demand"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"built": {"fastapi's": False, "ours": True}, "status": 200, "paths": True}
