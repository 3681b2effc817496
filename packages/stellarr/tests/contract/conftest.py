"""Each port's contract suite runs against every adapter of it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from stellarr.store.ports import ExpiringKeys, MediaStore, PushSubscriptions, Stores
from stellarr_testing.stores import STORE_PARAMS, StoreMaker


@pytest.fixture(params=["memory", *STORE_PARAMS])
async def stores(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stores]:
    maker: StoreMaker = request.getfixturevalue(f"{request.param}_store_maker")
    made = await maker(tmp_path)
    await made.database.open()
    try:
        yield made
    finally:
        await made.database.close()


@pytest.fixture
def store(stores: Stores) -> MediaStore:
    return stores.media


@pytest.fixture
def keys(stores: Stores) -> ExpiringKeys:
    return stores.keys


@pytest.fixture
def push(stores: Stores) -> PushSubscriptions:
    return stores.push
