"""Step 7: find active jobs with no progress for longer than the stall timeout and drive
them again from where they are. Every stage is safe to repeat, so a re-drive that races a
slow worker costs time, never correctness."""

from __future__ import annotations

import logging

from stereospot.errors import Conflict
from stereospot.jobs import keys
from stereospot.jobs.models import ACTIVE, Job
from stereospot.jobs.models import JobStatus as S
from stereospot.logs import event
from stereospot.ports import ObjectRef
from stereospot.workers.completions import trigger_if_complete
from stereospot.workers.context import Context

log = logging.getLogger("stereospot.reconciler")


def redrive(ctx: Context, job: Job) -> str:
    if job.status in (S.QUEUED, S.CHUNKING):
        ctx.send_source_event(job)
        return "chunking"
    if job.status == S.REASSEMBLING:
        ctx.send_reassembly(job.job_id)
        return "reassembly"
    return redrive_conversion(ctx, job, force=True)


def redrive_conversion(ctx: Context, job: Job, *, force: bool) -> str:
    """A CONVERTING job: send an event for each segment without a completion, or, when one
    of those segments has no input object (the chunker died after the segment count was
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
            ctx.send_source_event(job)  # the chunker died before writing it: cut again
            return "chunking"
    for index in missing:
        ctx.send_segment_event(job.job_id, index, total)
    return f"segments {missing}"


def reconcile_once(ctx: Context) -> int:
    """One pass; returns how many jobs were re-driven."""
    now = ctx.clock()
    count = 0
    for job in ctx.backend.jobs.stalled(now - ctx.settings.stall_seconds, ACTIVE):
        try:
            # Touch first (conditional on the version read): of two reconcilers, one acts.
            ctx.backend.jobs.update(job.job_id, when={job.status}, version=job.version, now=now)
        except Conflict:
            continue
        what = redrive(ctx, job)
        count += 1
        event(
            log,
            "job re-driven",
            level=logging.WARNING,
            job_id=job.job_id,
            status=job.status,
            what=what,
        )
    return count
