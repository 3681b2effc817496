"""Backends for the parametrised suites: local (SQLite + folder, on a FakeClock) and AWS
(boto3 against moto in server mode on 127.0.0.1, fresh tables, queues and buckets per test).

`Harness.advance` moves time: the fake clock locally; on moto, whose SQS keeps real time,
it sleeps. Everything else the tests do is the same on both."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from stereospot.aws.backend import aws_backend
from stereospot.aws.provision import provision
from stereospot.local.backend import local_backend
from stereospot.ports import Backend
from stereospot.settings import Settings
from stereospot_testing.clock import FakeClock

BACKENDS = ["local", pytest.param("aws", marks=pytest.mark.aws)]
SIGNING_KEY = "k" * 40


@dataclass
class Harness:
    kind: str
    settings: Settings
    backend: Backend
    clock: Any

    def advance(self, seconds: float) -> None:
        if isinstance(self.clock, FakeClock):
            self.clock.advance(seconds)
        else:
            time.sleep(seconds)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto in server mode (DynamoDB, SQS, S3 with notifications to SQS) on 127.0.0.1."""
    from moto.server import ThreadedMotoServer

    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        os.environ.setdefault(name, value)
    import logging

    logging.getLogger("werkzeug").setLevel(level=logging.WARNING)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        _, port = server.get_host_and_port()
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


# Both backends run the same small, fast pipeline in tests.
TEST_PIPELINE: dict[str, Any] = {
    "segment_seconds": 2.0,
    "visibility_timeout": 30.0,
    "converter": "passthrough",
    "poll_seconds": 0.05,
}


def local_settings(folder: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": folder, **TEST_PIPELINE}
    values.update(overrides)
    return Settings.from_env({}, **values)


def aws_settings(endpoint: str, **overrides: Any) -> Settings:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    values: dict[str, Any] = {
        "backend": "aws",
        "aws_endpoint_url": endpoint,
        "aws_prefix": prefix,
        "input_bucket": f"{prefix}-in",
        "output_bucket": f"{prefix}-out",
        "signing_key": SIGNING_KEY,
        **TEST_PIPELINE,
    }
    values.update(overrides)
    return Settings.from_env({}, **values)


def make_harness(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest, **overrides: Any
) -> Harness:
    if kind == "local":
        clock = FakeClock()
        settings = local_settings(tmp_path / "data", **overrides)
        return Harness(kind, settings, local_backend(settings, clock), clock)
    endpoint: str = request.getfixturevalue("moto_endpoint")
    settings = aws_settings(endpoint, **overrides)
    provision(settings)
    return Harness(kind, settings, aws_backend(settings), time.time)


@pytest.fixture(params=BACKENDS)
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    made = make_harness(request.param, tmp_path, request)
    try:
        yield made
    finally:
        made.backend.close()
