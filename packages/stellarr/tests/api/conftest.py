"""The API suite runs once per store adapter: the same app, only the adapter differs.

`make_api` is parametrised over the adapters; a test that brings its own stores (a broken
one, a shared one) uses `make_api_with`, which runs once and starts nothing it does not need.
`hooks` is an app whose webhook and sync routes accept `TOKEN`; `notifying_hooks` also tells
the test's notify target when a request is added.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from stellarr.store.ports import Stores
from stellarr_testing.fake_notify import FakeNotifyTarget
from stellarr_testing.fake_tmdb import FakeTMDB
from stellarr_testing.harness import Harness, harness_env, make_harness
from stellarr_testing.stores import STORE_PARAMS, StoreMaker
from stellarr_testing.webhooks import TOKEN

MakeApi = Callable[..., Awaitable[Harness]]


@pytest.fixture(params=STORE_PARAMS)
def store_maker(request: pytest.FixtureRequest) -> StoreMaker:
    maker: StoreMaker = request.getfixturevalue(f"{request.param}_store_maker")
    return maker


async def _harnesses(
    fake_tmdb: FakeTMDB, tmp_path: Path, default_stores: StoreMaker | None
) -> AsyncIterator[MakeApi]:
    made: list[Harness] = []

    async def make(
        client_ip: str = "203.0.113.7",
        base_url: str = "http://stellarr.test",
        stores: Stores | None = None,
        **env: Any,
    ) -> Harness:
        if stores is None:
            assert default_stores is not None, "make_api_with needs stores="
            stores = await default_stores(tmp_path / f"store{len(made)}")
        settings_env = harness_env(fake_tmdb.url, str(tmp_path), **env)
        harness = make_harness(settings_env, stores, client_ip=client_ip, base_url=base_url)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        await harness.close()


@pytest.fixture
async def make_api(
    fake_tmdb: FakeTMDB, tmp_path: Path, store_maker: StoreMaker
) -> AsyncIterator[MakeApi]:
    async for make in _harnesses(fake_tmdb, tmp_path, store_maker):
        yield make


@pytest.fixture
async def make_api_with(fake_tmdb: FakeTMDB, tmp_path: Path) -> AsyncIterator[MakeApi]:
    async for make in _harnesses(fake_tmdb, tmp_path, None):
        yield make


@pytest.fixture
async def api(make_api: MakeApi) -> Harness:
    return await make_api()


@pytest.fixture
async def hooks(make_api: MakeApi) -> Harness:
    return await make_api(PLEX_WEBHOOK_TOKEN=TOKEN)


@pytest.fixture
async def notifying_hooks(make_api: MakeApi, notify_target: FakeNotifyTarget) -> Harness:
    return await make_api(PLEX_WEBHOOK_TOKEN=TOKEN, NOTIFY_URLS=notify_target.url())
