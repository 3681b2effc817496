"""Step 2: the media-worker splits a new source at keyframes and writes the segments.

The cut points come first, so the total is known before any segment exists and is in every
segment's name. The job moves to `converting` (with its segment count) before the first
segment is written, and a segment already stored is not written again, so a redelivered
message (or the reconciler's re-drive) only fills in what is missing.
"""

from __future__ import annotations

import logging

from stereospot import events
from stereospot.errors import Conflict
from stereospot.jobs import keys
from stereospot.jobs.models import JobStatus as S
from stereospot.logs import event
from stereospot.media.admission import admit
from stereospot.media.split import split
from stereospot.ports import Message, ObjectRef
from stereospot.workers.context import Context, Skip, publish, work_folder
from stereospot.workers.runtime import Heartbeat

log = logging.getLogger("stereospot.chunker")


def handle_chunking(ctx: Context, message: Message, heartbeat: Heartbeat) -> None:
    for created in events.parse(message.body):
        source = keys.parse_source(created.key)
        if source is not None:
            try:
                chunk(ctx, source.job_id, heartbeat)
            except Skip as skip:
                event(log, "chunking skipped", job_id=source.job_id, reason=str(skip))


def chunk(ctx: Context, job_id: str, heartbeat: Heartbeat) -> None:
    jobs, objects = ctx.backend.jobs, ctx.backend.objects
    job = ctx.job(job_id, S.CREATED, S.QUEUED, S.CHUNKING, S.CONVERTING)
    if job.status in (S.CREATED, S.QUEUED):
        # CREATED: the upload's object exists, so it is complete even if the service has
        # not yet recorded that.
        job = jobs.update(job_id, when={S.CREATED, S.QUEUED}, status=S.CHUNKING, now=ctx.clock())
    source_ref = ObjectRef("input", keys.source_key(job_id, job.source_ext))
    with work_folder(objects, "stereospot-chunk-") as folder:
        src = objects.local_path(source_ref)
        if src is None or not src.is_file():
            src = folder / f"source.{job.source_ext}"
            objects.get_file(source_ref, src)
        # From the headers, before the pre-pass or the split reads a frame: a file that can
        # never convert fails its job now (Unconvertible is never retried).
        admit(src, ctx.settings.max_source_side)
        heartbeat.beat()
        if job.normalisation is None and job.status == S.CHUNKING:
            preview = objects.uri(ObjectRef("output", keys.preview_key(job_id)))
            normalisation = ctx.inference.prepass(objects.uri(source_ref), job.params, preview)
            if normalisation is not None:
                job = jobs.update(
                    job_id,
                    when={S.CHUNKING},
                    now=ctx.clock(),
                    changes={"normalisation": dict(normalisation)},
                )
        # One demux pass cuts, writes the segments and copies the audio; nothing is
        # published until it ends, so the total in every segment's name is final.
        audio = folder / "audio.mka"
        paths, has_audio = split(src, ctx.settings.segment_seconds, folder, audio)
        total = len(paths)
        if job.segment_count not in (None, total):
            raise RuntimeError(f"job {job_id} was cut into {job.segment_count}, now {total}")
        if has_audio:
            publish(objects, ObjectRef("input", keys.audio_key(job_id)), audio)
        heartbeat.beat()
        if job.status == S.CHUNKING:
            try:
                jobs.update(
                    job_id,
                    when={S.CHUNKING},
                    status=S.CONVERTING,
                    now=ctx.clock(),
                    changes={"segment_count": total},
                )
            except Conflict:
                ctx.job(job_id, S.CONVERTING)  # cancelled meanwhile: Skip
        written = 0
        for index, path in enumerate(paths):
            ref = ObjectRef("input", keys.segment_key(job_id, index, total))
            if objects.size(ref) is None:
                publish(objects, ref, path)  # the new object's event queues its conversion
                written += 1
            heartbeat.beat()
    event(log, "chunked", job_id=job_id, segments=total, written=written)
