"""Fixtures every Stellarr suite shares; loaded with `pytest_plugins` from tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stellarr_testing.fake_notify import FakeNotifyTarget, running_notify_target
from stellarr_testing.fake_tmdb import FakeTMDB, running_fake_tmdb
from stellarr_testing.fake_tvdb import FakeTVDB, running_fake_tvdb
from stellarr_testing.stores import (  # noqa: F401  (fixtures, found by pytest by name)
    dynamodb_endpoint,
    dynamodb_store_maker,
    memory_store_maker,
    moto_endpoint,
    sqlite_store_maker,
)


@pytest.fixture(scope="session")
def fake_tmdb_server() -> Iterator[FakeTMDB]:
    with running_fake_tmdb() as server:
        yield server


@pytest.fixture
def fake_tmdb(fake_tmdb_server: FakeTMDB) -> FakeTMDB:
    fake_tmdb_server.reset()
    return fake_tmdb_server


@pytest.fixture(scope="session")
def fake_tvdb_server() -> Iterator[FakeTVDB]:
    with running_fake_tvdb() as server:
        yield server


@pytest.fixture
def fake_tvdb(fake_tvdb_server: FakeTVDB) -> FakeTVDB:
    fake_tvdb_server.reset()
    return fake_tvdb_server


@pytest.fixture
def notify_target() -> Iterator[FakeNotifyTarget]:
    """An Apprise `json://` target of its own for each test."""
    with running_notify_target() as target:
        yield target
