"""TheTVDB v4 client against the fake TheTVDB on 127.0.0.1: login, token reuse and renewal,
the one retry on 401, and errors that never carry the key."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from stellarr.clients.tvdb import TVDBClient, TVDBNotConfigured
from stellarr.domain.errors import UpstreamError
from stellarr.retry import RetryPolicy
from stellarr.settings import Settings
from stellarr_testing.fake_tvdb import API_KEY, FakeTVDB

BASE = Settings(app_secret_key="s" * 40, preshared_password="a long preshared password")


class Provider:
    def __init__(self, key: str | None) -> None:
        self.settings = replace(BASE, tvdb_api_key=key)

    async def get(self) -> Settings:
        return self.settings

    async def aclose(self) -> None:
        return None


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def no_sleep(delay: float) -> None:
    return None


@pytest.fixture
async def clock() -> Clock:
    return Clock()


@pytest.fixture
async def provider() -> Provider:
    return Provider(API_KEY)


@pytest.fixture
async def tvdb(fake_tvdb: FakeTVDB, provider: Provider, clock: Clock) -> AsyncIterator[TVDBClient]:
    client = TVDBClient(
        fake_tvdb.url,
        provider,
        retry=RetryPolicy(attempts=3, jitter=False),
        sleep=no_sleep,
        clock=clock,
        token_lifetime=3600,
    )
    yield client
    await client.aclose()


async def test_series_of_an_episode_with_one_login(fake_tvdb: FakeTVDB, tvdb: TVDBClient) -> None:
    fake_tvdb.add_episode(8530933, 397934)
    fake_tvdb.add_episode(8530934, 397934, number=2)
    assert await tvdb.episode_series_id(8530933) == 397934
    assert await tvdb.episode_series_id(8530934) == 397934
    assert fake_tvdb.logins == 1
    assert [s for s in fake_tvdb.seen if s[0] == "GET"] == [
        ("GET", "/episodes/8530933", True),
        ("GET", "/episodes/8530934", True),
    ]


async def test_an_answer_is_remembered(fake_tvdb: FakeTVDB, tvdb: TVDBClient) -> None:
    fake_tvdb.add_episode(1, 2)
    assert await tvdb.episode_series_id(1) == 2
    assert await tvdb.episode_series_id(1) == 2
    assert len([s for s in fake_tvdb.seen if s[0] == "GET"]) == 1


async def test_unknown_episode_is_none(fake_tvdb: FakeTVDB, tvdb: TVDBClient) -> None:
    assert await tvdb.episode_series_id(999) is None


async def test_a_rejected_token_is_renewed_once(fake_tvdb: FakeTVDB, tvdb: TVDBClient) -> None:
    fake_tvdb.add_episode(10, 20)
    fake_tvdb.add_episode(11, 20)
    assert await tvdb.episode_series_id(10) == 20
    fake_tvdb.revoke_tokens()
    assert await tvdb.episode_series_id(11) == 20
    assert fake_tvdb.logins == 2
    gets = [s for s in fake_tvdb.seen if s[0] == "GET"]
    assert gets[-2:] == [("GET", "/episodes/11", False), ("GET", "/episodes/11", True)]


async def test_the_token_is_renewed_before_it_expires(
    fake_tvdb: FakeTVDB, tvdb: TVDBClient, clock: Clock
) -> None:
    fake_tvdb.add_episode(10, 20)
    fake_tvdb.add_episode(11, 20)
    await tvdb.episode_series_id(10)
    clock.now += 3601
    await tvdb.episode_series_id(11)
    assert fake_tvdb.logins == 2
    # The renewal came before the call, so no request went out with a stale token.
    assert all(authorised for method, _, authorised in fake_tvdb.seen if method == "GET")


async def test_a_new_key_logs_in_again(
    fake_tvdb: FakeTVDB, tvdb: TVDBClient, provider: Provider
) -> None:
    fake_tvdb.add_episode(10, 20)
    fake_tvdb.add_episode(11, 20)
    await tvdb.episode_series_id(10)
    fake_tvdb.api_key = "rotated-tvdb-key-0123456789"
    provider.settings = replace(provider.settings, tvdb_api_key="rotated-tvdb-key-0123456789")
    try:
        assert await tvdb.episode_series_id(11) == 20
    finally:
        fake_tvdb.api_key = API_KEY
    assert fake_tvdb.logins == 2


async def test_concurrent_calls_share_one_login(fake_tvdb: FakeTVDB, tvdb: TVDBClient) -> None:
    for episode in range(1, 9):
        fake_tvdb.add_episode(episode, 100 + episode)
    found = await asyncio.gather(*(tvdb.episode_series_id(e) for e in range(1, 9)))
    assert found == [100 + e for e in range(1, 9)]
    assert fake_tvdb.logins == 1


async def test_a_wrong_key_is_an_upstream_error_without_the_key(
    fake_tvdb: FakeTVDB, tvdb: TVDBClient, provider: Provider
) -> None:
    provider.settings = replace(provider.settings, tvdb_api_key="wrong-key-SECRET-123")
    with pytest.raises(UpstreamError) as caught:
        await tvdb.episode_series_id(10)
    assert "TVDB_API_KEY" in str(caught.value)
    assert "SECRET" not in str(caught.value)


async def test_no_key_is_not_configured(fake_tvdb: FakeTVDB, tvdb: TVDBClient) -> None:
    no_key = TVDBClient(fake_tvdb.url, Provider(None))
    try:
        assert not await no_key.configured()
        with pytest.raises(TVDBNotConfigured):
            await no_key.episode_series_id(10)
    finally:
        await no_key.aclose()
    assert fake_tvdb.seen == []


async def test_server_errors_are_retried(fake_tvdb: FakeTVDB, tvdb: TVDBClient) -> None:
    fake_tvdb.add_episode(10, 20)
    fake_tvdb.fail_next(503, times=2)
    assert await tvdb.episode_series_id(10) == 20


async def test_server_errors_past_the_policy_are_upstream_errors(
    fake_tvdb: FakeTVDB, tvdb: TVDBClient
) -> None:
    fake_tvdb.fail_next(502, times=3)
    with pytest.raises(UpstreamError, match="502"):
        await tvdb.episode_series_id(10)


async def test_an_unreachable_tvdb_is_an_upstream_error(provider: Provider) -> None:
    client = TVDBClient("http://127.0.0.1:9/v4", provider, retry=RetryPolicy(attempts=1))
    try:
        with pytest.raises(UpstreamError, match="unreachable"):
            await client.episode_series_id(10)
    finally:
        await client.aclose()


@pytest.mark.parametrize("bad", [0, -1, 10**13])
async def test_ids_that_are_not_tvdb_ids_are_refused(tvdb: TVDBClient, bad: int) -> None:
    with pytest.raises(ValueError):
        await tvdb.episode_series_id(bad)
