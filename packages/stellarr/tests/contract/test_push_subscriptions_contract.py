"""The PushSubscriptions contract: several per user, exactly one owner per endpoint."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from stellarr.domain.errors import Conflict
from stellarr.store.ports import PushSubscription, PushSubscriptions

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
FCM = "https://fcm.googleapis.com/fcm/send/"
MOZILLA = "https://updates.push.services.mozilla.com/wpush/v2/"


def sub(user: str, endpoint: str, minutes: int = 0, key: str = "k") -> PushSubscription:
    return PushSubscription(
        user=user,
        endpoint=endpoint,
        p256dh=f"BP{key}-{'x' * 80}",
        auth=f"au-{key}",
        created_at=T0 + timedelta(minutes=minutes),
    )


async def test_a_user_has_several_listed_oldest_first(push: PushSubscriptions) -> None:
    phone = sub("alice", FCM + "phone", minutes=5)
    laptop = sub("alice", MOZILLA + "laptop", minutes=1)
    tablet = sub("alice", FCM + "tablet", minutes=3)
    for s in (phone, laptop, tablet):
        assert await push.save(s) is True
    await push.save(sub("bob", FCM + "bobs", minutes=0))
    assert await push.for_user("alice") == [laptop, tablet, phone]
    assert [s.endpoint for s in await push.for_user("bob")] == [FCM + "bobs"]
    assert await push.for_user("carol") == []


async def test_another_users_endpoint_is_refused_and_left_alone(push: PushSubscriptions) -> None:
    mine = sub("alice", FCM + "a1")
    await push.save(mine)
    with pytest.raises(Conflict):
        await push.save(sub("bob", FCM + "a1", minutes=9, key="stolen"))
    assert await push.for_user("alice") == [mine]
    assert await push.for_user("bob") == []


async def test_only_the_owner_can_remove(push: PushSubscriptions) -> None:
    mine = sub("alice", FCM + "a1")
    other = sub("alice", FCM + "a2", minutes=1)
    await push.save(mine)
    await push.save(other)
    assert await push.remove("bob", FCM + "a1") is False
    assert await push.for_user("alice") == [mine, other]
    assert await push.remove("alice", FCM + "a1") is True
    assert await push.remove("alice", FCM + "a1") is False
    assert await push.remove("alice", FCM + "never") is False
    assert await push.for_user("alice") == [other]
    # Once removed, the endpoint is free for whoever subscribes it next.
    assert await push.save(sub("bob", FCM + "a1", minutes=2)) is True
    assert [s.user for s in await push.for_user("bob")] == ["bob"]


async def test_refresh_updates_the_keys_and_keeps_created_at(push: PushSubscriptions) -> None:
    first = sub("alice", FCM + "a1", minutes=0, key="old")
    assert await push.save(first) is True
    refreshed = sub("alice", FCM + "a1", minutes=30, key="new")
    assert await push.save(refreshed) is False
    assert await push.for_user("alice") == [replace(refreshed, created_at=first.created_at)]


async def test_discard_forgets_an_endpoint_whoever_owns_it(push: PushSubscriptions) -> None:
    await push.save(sub("alice", FCM + "gone"))
    kept = sub("alice", FCM + "kept", minutes=1)
    await push.save(kept)
    await push.discard(FCM + "gone")
    await push.discard(FCM + "never-saved")
    assert await push.for_user("alice") == [kept]
    assert await push.save(sub("bob", FCM + "gone")) is True


async def test_racing_users_leave_exactly_one_owner(push: PushSubscriptions) -> None:
    users = [f"u{i}" for i in range(6)]
    results = await asyncio.gather(
        *(push.save(sub(u, FCM + "contested", key=u)) for u in users), return_exceptions=True
    )
    assert results.count(True) == 1
    assert all(isinstance(r, Conflict) for r in results if r is not True)
    owner = users[results.index(True)]
    held = {u: await push.for_user(u) for u in users}
    assert held[owner] == [sub(owner, FCM + "contested", key=owner)]
    assert all(held[u] == [] for u in users if u != owner)


async def test_text_round_trips_exactly(push: PushSubscriptions) -> None:
    odd = PushSubscription(
        user="ünï@example.org",
        endpoint="https://web.push.apple.com/QGk-ünï?x=1&y=%20",
        p256dh="BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
        auth="tBHItJI5svbpez7KI4CCXg",
        created_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
    )
    await push.save(odd)
    assert await push.for_user(odd.user) == [odd]
