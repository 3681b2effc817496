"""The runtime's retry decision: an Unconvertible source is recorded once and its message
deleted, never hidden for a redelivery; every other error keeps the retry policy's delay,
and so does a refusal whose error hook could not record it (its job must not stay active)."""

from __future__ import annotations

from typing import Any

import pytest

from stereospot.media.admission import Unconvertible
from stereospot.ports import Message
from stereospot.workers.runtime import Heartbeat, Worker


class FakeQueue:
    name = "chunking"

    def __init__(self) -> None:
        self.extended: list[tuple[str, float]] = []
        self.deleted: list[str] = []

    def extend(self, receipt: str, seconds: float) -> None:
        self.extended.append((receipt, seconds))

    def delete(self, receipt: str) -> None:
        self.deleted.append(receipt)


def run_once(error: Exception, hook_fails: bool = False) -> tuple[FakeQueue, list[Exception]]:
    queue, recorded = FakeQueue(), []

    def handle(message: Message, heartbeat: Heartbeat) -> None:
        raise error

    def hook(message: Message, exc: Exception) -> None:
        if hook_fails:
            raise RuntimeError("the job store is down")
        recorded.append(exc)

    worker = Worker(
        "chunker",
        queue,  # type: ignore[arg-type]
        handle,
        visibility=30,
        clock=lambda: 1000.0,
        on_error=hook,
    )
    message: Any = Message(message_id="m", receipt="r", body="{}", receive_count=1)
    worker.process(message)
    return queue, recorded


def test_an_unconvertible_source_is_recorded_and_never_redelivered() -> None:
    refusal = Unconvertible("the file has no video stream")
    queue, recorded = run_once(refusal)
    assert recorded == [refusal]
    assert (queue.deleted, queue.extended) == (["r"], [])


@pytest.mark.parametrize(
    "error", [ValueError("decoder choked on frame 7"), FileNotFoundError("source.mp4")]
)
def test_other_errors_wait_for_the_retry_policy(error: Exception) -> None:
    queue, recorded = run_once(error)
    assert recorded == [error]
    assert (queue.deleted, queue.extended) == ([], [("r", 5.0)])


def test_a_refusal_whose_hook_failed_comes_back_to_be_recorded() -> None:
    queue, _ = run_once(Unconvertible("the file is not a readable video"), hook_fails=True)
    assert (queue.deleted, queue.extended) == ([], [("r", 5.0)])
