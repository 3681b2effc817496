"""One Store contract, run against every adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from stellarr.store.base import Store
from stellarr_testing.stores import STORE_PARAMS, StoreMaker


@pytest.fixture(params=["memory", *STORE_PARAMS])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    maker: StoreMaker = request.getfixturevalue(f"{request.param}_store_maker")
    adapter = await maker(tmp_path)
    await adapter.open()
    try:
        yield adapter
    finally:
        await adapter.close()
