"""The API suite runs once per Store adapter: the same app, only the adapter differs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from stellarr.store.base import Store
from stellarr_testing.fake_tmdb import FakeTMDB
from stellarr_testing.harness import Harness, harness_env, make_harness
from stellarr_testing.stores import STORE_PARAMS, StoreMaker

MakeApi = Callable[..., Awaitable[Harness]]


@pytest.fixture(params=STORE_PARAMS)
def store_maker(request: pytest.FixtureRequest) -> StoreMaker:
    maker: StoreMaker = request.getfixturevalue(f"{request.param}_store_maker")
    return maker


@pytest.fixture
async def make_api(
    fake_tmdb: FakeTMDB, tmp_path: Path, store_maker: StoreMaker
) -> AsyncIterator[MakeApi]:
    made: list[Harness] = []

    async def make(
        client_ip: str = "203.0.113.7",
        base_url: str = "http://stellarr.test",
        store: Store | None = None,
        **env: Any,
    ) -> Harness:
        settings_env = harness_env(fake_tmdb.url, str(tmp_path), **env)
        harness = make_harness(
            settings_env,
            store=store or await store_maker(tmp_path / f"store{len(made)}"),
            client_ip=client_ip,
            base_url=base_url,
        )
        made.append(harness)
        return harness

    yield make
    for harness in made:
        await harness.close()


@pytest.fixture
async def api(make_api: MakeApi) -> Harness:
    return await make_api()
