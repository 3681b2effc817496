"""JobStore: conditional updates, leases, lists newest first, segment states."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from stereospot.errors import Conflict, NotFound
from stereospot.jobs.keys import new_job_id
from stereospot.jobs.models import Job, JobStatus, SegmentState, SegmentStatus
from stereospot_testing.backends import Harness


def make_job(h: Harness, owner: str = "ann", at: float | None = None, **fields: object) -> Job:
    now = h.clock() if at is None else at
    job = Job(
        job_id=new_job_id(),
        owner=owner,
        status=JobStatus.CREATED,
        created_at=now,
        updated_at=now,
        filename="clip.mp4",
        source_ext="mp4",
        params={"format": "half-sbs"},
    )
    job = dataclasses.replace(job, **fields)  # type: ignore[arg-type]
    h.backend.jobs.create(job)
    return job


def test_create_get_roundtrip(harness: Harness) -> None:
    job = make_job(harness, normalisation={"lo": 0.1, "hi": [1, 2]})
    assert harness.backend.jobs.get(job.job_id) == job
    assert harness.backend.jobs.get(new_job_id()) is None


def test_create_twice_conflicts(harness: Harness) -> None:
    job = make_job(harness)
    with pytest.raises(Conflict):
        harness.backend.jobs.create(job)


def test_update_is_conditional_on_status_and_version(harness: Harness) -> None:
    jobs = harness.backend.jobs
    job = make_job(harness)
    now = harness.clock() + 5
    queued = jobs.update(job.job_id, when={JobStatus.CREATED}, status=JobStatus.QUEUED, now=now)
    assert (queued.status, queued.version, queued.updated_at) == (JobStatus.QUEUED, 2, now)
    with pytest.raises(Conflict):
        jobs.update(job.job_id, when={JobStatus.CREATED}, status=JobStatus.QUEUED, now=now)
    with pytest.raises(Conflict):
        jobs.update(job.job_id, when={JobStatus.QUEUED}, version=1, now=now, changes={"error": "x"})
    changed = jobs.update(
        job.job_id,
        when={JobStatus.QUEUED},
        now=now,
        changes={"segment_count": 3, "errors": {"a": "b"}},
    )
    assert jobs.get(job.job_id) == changed
    assert changed.segment_count == 3 and changed.errors == {"a": "b"}
    with pytest.raises(NotFound):
        jobs.update(new_job_id(), when=set(JobStatus), now=now)
    with pytest.raises(ValueError):
        jobs.update(job.job_id, when=set(JobStatus), now=now, changes={"owner": "eve"})


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (JobStatus.COMPLETED, JobStatus.QUEUED),  # a finished job does not run again
        (JobStatus.CANCELLED, JobStatus.CONVERTING),
        (JobStatus.CREATED, JobStatus.COMPLETED),  # no skipping the work
        (JobStatus.CONVERTING, JobStatus.CHUNKING),  # no going back
    ],
)
def test_a_transition_the_state_machine_lacks_is_a_conflict(
    harness: Harness, start: JobStatus, to: JobStatus
) -> None:
    jobs = harness.backend.jobs
    job = make_job(harness, status=start)
    with pytest.raises(Conflict, match=f"is {start}; it cannot become {to}"):
        jobs.update(job.job_id, when=set(JobStatus), status=to, now=harness.clock())
    assert jobs.get(job.job_id) == job  # nothing written
    # The same update without a status change, or along the machine, is applied.
    assert jobs.update(job.job_id, when={start}, status=start, now=harness.clock()).version == 2


def test_concurrent_transitions_have_one_winner(harness: Harness) -> None:
    jobs = harness.backend.jobs
    job = make_job(harness)
    wins: list[int] = []

    def attempt(n: int) -> None:
        try:
            jobs.update(job.job_id, when={JobStatus.CREATED}, status=JobStatus.QUEUED, now=1.0)
            wins.append(n)
        except Conflict:
            pass

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1


def test_lease_expires_and_is_released(harness: Harness) -> None:
    jobs = harness.backend.jobs
    job = make_job(harness)
    now = harness.clock()
    assert jobs.acquire_lease(job.job_id, "a", now + 10, now)
    assert jobs.acquire_lease(job.job_id, "a", now + 20, now)  # renewal
    assert not jobs.acquire_lease(job.job_id, "b", now + 10, now + 19)
    assert jobs.acquire_lease(job.job_id, "b", now + 40, now + 21)  # a's lease ran out
    jobs.release_lease(job.job_id, "a")  # not a's any more: no effect
    assert not jobs.acquire_lease(job.job_id, "c", now + 50, now + 22)
    jobs.release_lease(job.job_id, "b")
    assert jobs.acquire_lease(job.job_id, "c", now + 50, now + 22)
    assert not jobs.acquire_lease(new_job_id(), "c", now + 50, now)


def test_update_keeps_a_lease_taken_meanwhile(harness: Harness) -> None:
    jobs = harness.backend.jobs
    job = make_job(harness)
    now = harness.clock()
    assert jobs.acquire_lease(job.job_id, "a", now + 100, now)
    jobs.update(job.job_id, when={JobStatus.CREATED}, status=JobStatus.QUEUED, now=now)
    assert not jobs.acquire_lease(job.job_id, "b", now + 100, now + 1)


def test_lists_newest_first_by_owner(harness: Harness) -> None:
    jobs = harness.backend.jobs
    base = harness.clock()
    # Jobs 1 and 3 are being joined, then complete; the others wait.
    made = [
        make_job(
            harness,
            owner="ann" if i % 2 else "bob",
            at=base + i,
            status=JobStatus.REASSEMBLING if i in (1, 3) else JobStatus.CREATED,
        )
        for i in range(6)
    ]
    done = made[1]
    jobs.update(
        done.job_id,
        when={JobStatus.REASSEMBLING},
        status=JobStatus.COMPLETED,
        now=base,
        changes={"completed_at": base + 50},
    )
    done2 = made[3]
    jobs.update(
        done2.job_id,
        when={JobStatus.REASSEMBLING},
        status=JobStatus.COMPLETED,
        now=base,
        changes={"completed_at": base + 40},
    )
    ann_active = jobs.find({JobStatus.CREATED, JobStatus.QUEUED}, owner="ann")
    assert [j.job_id for j in ann_active] == [made[5].job_id]
    everyone = jobs.find({JobStatus.CREATED})
    assert [j.created_at for j in everyone] == sorted(
        (j.created_at for j in everyone), reverse=True
    )
    assert len(everyone) == 4
    completed = jobs.find({JobStatus.COMPLETED}, order="completed", owner="ann")
    assert [j.job_id for j in completed] == [done.job_id, done2.job_id]
    assert len(jobs.find({JobStatus.CREATED}, limit=2)) == 2


def test_stalled_finds_jobs_without_progress(harness: Harness) -> None:
    jobs = harness.backend.jobs
    now = harness.clock()
    old = make_job(harness, at=now - 100, status=JobStatus.CONVERTING)
    fresh = make_job(harness, at=now - 100, status=JobStatus.CONVERTING)
    jobs.set_segment(fresh.job_id, SegmentState(0, SegmentStatus.CONVERTING, 5), now)
    found = jobs.stalled(now - 50, {JobStatus.CONVERTING})
    assert [j.job_id for j in found] == [old.job_id]


def test_segment_states_and_delete(harness: Harness) -> None:
    jobs = harness.backend.jobs
    job = make_job(harness)
    now = harness.clock()
    jobs.set_segment(job.job_id, SegmentState(1, SegmentStatus.FAILED, 40, "boom"), now)
    jobs.set_segment(job.job_id, SegmentState(0, SegmentStatus.CONVERTING, 10), now)
    jobs.set_segment(job.job_id, SegmentState(0, SegmentStatus.DONE, 100), now)
    assert jobs.segments(job.job_id) == [
        SegmentState(0, SegmentStatus.DONE, 100),
        SegmentState(1, SegmentStatus.FAILED, 40, "boom"),
    ]
    current = jobs.get(job.job_id)
    assert current is not None and current.version == job.version + 3
    jobs.update(job.job_id, when={JobStatus.CREATED}, status=JobStatus.QUEUED, now=now)
    assert len(jobs.segments(job.job_id)) == 2  # an update keeps the segment states
    jobs.delete(job.job_id)
    assert jobs.get(job.job_id) is None and jobs.segments(job.job_id) == []
    jobs.delete(job.job_id)
    with pytest.raises(NotFound):
        jobs.set_segment(job.job_id, SegmentState(0, SegmentStatus.DONE, 100), now)
