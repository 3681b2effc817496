"""Step 2: the media-worker finds where a new source's segments start.

A source in a folder on this machine is read in place: the cut points go on the job and
each segment's conversion is queued here, with no segment file written. Elsewhere (S3) the
source is split into segment files, whose store events queue the conversions. Either way
the total is known before any segment is queued, and it is in every segment's name.

While it works, the job says how far it is (`chunked`, percent: the admission check, the
engine's pre-pass, then the cut pass as it reads), so the job page's bar moves; on the move
to `converting` the job records the frames to convert and the time, for fps and an ETA.

The job moves to `converting` (with its segment count) before the first segment is queued
or written, and a segment already stored is not written again, so a redelivered message
(or the reconciler's re-drive) only fills in what is missing. Conversions queued here go
out once, by the chunker that moved the job on; if it dies before they all go, the
reconciler re-drives the segments without a completion.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from stereospot import events
from stereospot.errors import Conflict
from stereospot.jobs import keys
from stereospot.jobs.models import TRIAL_SECONDS, JobParams
from stereospot.jobs.models import JobStatus as S
from stereospot.logs import event
from stereospot.media.admission import admit
from stereospot.media.split import cut_points, split, trial_span, write_span
from stereospot.pipeline import send_segment_event
from stereospot.ports import Message, ObjectRef
from stereospot.workers.context import Context, Skip, publish, work_folder
from stereospot.workers.runtime import Heartbeat

log = logging.getLogger("stereospot.chunker")

# Where each step ends, in percent of chunking; the cut pass fills the rest as it reads.
ADMITTED, PREPASSED = 5, 40
# A store write once this many points, or this many seconds, have passed since the last
# (on a long cut pass, one every 2 s).
REPORT_STEP, REPORT_SECONDS = 10, 2.0


class Reporter:
    """Tells the job how far chunking is (a write per 10 points, or per 2 s on a long pass);
    a job that is no longer chunking (cancelled meanwhile) stops the work with Skip."""

    def __init__(self, ctx: Context, job_id: str, heartbeat: Heartbeat, live: bool) -> None:
        self._ctx, self._job_id, self._heartbeat = ctx, job_id, heartbeat
        self._live = live  # a re-drive of a job already converting reports nothing
        self._percent, self._at = 0, ctx.clock()

    def __call__(self, percent: int) -> None:
        self._heartbeat.beat()
        now = self._ctx.clock()
        if not self._live or (
            percent - self._percent < REPORT_STEP and now - self._at < REPORT_SECONDS
        ):
            return
        self._percent, self._at = percent, now
        try:
            self._ctx.backend.jobs.update(
                self._job_id, when={S.CHUNKING}, now=now, changes={"chunked": percent}
            )
        except Conflict:
            self._ctx.job(self._job_id, S.CHUNKING)  # cancelled or gone: Skip

    def between(self, start: int, end: int) -> Callable[[float], None]:
        """A pass's progress (0 to 1) as this stretch of chunking."""
        return lambda done: self(start + int((end - start) * done))


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
        job = jobs.update(
            job_id,
            when={S.CREATED, S.QUEUED},
            status=S.CHUNKING,
            now=ctx.clock(),
            changes={"chunked": 0},
        )
    report = Reporter(ctx, job_id, heartbeat, live=job.status == S.CHUNKING)
    source_ref = ObjectRef("input", keys.source_key(job_id, job.source_ext))
    with work_folder(objects, "stereospot-chunk-") as folder:
        src = objects.local_path(source_ref)
        # A source on this machine's disk is read in place by every stage (its cuts are
        # recorded on the job); one elsewhere is cut into segment files for the workers.
        in_place = src is not None and src.is_file()
        if src is None or not in_place:
            src = folder / f"source.{job.source_ext}"
            objects.get_file(source_ref, src)
        # From the headers, before the pre-pass or the split reads a frame: a file that can
        # never convert fails its job now (Unconvertible is never retried).
        admit(src, ctx.settings.max_source_side)
        report(ADMITTED)
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
        report(PREPASSED)
        passing = report.between(PREPASSED, 99)
        paths: list[Path] = []
        frames: int | None = None  # unknown for a test render's span
        trial = JobParams.from_dict(job.params).trial_start
        if trial is not None:
            # A test render: one segment, a span of the source, without sound.
            start, end = trial_span(src, trial, TRIAL_SECONDS)
            starts: tuple[int, ...] = (start,) if end is None else (start, end)
            total = 1
            if not in_place:
                paths = [folder / "0.mp4"]
                write_span(src, (start, end), paths[0])
        elif in_place:
            cuts = cut_points(src, ctx.settings.segment_seconds, passing)
            starts, total, frames = cuts.starts, len(cuts.starts), cuts.frames
        else:
            # One demux pass cuts, writes the segments and copies the audio; nothing is
            # published until it ends, so the total in every segment's name is final.
            audio = folder / "audio.mka"
            written_out = split(src, ctx.settings.segment_seconds, folder, audio, passing)
            paths, total, frames = written_out.paths, len(written_out.paths), written_out.frames
            if written_out.has_audio:
                publish(objects, ObjectRef("input", keys.audio_key(job_id)), audio)
        if job.segment_count not in (None, total):
            raise RuntimeError(f"job {job_id} was cut into {job.segment_count}, now {total}")
        heartbeat.beat()
        moved = False
        if job.status == S.CHUNKING:
            now = ctx.clock()
            changes: dict[str, object] = {
                "segment_count": total,
                "chunked": 100,
                "frames": frames,
                "converting_since": now,
            }
            if in_place:
                changes["cuts"] = starts
            try:
                jobs.update(
                    job_id, when={S.CHUNKING}, status=S.CONVERTING, now=now, changes=changes
                )
                moved = True
            except Conflict:
                ctx.job(job_id, S.CONVERTING)  # cancelled meanwhile: Skip
        written = 0
        if in_place and moved:
            # No segment objects, so no store events: queue each conversion here.
            for index in range(total):
                send_segment_event(ctx, job_id, index, total)
        for index, path in enumerate(paths):
            ref = ObjectRef("input", keys.segment_key(job_id, index, total))
            if objects.size(ref) is None:
                publish(objects, ref, path)  # the new object's event queues its conversion
                written += 1
            heartbeat.beat()
    event(log, "chunked", job_id=job_id, segments=total, written=written)
