"""Step 4: join the converted segments, put the source audio back, write final.mp4 once.
Once it is stored, the converted segments go: the film is on the disk once, not twice.

A lease on the job (it expires; nobody has to release it for the job to move on) keeps two
reassemblers apart. final.mp4 is written only if absent, so a retry after a crash that
happened after the write finds it and just marks the job completed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
from pathlib import Path

from stereospot.errors import Conflict
from stereospot.jobs import keys
from stereospot.jobs.models import Job, JobParams
from stereospot.jobs.models import JobStatus as S
from stereospot.logs import event
from stereospot.media.join import join
from stereospot.ports import Message, ObjectRef, ObjectStore
from stereospot.workers.context import Context, Skip, publish, work_folder
from stereospot.workers.reasons import user_reason
from stereospot.workers.runtime import Heartbeat

log = logging.getLogger("stereospot.reassembler")


class LeaseHeld(Exception):
    """Another reassembler holds the job; this message comes back later."""


def handle_reassembly(ctx: Context, message: Message, heartbeat: Heartbeat) -> None:
    job_id = str(json.loads(message.body)["job_id"])
    try:
        reassemble(ctx, job_id, heartbeat)
    except Skip as skip:
        event(log, "reassembly skipped", job_id=job_id, reason=str(skip))


def reassemble(ctx: Context, job_id: str, heartbeat: Heartbeat) -> None:
    jobs, objects = ctx.backend.jobs, ctx.backend.objects
    ctx.job(job_id, S.REASSEMBLING)
    owner = secrets.token_hex(8)
    now = ctx.clock()
    if not jobs.acquire_lease(job_id, owner, now + ctx.settings.lease_seconds, now):
        raise LeaseHeld(f"job {job_id} is being reassembled elsewhere")
    try:
        job = ctx.job(job_id, S.REASSEMBLING)
        final = ObjectRef("output", keys.final_key(job_id))
        completions = ctx.backend.completions.of_job(job_id)
        if objects.size(final) is None:
            with work_folder(objects, "stereospot-join-") as folder:
                # The folder store's files are read where they are; others are fetched.
                segments = []
                for completion in completions:
                    ref = ObjectRef("output", completion.output_key)
                    path = objects.local_path(ref)
                    if path is None or not path.is_file():
                        path = folder / f"{completion.index}.mp4"
                        objects.get_file(ref, path)
                    segments.append(path)
                    heartbeat.beat()
                audio = _audio(objects, job, folder)
                out = folder / "final.mp4"
                join(segments, audio, out)
                heartbeat.beat()
                written = publish(objects, final, out, if_absent=True)
                event(log, "final written" if written else "final existed", job_id=job_id)
        # The film is whole: what it was made from, besides its source, is another copy of
        # it on the disk (segments cut from the source, their conversions, its audio).
        objects.delete_prefix("output", keys.output_segments_prefix(job_id))
        objects.delete_prefix("input", keys.segments_prefix(job_id))
        objects.delete_prefix("input", keys.audio_key(job_id))
        report = {"segments": [dict(c.report) for c in completions]}
        try:
            jobs.update(
                job_id,
                when={S.REASSEMBLING},
                status=S.COMPLETED,
                now=ctx.clock(),
                changes={"completed_at": ctx.clock(), "report": report, "error": None},
            )
        except Conflict:
            ctx.job(job_id, S.REASSEMBLING)  # cancelled meanwhile: Skip; otherwise retry
            raise
        event(log, "job completed", job_id=job_id, segments=job.segment_count)
    finally:
        jobs.release_lease(job_id, owner)


def _audio(objects: ObjectStore, job: Job, folder: Path) -> Path | None:
    """What the join takes the sound from: the source itself when it is read in place
    (the chunker copied nothing out of it), else the audio the chunker stored, if any.
    A test render has none: it is there to be looked at."""
    if JobParams.from_dict(job.params).trial_start is not None:
        return None
    if job.cuts is not None:
        source = objects.local_path(ObjectRef("input", keys.source_key(job.job_id, job.source_ext)))
        if source is None or not source.is_file():
            raise RuntimeError(f"job {job.job_id}: its source is gone")
        return source
    audio_ref = ObjectRef("input", keys.audio_key(job.job_id))
    if objects.size(audio_ref) is None:
        return None
    audio = objects.local_path(audio_ref)
    if audio is None or not audio.is_file():
        audio = folder / "audio.mka"
        objects.get_file(audio_ref, audio)
    return audio


def reassembly_failed(ctx: Context, message: Message, error: Exception) -> None:
    if isinstance(error, LeaseHeld):
        return
    job_id = str(json.loads(message.body)["job_id"])
    record_stage_error(ctx, job_id, "reassembly", error)


def record_stage_error(ctx: Context, job_id: str, stage: str, error: Exception) -> None:
    """Keep the last error of a stage on the job, for the reason it shows if it fails: in
    the user's words, without paths (the worker logged the raw text)."""
    job = ctx.backend.jobs.get(job_id)
    if job is None:
        return
    errors = {**job.errors, stage: user_reason(error)}
    # A Conflict means the job moved on; the next failure records again.
    with contextlib.suppress(Conflict):
        ctx.backend.jobs.update(
            job_id, when={job.status}, now=ctx.clock(), changes={"errors": errors}
        )
