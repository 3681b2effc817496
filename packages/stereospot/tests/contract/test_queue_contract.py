"""Queue: SQS semantics on both adapters (visibility, receive counts, dead letters)."""

from __future__ import annotations

import pytest

from stereospot.ports import Queue
from stereospot_testing.backends import Harness, make_harness


@pytest.fixture(params=["local", pytest.param("aws", marks=pytest.mark.aws)])
def short(request: pytest.FixtureRequest, tmp_path: object) -> Harness:
    # One-second visibility so the AWS run (real time on moto) stays quick.
    made = make_harness(request.param, tmp_path, request, visibility_timeout=1.0, max_receives=2)  # type: ignore[arg-type]
    request.addfinalizer(made.backend.close)
    return made


def drain(queue: Queue) -> list[str]:
    bodies = []
    while batch := queue.receive(10):
        for message in batch:
            bodies.append(message.body)
            queue.delete(message.receipt)
    return bodies


def test_send_receive_delete(harness: Harness) -> None:
    queue = harness.backend.queues.chunking.main
    for n in range(15):
        queue.send(f"m{n}")
    assert queue.depth() == 15
    assert sorted(drain(queue)) == sorted(f"m{n}" for n in range(15))
    assert queue.depth() == 0 and queue.receive(1) == []


def test_in_flight_messages_are_hidden(harness: Harness) -> None:
    queue = harness.backend.queues.video.main
    queue.send("only")
    [message] = queue.receive(5)
    assert message.body == "only" and message.receive_count == 1
    assert queue.receive(5) == []
    assert queue.depth() == 1


def test_visibility_returns_the_message_and_counts(short: Harness) -> None:
    queue = short.backend.queues.reassembly.main
    queue.send("again")
    [first] = queue.receive()
    short.advance(1.5)
    [second] = queue.receive(wait=1)
    assert second.body == "again" and second.receive_count == 2
    queue.delete(first.receipt)  # a stale receipt is ignored
    queue.delete(second.receipt)
    assert queue.receive() == []


def test_extend_keeps_it_hidden_and_zero_releases(short: Harness) -> None:
    queue = short.backend.queues.reassembly.main
    queue.send("long work")
    [message] = queue.receive()
    queue.extend(message.receipt, 5)
    short.advance(1.5)
    assert queue.receive() == []
    queue.extend(message.receipt, 0)
    [back] = queue.receive(wait=1)
    assert back.body == "long work"


def test_too_many_receives_move_it_to_the_dead_letter_queue(short: Harness) -> None:
    pair = short.backend.queues.video
    pair.main.send("poison")
    for _ in range(2):
        assert [m.body for m in pair.main.receive(wait=1)] == ["poison"]
        short.advance(1.5)
    assert pair.main.receive(wait=1) == []
    [dead] = pair.dead.receive(wait=1)
    assert dead.body == "poison"


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_a_stopping_process_gets_its_waiting_receivers_back_at_once(harness: Harness) -> None:
    import threading

    changes = harness.backend.changes
    assert changes is not None  # the local backend signals its commits
    queue = harness.backend.queues.reassembly.main
    queue.poll = 60.0  # a receiver that would otherwise sleep out its whole wait

    def receiver() -> tuple[threading.Thread, list[object]]:
        got: list[object] = []
        thread = threading.Thread(target=lambda: got.append(queue.receive(1, wait=60)))
        thread.start()
        return thread, got

    first, got = receiver()
    first.join(timeout=0.2)
    assert first.is_alive()  # asleep on the database's signal
    changes.release_waits()
    first.join(timeout=20)  # far less than its 60 s
    assert not first.is_alive() and got == [[]]
    second, got = receiver()  # and nobody sleeps again
    second.join(timeout=20)
    assert not second.is_alive() and got == [[]]
