"""Fault injection: killed workers, duplicate events, racing completions, a crash after the
final write, a poison segment, a lost message. The job must always end completed (or
failed with its reason), with exactly one final file."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import Counter
from pathlib import Path

import pytest

from stereospot.bootstrap import App
from stereospot.converters import Progress
from stereospot.jobs.models import JobStatus, SegmentCompletion
from stereospot.media.span import Span
from stereospot.pipeline import record_completion
from stereospot.ports import ObjectRef
from stereospot.workers import video as video_worker
from stereospot.workers.reconciler import reconcile_once
from stereospot_testing.backends import Harness
from stereospot_testing.faults import (
    CountingObjects,
    ElsewhereObjects,
    Scripted,
    WorkerKilled,
    segment_index,
)
from stereospot_testing.pipeline import assert_matches_source, make_app, submit
from stereospot_testing.videos import make_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clips")
    return make_video(folder / "clip.mp4", seconds=6, keyframes=[2.0, 4.0], gop=250)


def status(app: object, job_id: str) -> JobStatus:
    return app.service.detail("ann", job_id).job.status  # type: ignore[attr-defined]


def drain_until_dead_lettered(app: App, harness: Harness) -> None:
    """Run the workers through every redelivery a failing message gets, until it lands in
    its dead-letter queue (the fake clock moves past each visibility timeout)."""
    for _ in range(harness.settings.max_receives + 1):
        app.drain()
        harness.advance(app.ctx.policy.ceiling + 1)
    app.drain()


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_killed_video_worker_message_returns_and_job_completes(
    harness: Harness, clip: Path
) -> None:
    def die_once(call: int, src: Path, progress: Progress | None, span: Span | None) -> None:
        if call == 1:
            assert progress is not None
            progress(30)  # mid-segment
            raise WorkerKilled("SIGKILL")

    app = make_app(harness, converter=Scripted(die_once))
    job = submit(app, clip)
    with pytest.raises(WorkerKilled):
        app.drain()
    app.drain()  # the killed segment's message is still hidden: the others finish
    assert status(app, job.job_id) == JobStatus.CONVERTING
    harness.advance(harness.settings.visibility_timeout + 1)
    app.drain()
    assert status(app, job.job_id) == JobStatus.COMPLETED
    assert_matches_source(app, job.job_id, clip)


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_heartbeat_keeps_a_long_segment_hidden(harness: Harness, clip: Path) -> None:
    redelivered: list[str] = []
    visibility = harness.settings.visibility_timeout

    def slow(call: int, src: Path, progress: Progress | None, span: Span | None) -> None:
        assert progress is not None
        if call > 1:
            return
        index = segment_index(app, job.job_id, span)
        for step in range(1, 7):  # twice the visibility timeout, in thirds
            harness.advance(visibility / 3)
            progress(step * 10)
        queue = harness.backend.queues.video.main
        for message in queue.receive(10):
            if f"/{index}_3.mp4" in message.body:
                redelivered.append(message.body)
            queue.extend(message.receipt, 0)  # the other segments: put back untouched

    app = make_app(harness, converter=Scripted(slow))
    job = submit(app, clip)
    app.drain()
    assert redelivered == []  # the segment was handed out twice while it was being worked on
    assert status(app, job.job_id) == JobStatus.COMPLETED


def test_duplicate_s3_events_convert_each_segment_once(harness: Harness, clip: Path) -> None:
    # By the segment's content (S3 fetches rename it), and its span of the source when it is
    # read in place.
    converted: Counter[tuple[str, Span | None]] = Counter()

    def count(call: int, src: Path, progress: Progress | None, span: Span | None) -> None:
        converted[hashlib.sha256(src.read_bytes()).hexdigest(), span] += 1

    counting = CountingObjects(harness.backend.objects)
    backend = dataclasses.replace(harness.backend, objects=counting)
    app = make_app(dataclasses.replace(harness, backend=backend), converter=Scripted(count))
    queues = harness.backend.queues
    job = submit(app, clip)
    for pair in (queues.chunking, queues.video, queues.chunking, queues.video):
        for message in pair.main.receive(10, wait=0.2):
            pair.main.send(message.body)  # duplicate, then let the original come back too
            pair.main.extend(message.receipt, 0)
        app.drain()
    assert status(app, job.job_id) == JobStatus.COMPLETED
    assert_matches_source(app, job.job_id, clip)
    segments = app.backend.jobs.get(job.job_id).segment_count  # type: ignore[union-attr]
    assert segments == 3
    assert sorted(converted.values()) == [1] * segments  # every segment, each exactly once
    assert counting.final_writes == 1


def test_completions_out_of_order_from_many_threads(
    harness: Harness, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(harness)
    job = submit(app, clip)
    chunkers = app.workers("media")[:1]
    while chunkers[0].step(0):
        pass
    # The video workers convert every segment; their completions are held back here and
    # then recorded out of order, each three times, by nine threads at once.
    held: list[SegmentCompletion] = []
    monkeypatch.setattr(video_worker, "record_completion", lambda ctx, c: held.append(c))
    videos = app.workers("video")[0]
    while videos.step(0):
        pass
    assert len(held) == 3
    completions = list(reversed(held)) * 3
    barrier = threading.Barrier(len(completions))

    def one(completion: SegmentCompletion) -> None:
        barrier.wait()
        record_completion(app.ctx, completion)

    threads = [threading.Thread(target=one, args=(c,)) for c in completions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert harness.backend.queues.reassembly.main.depth() == 1  # exactly one trigger
    app.drain()
    assert status(app, job.job_id) == JobStatus.COMPLETED


def test_reassembler_crash_after_write_does_not_write_twice(harness: Harness, clip: Path) -> None:
    counting = CountingObjects(harness.backend.objects, crash_after_final=True)
    backend = dataclasses.replace(harness.backend, objects=counting)
    app = make_app(dataclasses.replace(harness, backend=backend))
    job = submit(app, clip)
    with pytest.raises(WorkerKilled):
        app.drain()
    assert status(app, job.job_id) == JobStatus.REASSEMBLING
    harness.advance(harness.settings.visibility_timeout + 1)
    app.drain()
    assert status(app, job.job_id) == JobStatus.COMPLETED
    assert counting.final_writes == 1
    assert_matches_source(app, job.job_id, clip)


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_poison_segment_fails_the_job_and_retry_recovers(harness: Harness, clip: Path) -> None:
    broken = {"yes": True}

    def poison(call: int, src: Path, progress: Progress | None, span: Span | None) -> None:
        if broken["yes"] and segment_index(app, job.job_id, span) == 1:
            raise ValueError("decoder choked on frame 7")

    app = make_app(harness, converter=Scripted(poison))
    job = submit(app, clip)
    drain_until_dead_lettered(app, harness)
    detail = app.service.detail("ann", job.job_id)
    assert detail.job.status == JobStatus.FAILED
    assert detail.job.error == "segment 2: decoder choked on frame 7"
    assert [s.status for s in detail.segments] == ["done", "failed", "done"]
    broken["yes"] = False  # the fix is deployed
    app.service.retry("ann", job.job_id)
    assert harness.backend.queues.video.main.depth() == 1  # only the failed segment
    app.drain()
    assert status(app, job.job_id) == JobStatus.COMPLETED
    assert_matches_source(app, job.job_id, clip)


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_reconciler_redrives_a_job_whose_message_was_lost(harness: Harness, clip: Path) -> None:
    app = make_app(harness)
    other = submit(app, clip)
    media = app.workers("media")
    while media[0].step(0):  # chunk it
        pass
    lost = harness.backend.queues.video.main
    lost.purge()  # every segment message lost
    assert reconcile_once(app.ctx) == 0  # not stalled yet
    harness.advance(harness.settings.stall_seconds + 1)
    assert reconcile_once(app.ctx) == 1
    assert reconcile_once(app.ctx) == 0  # touched: not again until it stalls again
    app.drain()
    assert status(app, other.job_id) == JobStatus.COMPLETED
    assert app.backend.objects.size(ObjectRef("output", f"jobs/{other.job_id}/final.mp4"))


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_a_non_video_fails_with_a_reason_and_no_server_path(
    harness: Harness, tmp_path: Path
) -> None:
    fake = tmp_path / "holiday.mp4"
    fake.write_bytes(b"this is a shopping list, not a film\n" * 50)
    app = make_app(harness)
    job = submit(app, fake)
    drain_until_dead_lettered(app, harness)
    detail = app.service.detail("ann", job.job_id)
    assert detail.job.status == JobStatus.FAILED
    assert detail.job.error == "chunking: the file is not a readable video"
    for text in (detail.job.error, *detail.job.errors.values()):
        assert "/" not in text and str(harness.settings.data_dir) not in text


def test_error_texts_lose_their_paths() -> None:
    from stereospot.workers.reasons import strip_paths, user_reason

    raw = "Invalid data found when processing input: '/tmp/stereospot-chunk-ab/source.mp4'"
    assert strip_paths(raw) == "Invalid data found when processing input: 'source.mp4'"
    assert user_reason(ValueError("decoder choked on frame 7")) == "decoder choked on frame 7"
    missing = FileNotFoundError(2, "No such file", "/srv/data/objects/input/x/source.mp4")
    assert user_reason(missing) == "a file the job needs is missing on the server"


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_retry_cuts_again_when_a_segment_input_is_missing(harness: Harness, clip: Path) -> None:
    # Segment files exist only where the source is not on the workers' disk.
    elsewhere = dataclasses.replace(
        harness.backend, objects=ElsewhereObjects(harness.backend.objects)
    )
    app = make_app(dataclasses.replace(harness, backend=elsewhere))
    job = submit(app, clip)
    chunker = app.workers("media")[0]
    while chunker.step(0):  # cut: segment_count is set and the segments are written
        pass
    assert status(app, job.job_id) == JobStatus.CONVERTING
    lost = f"segments/{job.job_id}/1_3.mp4"
    assert app.backend.objects.delete_prefix("input", lost) == 1  # as if never written
    drain_until_dead_lettered(app, harness)
    assert status(app, job.job_id) == JobStatus.FAILED
    app.service.retry("ann", job.job_id)
    app.drain()
    assert status(app, job.job_id) == JobStatus.COMPLETED
    assert_matches_source(app, job.job_id, clip)
