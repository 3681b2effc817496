"""Step 6: find active jobs with no progress for longer than the stall timeout and drive
them again from where they are. Every stage is safe to repeat, so a re-drive that races a
slow worker costs time, never correctness."""

from __future__ import annotations

import logging

from stereospot.errors import Conflict
from stereospot.jobs.models import ACTIVE, Job
from stereospot.jobs.models import JobStatus as S
from stereospot.logs import event
from stereospot.pipeline import redrive_conversion, send_reassembly, send_source_event
from stereospot.workers.context import Context

log = logging.getLogger("stereospot.reconciler")


def redrive(ctx: Context, job: Job) -> str:
    if job.status in (S.QUEUED, S.CHUNKING):
        send_source_event(ctx, job)
        return "chunking"
    if job.status == S.REASSEMBLING:
        send_reassembly(ctx, job.job_id)
        return "reassembly"
    return redrive_conversion(ctx, job, force=True)


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
