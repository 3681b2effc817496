import asyncio

from stellarr.clients.cache import TTLCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_concurrent_misses_share_one_load_and_entries_expire() -> None:
    clock = Clock()
    cache: TTLCache[str, int] = TTLCache(10, clock=clock)
    calls = 0

    async def load() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return calls

    values = await asyncio.gather(*(cache.get_or_load("k", load) for _ in range(20)))
    assert values == [1] * 20 and calls == 1
    clock.now = 10.5
    assert await cache.get_or_load("k", load) == 2


async def test_failed_load_is_not_cached_and_reaches_every_waiter() -> None:
    cache: TTLCache[str, int] = TTLCache(10)

    async def boom() -> int:
        await asyncio.sleep(0.01)
        raise RuntimeError("down")

    results = await asyncio.gather(
        *(cache.get_or_load("k", boom) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, RuntimeError) for r in results)
    assert len(cache) == 0

    async def ok() -> int:
        return 5

    assert await cache.get_or_load("k", ok) == 5


def test_bounded_by_max_entries() -> None:
    cache: TTLCache[int, int] = TTLCache(10, max_entries=3)
    for i in range(5):
        cache.put(i, i)
    assert len(cache) == 3
    assert cache.peek(0) is None and cache.peek(4) == 4
