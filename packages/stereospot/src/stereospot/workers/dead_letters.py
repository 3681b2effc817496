"""Messages that reached a dead-letter queue fail their job, with the reason the stage
recorded. Retrying is a person's decision (JobService.retry)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from stereospot import events
from stereospot.errors import Conflict, NotFound
from stereospot.jobs import keys
from stereospot.jobs.models import ACTIVE
from stereospot.jobs.models import JobStatus as S
from stereospot.logs import event
from stereospot.media.admission import Unconvertible
from stereospot.ports import Message
from stereospot.workers.context import Context
from stereospot.workers.reassembler import record_stage_error
from stereospot.workers.runtime import Heartbeat

log = logging.getLogger("stereospot.dead_letters")


def _reason(ctx: Context, job_id: str, stage: str, index: int | None = None) -> str:
    if index is not None:
        states = {s.index: s for s in ctx.backend.jobs.segments(job_id)}
        state = states.get(index)
        detail = state.error if state is not None and state.error else "kept failing"
        return f"segment {index + 1}: {detail}"
    job = ctx.backend.jobs.get(job_id)
    recorded = job.errors.get(stage) if job is not None else None
    return f"{stage}: {recorded or 'kept failing'}"


def fail_job(ctx: Context, job_id: str, reason: str, *, retryable: bool = True) -> None:
    """retryable False: the source itself is at fault, so the job offers no retry."""
    changes = {"error": reason, "retryable": retryable}
    try:
        ctx.backend.jobs.update(
            job_id, when=ACTIVE, status=S.FAILED, now=ctx.clock(), changes=changes
        )
        event(log, "job failed", level=logging.WARNING, job_id=job_id, reason=reason)
    except (Conflict, NotFound):
        pass  # already failed, cancelled, finished or deleted


def handle_dead(stage: str) -> Callable[[Context, Message, Heartbeat], None]:
    def handle(ctx: Context, message: Message, heartbeat: Heartbeat) -> None:
        if stage in ("chunking", "video"):
            for created in events.parse(message.body):
                source = keys.parse_source(created.key)
                segment = keys.parse_segment(created.key)
                if source is not None:
                    fail_job(ctx, source.job_id, _reason(ctx, source.job_id, "chunking"))
                elif segment is not None:
                    fail_job(
                        ctx, segment.job_id, _reason(ctx, segment.job_id, "video", segment.index)
                    )
            return
        job_id = str(json.loads(message.body)["job_id"])
        fail_job(ctx, job_id, _reason(ctx, job_id, stage))

    return handle


def chunking_failed(ctx: Context, message: Message, error: Exception) -> None:
    for created in events.parse(message.body):
        source = keys.parse_source(created.key)
        if source is None:
            continue
        if isinstance(error, Unconvertible):  # the runtime does not retry it: fail now
            fail_job(ctx, source.job_id, f"chunking: {error}", retryable=False)
        else:
            record_stage_error(ctx, source.job_id, "chunking", error)
