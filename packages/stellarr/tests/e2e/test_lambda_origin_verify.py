"""The origin check on Lambda: Function URL events without CloudFront's header are refused,
and the SnapStart warm-up request carries the header, so it reaches the routes it is there
to load instead of stopping at the check. A SQLite store keeps this independent of DynamoDB
Local (test_lambda_handler.py covers the AWS store and secret)."""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stellarr import lambda_handler
from stellarr.settings import KNOWN_VARIABLES
from stellarr_testing.lambda_events import function_url_event, response_json

SECRET = "lambda-origin-verify-secret-" + "l" * 24


@pytest.fixture
def lambda_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in (*KNOWN_VARIABLES, lambda_handler.INITIALIZATION_TYPE):
        monkeypatch.delenv(name, raising=False)
    env = {
        "STORE": "sqlite",
        "DATABASE_PATH": str(tmp_path / "data" / "stellarr.db"),
        "APP_SECRET_KEY": "lambda-origin-key-" + "k" * 30,
        "PRESHARED_PASSWORD": "a shared password",
        "ORIGIN_VERIFY_SECRET": SECRET,
        "ENV_FILE": str(tmp_path / "no.env"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(lambda_handler, "_asgi_handler", None)
    yield
    built = lambda_handler._asgi_handler
    if built is not None:
        loop = asyncio.get_event_loop_policy().get_event_loop()
        loop.run_until_complete(built.app.state.services.close())
        loop.close()
        asyncio.set_event_loop(None)


def invoke(path: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = lambda_handler.handler(function_url_event("GET", path, headers=headers), None)
    assert isinstance(response, dict)
    return response


def test_snapstart_warm_up_passes_the_check_and_urls_need_the_header(
    lambda_env: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="stellarr.api.origin_verify"):
        # What the runtime does during a SnapStart init: import the handler module.
        monkeypatch.setenv(lambda_handler.INITIALIZATION_TYPE, "snap-start")
        importlib.reload(lambda_handler)
    assert lambda_handler._asgi_handler is not None
    assert [r.getMessage() for r in caplog.records if "origin check" in r.getMessage()] == []

    refused = invoke("/api/health")
    assert refused["statusCode"] == 403
    assert "X-Origin-Verify" in response_json(refused)["detail"]
    answered = invoke("/api/health", headers={"X-Origin-Verify": SECRET})
    assert answered["statusCode"] == 200, answered
    assert SECRET not in str(refused) and SECRET not in str(answered)
