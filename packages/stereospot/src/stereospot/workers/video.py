"""Step 3: the video-worker converts one segment through the Inference port, then records
its completion (and, for the last one, triggers the reassembly: pipeline.record_completion).
Progress goes to the job store (which also tells the reconciler the job is alive) and
keeps the message hidden."""

from __future__ import annotations

import logging

from stereospot import events
from stereospot.jobs import keys
from stereospot.jobs.models import JobStatus as S
from stereospot.jobs.models import SegmentCompletion, SegmentState, SegmentStatus
from stereospot.logs import event
from stereospot.media.admission import Unconvertible, admit
from stereospot.media.span import Span, span_of
from stereospot.pipeline import record_completion
from stereospot.ports import Message, ObjectRef, SegmentRequest
from stereospot.workers.context import Context, Skip
from stereospot.workers.dead_letters import fail_job
from stereospot.workers.reasons import user_reason
from stereospot.workers.runtime import Heartbeat

log = logging.getLogger("stereospot.video")


class Cancelled(Skip):
    """The job was cancelled or deleted while its segment was converting."""


def handle_segment(ctx: Context, message: Message, heartbeat: Heartbeat) -> None:
    for created in events.parse(message.body):
        segment = keys.parse_segment(created.key)
        if segment is None:
            continue
        try:
            convert(ctx, segment, heartbeat)
        except Skip as skip:
            event(
                log, "segment skipped", job_id=segment.job_id, index=segment.index, reason=str(skip)
            )


def convert(ctx: Context, segment: keys.SegmentKey, heartbeat: Heartbeat) -> None:
    jobs = ctx.backend.jobs
    job_id, index, total = segment.job_id, segment.index, segment.total
    job = ctx.job(job_id, S.CONVERTING)
    if any(c.index == index for c in ctx.backend.completions.of_job(job_id)):
        raise Skip(f"segment {index} is done already")  # a duplicate event
    jobs.set_segment(job_id, SegmentState(index, SegmentStatus.CONVERTING, 0), ctx.clock())
    last = {"percent": 0, "at": ctx.clock()}

    def progress(percent: int) -> None:
        heartbeat.beat()
        now = ctx.clock()
        # A store write per 10 % or per 5 s at most: enough for the job page.
        if percent - last["percent"] >= 10 or now - last["at"] >= 5:
            last.update(percent=percent, at=now)
            current = jobs.get(job_id)
            if current is None or current.status != S.CONVERTING:
                raise Cancelled(f"job {job_id} is {current.status if current else 'gone'}")
            jobs.set_segment(job_id, SegmentState(index, SegmentStatus.CONVERTING, percent), now)

    objects = ctx.backend.objects
    output_key = keys.output_segment_key(job_id, index)
    params = {**job.params, "normalisation": job.normalisation}
    if job.cuts is not None:
        # The source is read in place: this segment is a span of it.
        if len(job.cuts) not in (total, total + 1):  # + 1: where the last one ends
            raise RuntimeError(f"job {job_id} has {len(job.cuts)} cuts for {total} segments")
        input_ref = ObjectRef("input", keys.source_key(job_id, job.source_ext))
        span: Span | None = span_of(job.cuts, index)
    else:
        input_ref = ObjectRef("input", keys.segment_key(job_id, index, total))
        span = None
    local = objects.local_path(input_ref)
    if local is not None and local.is_file():
        # The chunker admitted the source, but under a limit that may have been lowered
        # since (or the segment did not come from it): decoding is the costly step, so
        # look at the headers first. (A segment in S3 is not fetched for this; the
        # chunker's check stands for it.)
        admit(local, ctx.settings.max_source_side)
    request = SegmentRequest(
        job_id=job_id,
        index=index,
        total=total,
        input_uri=objects.uri(input_ref),
        output_uri=objects.uri(ObjectRef("output", output_key)),
        params=params,
        span=span,
    )
    report = ctx.inference.convert(request, progress)
    jobs.set_segment(job_id, SegmentState(index, SegmentStatus.DONE, 100), ctx.clock())
    event(log, "segment converted", job_id=job_id, index=index, total=total)
    # Recorded here, not queued for another worker: the put is idempotent, and if it
    # fails the message comes back and the segment is converted again.
    completion = SegmentCompletion(job_id, index, total, output_key, ctx.clock(), dict(report))
    record_completion(ctx, completion)


def segment_failed(ctx: Context, message: Message, error: Exception) -> None:
    """Error hook: the segment's state shows the failure (and, later, the job's reason)."""
    for created in events.parse(message.body):
        segment = keys.parse_segment(created.key)
        if segment is not None and ctx.backend.jobs.get(segment.job_id) is not None:
            state = SegmentState(segment.index, SegmentStatus.FAILED, 0, user_reason(error))
            ctx.backend.jobs.set_segment(segment.job_id, state, ctx.clock())
            if isinstance(error, Unconvertible):  # the runtime does not retry it: fail now
                reason = f"segment {segment.index + 1}: {error}"
                fail_job(ctx, segment.job_id, reason, retryable=False)
