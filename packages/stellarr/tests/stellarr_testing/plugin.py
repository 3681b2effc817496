"""Fixtures every Stellarr suite shares; loaded with `pytest_plugins` from tests/conftest.py."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

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


def pytest_configure(config: pytest.Config) -> None:
    # CPython before 3.11.5 (Debian 12 has 3.11.2) can fail inside ast.parse while pytest
    # draws a failure's source from a large module such as Playwright's (CPython
    # gh-106905): the whole run then ends in an INTERNALERROR. Native tracebacks parse
    # nothing but single lines.
    if sys.version_info < (3, 11, 5) and config.option.tbstyle == "auto":
        config.option.tbstyle = "native"


# DynamoDB Local is checked once, before any test runs: without Java or its jar, the tests
# that need it are taken out of the run and the run fails once, with the reason, instead of
# erroring (and fetching again) once per test.
_DYNAMODB_UNAVAILABLE = pytest.StashKey[str]()


def _needs_dynamodb(item: pytest.Item) -> bool:
    uses = getattr(item, "fixturenames", ())
    return item.get_closest_marker("dynamodb") is not None or "dynamodb_endpoint" in uses


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from stellarr_testing.dynamodb_local import DynamoDBLocalUnavailable, check_available

    needing = [item for item in items if _needs_dynamodb(item)]
    if not needing:
        return
    try:
        check_available()
    except DynamoDBLocalUnavailable as error:
        config.stash[_DYNAMODB_UNAVAILABLE] = (
            f"DynamoDB Local is unavailable, so {len(needing)} tests that need it did not run: "
            f"{error}"
        )
        config.hook.pytest_deselected(items=needing)
        left_out = set(needing)
        items[:] = [item for item in items if item not in left_out]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    reason = config.stash.get(_DYNAMODB_UNAVAILABLE, None)
    if reason:
        terminalreporter.write_line(f"FAILED (setup): {reason}", red=True, bold=True)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    if session.config.stash.get(_DYNAMODB_UNAVAILABLE, None):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
