"""What moves a job from one stage to the next: the messages the stages send each other,
the completion a video worker records, the one trigger of the reassembly, and the re-drive
of a job whose messages were lost. The workers, the reconciler and the service's retry
all go through these, so a job is moved on the same way whoever moves it.
"""

from __future__ import annotations

import json
import logging

from stereospot import events
from stereospot.errors import Conflict
from stereospot.jobs import keys
from stereospot.jobs.models import Job, SegmentCompletion
from stereospot.jobs.models import JobStatus as S
from stereospot.logs import event
from stereospot.ports import ObjectRef
from stereospot.workers.context import Context, Skip

log = logging.getLogger("stereospot.pipeline")


def send_source_event(ctx: Context, job: Job) -> None:
    """Queue the chunking of a job's source, in the shape S3 itself would send."""
    key = keys.source_key(job.job_id, job.source_ext)
    size = ctx.backend.objects.size(ObjectRef("input", key)) or 0
    body = events.object_created(ctx.settings.input_bucket, key, size, ctx.clock())
    ctx.backend.queues.chunking.main.send(body)


def send_segment_event(ctx: Context, job_id: str, index: int, total: int) -> None:
    key = keys.segment_key(job_id, index, total)
    body = events.object_created(ctx.settings.input_bucket, key, 0, ctx.clock())
    ctx.backend.queues.video.main.send(body)


def send_reassembly(ctx: Context, job_id: str) -> None:
    ctx.backend.queues.reassembly.main.send(json.dumps({"job_id": job_id}))


def record_completion(ctx: Context, completion: SegmentCompletion) -> None:
    """Store a converted segment's completion (a put: storing it twice is storing it once)
    and trigger the reassembly when it was the last one. Completions may come in any
    order, twice, or all at once."""
    if ctx.backend.jobs.get(completion.job_id) is None:
        return  # deleted: storing it would leave an orphan row
    ctx.backend.completions.put(completion)
    try:
        trigger_if_complete(ctx, ctx.job(completion.job_id, S.CONVERTING))
    except Skip as skip:
        event(log, "completion stored", job_id=completion.job_id, note=str(skip))


def trigger_if_complete(ctx: Context, job: Job, *, force: bool = False) -> bool:
    """Send the reassembly message if every segment is complete and this caller wins the
    marker (a strongly consistent read of the completions, then one conditional write to
    ReassemblyTriggered), or `force`: the reconciler re-driving a job whose winner never
    sent it."""
    if job.segment_count is None:
        return False
    done = {c.index for c in ctx.backend.completions.of_job(job.job_id)}
    if not set(range(job.segment_count)) <= done:
        return False
    now = ctx.clock()
    won = ctx.backend.triggers.claim(job.job_id, now + ctx.settings.stall_seconds, now)
    if not (won or force):
        return False
    try:
        ctx.backend.jobs.update(job.job_id, when={S.CONVERTING}, status=S.REASSEMBLING, now=now)
    except Conflict:
        if not force:
            return False
    send_reassembly(ctx, job.job_id)
    event(log, "reassembly triggered", job_id=job.job_id, segments=job.segment_count, forced=force)
    return True


def redrive_conversion(ctx: Context, job: Job, *, force: bool) -> str:
    """A CONVERTING job: send an event for each segment without a completion, or, when one
    of those segments has no segment file (the chunker died after the segment count was
    recorded), the source event again: the chunker fills in what is missing. Nothing
    missing: the reassembly trigger (`force`: even if a marker says it was sent)."""
    total = job.segment_count or 0
    done = {c.index for c in ctx.backend.completions.of_job(job.job_id)}
    missing = [i for i in range(total) if i not in done]
    if not missing:
        trigger_if_complete(ctx, job, force=force)
        return "reassembly"
    objects = ctx.backend.objects
    for index in missing:
        if job.cuts is not None:
            break  # read in place from the source: no segment file to miss
        if objects.size(ObjectRef("input", keys.segment_key(job.job_id, index, total))) is None:
            send_source_event(ctx, job)  # the chunker died before writing it: cut again
            return "chunking"
    for index in missing:
        send_segment_event(ctx, job.job_id, index, total)
    return f"segments {missing}"
