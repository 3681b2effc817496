"""SegmentCompletions and ReassemblyTriggered: idempotent puts, ordered strongly consistent
reads, one winner per job."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from stereospot.jobs.keys import new_job_id
from stereospot.jobs.models import SegmentCompletion
from stereospot_testing.backends import Harness


def completion(job_id: str, index: int, total: int = 5) -> SegmentCompletion:
    return SegmentCompletion(
        job_id, index, total, f"segments/{job_id}/{index}.mp4", 1.5, {"n": index}
    )


def test_completions_are_idempotent_and_ordered(harness: Harness) -> None:
    store = harness.backend.completions
    job_id, other = new_job_id(), new_job_id()
    for index in (3, 0, 4, 0, 1, 3):
        store.put(completion(job_id, index))
    store.put(completion(other, 0))
    assert [c.index for c in store.of_job(job_id)] == [0, 1, 3, 4]
    assert store.of_job(job_id)[2] == completion(job_id, 3)
    store.delete_job(job_id)
    assert store.of_job(job_id) == [] and len(store.of_job(other)) == 1


def test_completions_from_many_threads_all_land(harness: Harness) -> None:
    store = harness.backend.completions
    job_id = new_job_id()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: store.put(completion(job_id, i % 12, 12)), range(36)))
    assert [c.index for c in store.of_job(job_id)] == list(range(12))


def test_trigger_has_one_winner_among_threads(harness: Harness) -> None:
    triggers = harness.backend.triggers
    job_id = new_job_id()
    now = harness.clock()
    barrier = threading.Barrier(6)

    def claim(_: int) -> bool:
        barrier.wait()
        return triggers.claim(job_id, now + 60, now)

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(claim, range(6)))
    assert results.count(True) == 1


def test_trigger_expires_and_clears(harness: Harness) -> None:
    triggers = harness.backend.triggers
    job_id = new_job_id()
    now = harness.clock()
    assert triggers.claim(job_id, now + 60, now)
    assert not triggers.claim(job_id, now + 60, now + 30)
    assert triggers.claim(job_id, now + 200, now + 61)  # expired markers count as absent
    triggers.clear(job_id)
    assert triggers.claim(job_id, now + 60, now)
