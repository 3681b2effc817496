"""Step 4: store each SegmentCompletion; when all N are present (a strongly consistent
read), one conditional write to ReassemblyTriggered picks the single sender of the
`reassembly` message. Completions may arrive in any order, twice, or all at once."""

from __future__ import annotations

import json
import logging

from stereospot.errors import Conflict
from stereospot.jobs.models import Job, SegmentCompletion
from stereospot.jobs.models import JobStatus as S
from stereospot.logs import event
from stereospot.ports import Message
from stereospot.workers.context import Context, Skip
from stereospot.workers.runtime import Heartbeat

log = logging.getLogger("stereospot.completions")


def handle_completion(ctx: Context, message: Message, heartbeat: Heartbeat) -> None:
    data = json.loads(message.body)
    completion = SegmentCompletion(
        job_id=str(data["job_id"]),
        index=int(data["index"]),
        total=int(data["total"]),
        output_key=str(data["output_key"]),
        completed_at=ctx.clock(),
        report=data.get("report") or {},
    )
    if ctx.backend.jobs.get(completion.job_id) is None:
        return  # deleted: storing it would leave an orphan row
    ctx.backend.completions.put(completion)
    try:
        trigger_if_complete(ctx, ctx.job(completion.job_id, S.CONVERTING))
    except Skip as skip:
        event(log, "completion stored", job_id=completion.job_id, note=str(skip))


def trigger_if_complete(ctx: Context, job: Job, *, force: bool = False) -> bool:
    """Send the reassembly message if every segment is complete and this caller wins the
    marker (or `force`: the reconciler re-driving a job whose winner never sent it)."""
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
    ctx.send_reassembly(job.job_id)
    event(log, "reassembly triggered", job_id=job.job_id, segments=job.segment_count, forced=force)
    return True
