"""The worker's heartbeat keeps a message hidden while its handler runs, but not for ever."""

from __future__ import annotations

from typing import Any

from stereospot.ports import Message
from stereospot.workers.runtime import Heartbeat, Worker


class FakeQueue:
    name = "video"

    def __init__(self) -> None:
        self.extended: list[tuple[str, float]] = []
        self.deleted: list[str] = []

    def extend(self, receipt: str, seconds: float) -> None:
        self.extended.append((receipt, seconds))

    def delete(self, receipt: str) -> None:
        self.deleted.append(receipt)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_heartbeat_stops_extending_after_the_longest_handler_time() -> None:
    queue, clock = FakeQueue(), FakeClock()
    beats: list[int] = []

    def hangs(message: Message, heartbeat: Heartbeat) -> None:
        for _ in range(20):  # progress every 20 s of a handler that never ends
            clock.now += 20
            heartbeat.beat()
            beats.append(len(queue.extended))
        assert heartbeat.expired

    worker = Worker(
        "video-0",
        queue,  # type: ignore[arg-type]
        hangs,
        visibility=30,
        clock=clock,
        max_handler_seconds=100,
    )
    message: Any = Message(message_id="m", receipt="r", body="{}", receive_count=1)
    worker.process(message)
    assert beats[:5] == [1, 2, 3, 4, 4]  # extended at 20, 40, 60, 80 s; not from 100 s on
    assert beats[-1] == 4
    assert queue.deleted == ["r"]


def test_without_a_limit_the_heartbeat_keeps_extending() -> None:
    queue, clock = FakeQueue(), FakeClock()
    heartbeat = Heartbeat(queue, "r", 30, clock)  # type: ignore[arg-type]
    for _ in range(50):
        clock.now += 20
        heartbeat.beat()
    assert len(queue.extended) == 50 and not heartbeat.expired
