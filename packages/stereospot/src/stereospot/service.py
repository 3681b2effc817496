"""The application service: everything a person can do with jobs, checked against who
they are. The web UI and the CLI call this; it calls the ports. No web framework here.

Every method takes the acting `user` (an id the caller has authenticated). Another user's
job is reported as NotFound, exactly like a job that does not exist. Methods block (ports
are synchronous): call them from a worker thread in an async app.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

from stereospot.engine.model_names import DEPTH_BACKENDS, ModelNameError, check_model_name
from stereospot.errors import (
    Conflict,
    InvalidInput,
    LimitReached,
    NotFound,
    QuotaExceeded,
    StoreError,
    TooLarge,
)
from stereospot.jobs import keys, links, naming
from stereospot.jobs.limits import UNFINISHED, JobBytes, Limits, StorageMeter, size_text
from stereospot.jobs.models import (
    FINISHED,
    FORMATS,
    IN_PROGRESS,
    NEEDS_ATTENTION,
    Job,
    JobParams,
    JobStatus,
    SegmentStatus,
)
from stereospot.jobs.views import (
    JobDetail,
    MediaFile,
    MediaLink,
    UploadSession,
    full_segments,
    overall_progress,
    pace,
)
from stereospot.pipeline import redrive_conversion, send_source_event
from stereospot.ports import Backend, ObjectRef, UploadedPart
from stereospot.workers.context import Context

S = JobStatus
MAX_TRIAL_START = 24 * 3600.0
Media = Literal["final", "source", "preview", "depth"]
MEDIA: tuple[str, ...] = ("final", "source", "preview", "depth")
_CONTENT_TYPES = {
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "mkv": "video/x-matroska",
    "webm": "video/webm",
    "jpg": "image/jpeg",
    "png": "image/png",
}


class JobService:
    def __init__(self, ctx: Context, signing_key: bytes, link_base: str = "/media") -> None:
        self.ctx = ctx
        self.backend: Backend = ctx.backend
        self.settings = ctx.settings
        self.clock = ctx.clock
        self.signing_key = signing_key
        self.link_base = link_base.rstrip("/")
        self.part_size = 16 * 1024 * 1024 if self.settings.backend == "aws" else 8 * 1024 * 1024
        self.limits = Limits.from_settings(self.settings)
        self.job_bytes = JobBytes(self.backend)
        self.storage = StorageMeter(self.job_bytes, self.clock)
        self._creating = threading.Lock()  # counting a user's jobs and adding one

    # jobs ------------------------------------------------------------------------------
    def _owned(self, user: str, job_id: str) -> Job:
        try:
            keys.check_job_id(job_id)
        except InvalidInput:
            raise NotFound("no such job") from None
        job = self.backend.jobs.get(job_id)
        if job is None or not user or job.owner != user:
            raise NotFound("no such job")
        return job

    def create_job(self, user: str, filename: str, params: JobParams | Mapping[str, Any]) -> Job:
        if not user:
            raise InvalidInput("a job needs an owner")
        chosen = params if isinstance(params, JobParams) else JobParams.from_dict(params)
        if chosen.format not in FORMATS:
            raise InvalidInput(f"format must be one of {', '.join(FORMATS)}")
        if not 0 < chosen.divergence <= 10:
            raise InvalidInput("strength (divergence) must be above 0 and at most 10")
        if not 0 <= chosen.convergence <= 1:
            raise InvalidInput("convergence must be between 0 and 1")
        _check_depth(chosen)
        trial = chosen.trial_start
        if trial is not None and not (math.isfinite(trial) and 0 <= trial <= MAX_TRIAL_START):
            raise InvalidInput("a test render starts between 0 and 24 hours into the video")
        name = filename.replace("\\", "/").rsplit("/", 1)[-1][:200]
        now = self.clock()
        job = Job(
            job_id=keys.new_job_id(),
            owner=user,
            status=S.CREATED,
            created_at=now,
            updated_at=now,
            filename=name,
            source_ext=keys.source_ext(name),
            params=chosen.as_dict(),
        )
        with self._creating:
            most = self.limits.max_active_jobs
            if len(self.backend.jobs.find(UNFINISHED, owner=user, limit=most)) >= most:
                raise LimitReached(
                    f"you have {most} jobs in progress, the most at once; wait for one to "
                    "finish, or cancel or delete one"
                )
            self.backend.jobs.create(job)
        return job

    def list_in_progress(self, user: str, limit: int = 50) -> list[Job]:
        """Jobs on their way (not yet finished), newest first."""
        return self.backend.jobs.find(IN_PROGRESS, owner=user, limit=limit)

    def list_needing_attention(self, user: str, limit: int = 50) -> list[Job]:
        """Failed and cancelled jobs, to retry or delete; newest first."""
        return self.backend.jobs.find(NEEDS_ATTENTION, owner=user, limit=limit)

    def list_completed(self, user: str, limit: int = 50) -> list[Job]:
        """Newest completion first."""
        return self.backend.jobs.find({S.COMPLETED}, order="completed", owner=user, limit=limit)

    def detail(self, user: str, job_id: str) -> JobDetail:
        job = self._owned(user, job_id)
        segments = full_segments(job.segment_count, self.backend.jobs.segments(job_id), job.status)
        return JobDetail(
            job=job,
            segments=segments,
            progress=overall_progress(job, segments),
            final_ready=job.status == S.COMPLETED,
            download_name=naming.tagged(job.filename, str(job.params.get("format", ""))),
            pace=pace(job, segments, self.clock()),
        )

    def wait_for_change(
        self,
        user: str,
        job_id: str,
        after_version: int,
        timeout: float = 15.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> JobDetail:
        """The job's detail once its version passes `after_version`, or the current one
        after `timeout` seconds (for server-sent events: send when the version grew)."""
        deadline = time.monotonic() + timeout
        changes = self.backend.changes
        while True:
            mark = changes.generation() if changes is not None else 0
            detail = self.detail(user, job_id)
            if detail.job.version > after_version or time.monotonic() >= deadline:
                return detail
            left = max(deadline - time.monotonic(), 0)
            if changes is not None:
                changes.wait_for_change(mark, left)  # woken by the commit itself
            else:
                sleep(min(self.settings.poll_seconds, left))

    # uploads ---------------------------------------------------------------------------
    def _source(self, job: Job) -> ObjectRef:
        return ObjectRef("input", keys.source_key(job.job_id, job.source_ext))

    def _uploading(self, user: str, job_id: str) -> Job:
        job = self._owned(user, job_id)
        if job.status != S.CREATED:
            raise Conflict(f"the job is {job.status}; its upload is finished")
        return job

    def _check_room(self, user: str, more: int) -> None:
        used, most = self.storage.used(user), self.limits.max_stored_bytes
        if used + more > most:
            raise QuotaExceeded(
                f"your jobs take {size_text(used)} of the {size_text(most)} you may store; "
                "delete finished jobs to make room"
            )

    def _check_part(self, user: str, number: int, size: int) -> None:
        if size > self.part_size:
            raise TooLarge(f"a part holds at most {self.part_size} bytes")
        last = self.limits.max_parts(self.part_size)
        if number > last:
            raise TooLarge(
                f"an upload holds at most {size_text(self.limits.max_upload_bytes)} "
                f"({last} parts of {size_text(self.part_size)}); part {number} is past it"
            )
        self._check_room(user, size)

    def start_upload(self, user: str, job_id: str) -> UploadSession:
        """The job's one upload: a new start replaces an unfinished one (its parts are
        deleted). To resume, keep the upload id and ask `uploaded_parts`."""
        job = self._uploading(user, job_id)
        source = self._source(job)
        upload_id = self.backend.objects.start_upload(source)
        # Measured once the replaced upload's parts are gone, and kept for the parts.
        self.storage.forget(user)
        try:
            self._check_room(user, 1)
        except QuotaExceeded:
            self.backend.objects.abort_upload(source, upload_id)
            raise
        probe = self.backend.objects.part_url(source, upload_id, 1, 60, self.part_size)
        return UploadSession(job_id, upload_id, self.part_size, direct=probe is not None)

    def part_url(
        self, user: str, job_id: str, upload_id: str, number: int, size: int
    ) -> str | None:
        """A presigned URL to PUT part `number` of exactly `size` bytes to (S3), or None:
        use `upload_part`."""
        job = self._uploading(user, job_id)
        if size < 1:
            raise InvalidInput("a part holds at least one byte")
        self._check_part(user, number, size)
        url = self.backend.objects.part_url(self._source(job), upload_id, number, 3600, size)
        if url is not None:
            self.storage.add(user, size)  # counted when allowed: S3 tells us nothing more
        return url

    def admit_part(self, user: str, job_id: str, number: int, size: int) -> None:
        """Raise what `upload_part` would for part `number` of `size` bytes: a route asks
        before it reads the part, so a refused one costs no transfer."""
        self._uploading(user, job_id)
        self._check_part(user, number, size)

    def upload_part(
        self, user: str, job_id: str, upload_id: str, number: int, data: bytes
    ) -> UploadedPart:
        job = self._uploading(user, job_id)
        self._check_part(user, number, len(data))
        etag = self.backend.objects.put_part(self._source(job), upload_id, number, data)
        self.storage.add(user, len(data))
        return UploadedPart(number, etag, len(data))

    def uploaded_parts(self, user: str, job_id: str, upload_id: str) -> list[UploadedPart]:
        """The parts already stored: a resumed upload sends only the others."""
        job = self._uploading(user, job_id)
        return self.backend.objects.parts(self._source(job), upload_id)

    def complete_upload(
        self, user: str, job_id: str, upload_id: str, parts: Sequence[UploadedPart] | None = None
    ) -> Job:
        """Assemble the source (parts None: every stored part) and queue the job.

        Idempotent: once the source is there, every completion (a repeat, or one of many
        sent at once) answers with the job as it is; the store lets only one assemble."""
        job = self._owned(user, job_id)
        source = self._source(job)
        if job.status != S.CREATED:
            if self.backend.objects.size(source) is None:
                raise Conflict(f"the job is {job.status}; it has no upload to complete")
            return job
        if parts is not None:
            _check_part_order(parts)
        try:
            stored = self.backend.objects.parts(source, upload_id)
            chosen = list(parts) if parts is not None else stored
            sizes = {p.number: p.size for p in stored}
            total = sum(sizes.get(p.number, 0) for p in chosen)
            if total > self.limits.max_upload_bytes:
                self.backend.objects.abort_upload(source, upload_id)
                self.storage.forget(user)
                raise TooLarge(
                    f"the file is {size_text(total)}; an upload holds at most "
                    f"{size_text(self.limits.max_upload_bytes)} (its parts were deleted)"
                )
            self.backend.objects.complete_upload(source, upload_id, chosen)
        except NotFound:
            # Another completion of this upload finished first: the source is there.
            if self.backend.objects.size(source) is None:
                raise
        try:
            return self.backend.jobs.update(
                job_id, when={S.CREATED}, status=S.QUEUED, now=self.clock()
            )
        except Conflict:
            return self._owned(user, job_id)  # queued by another completion, or chunking

    def upload_file(
        self, user: str, job_id: str, path: Path, progress: Callable[[int, int], None] | None = None
    ) -> Job:
        """A local file as the job's source (the CLI's path); progress(sent, total) bytes.

        On a store with local files the source is linked in, not copied (the film is read
        in place); elsewhere it goes up in parts like a browser's upload."""
        job = self._uploading(user, job_id)
        total = path.stat().st_size
        if self.backend.objects.local_path(self._source(job)) is not None:
            if total > self.limits.max_upload_bytes:
                raise TooLarge(
                    f"the file is {size_text(total)}; an upload holds at most "
                    f"{size_text(self.limits.max_upload_bytes)}"
                )
            self.storage.forget(user)
            self._check_room(user, total)
            self.backend.objects.link_file(self._source(job), path)
            if progress:
                progress(total, total)
            try:
                return self.backend.jobs.update(
                    job_id, when={S.CREATED}, status=S.QUEUED, now=self.clock()
                )
            except Conflict:
                return self._owned(user, job_id)  # the chunker saw the source first
        session = self.start_upload(user, job_id)
        sent, number = 0, 0
        with path.open("rb") as handle:
            while chunk := handle.read(session.part_size):
                number += 1
                self.upload_part(user, job_id, session.upload_id, number, chunk)
                sent += len(chunk)
                if progress:
                    progress(sent, total)
        return self.complete_upload(user, job_id, session.upload_id)

    # actions ---------------------------------------------------------------------------
    def rerun(self, user: str, job_id: str, changes: Mapping[str, Any]) -> Job:
        """A new job converting a finished job's source again with `changes` to its
        settings, without a new upload: the source is copied inside the store (a link on a
        folder store). The new job is checked and counted like any other."""
        job = self._owned(user, job_id)
        if job.status not in FINISHED:
            raise Conflict(f"the job is {job.status}; re-run it once it has finished")
        source = self._source(job)
        size = self.backend.objects.size(source)
        if size is None:
            raise Conflict("the job's source is gone: upload the file again")
        unknown = set(changes) - set(JobParams().as_dict()) - {"depth", "model", "trial_start"}
        if unknown:
            raise InvalidInput(f"a re-run changes only the settings, not {sorted(unknown)}")
        params = {**JobParams.from_dict(job.params).as_dict(), **changes}
        if "depth" in changes and "model" not in changes:
            params.pop("model", None)  # a new depth does not inherit the old model
        if params.get("trial_start") is None:
            params.pop("trial_start", None)  # the whole film
        again = self.create_job(user, job.filename, params)
        self.storage.forget(user)
        try:
            self._check_room(user, size)
            self.backend.objects.copy(source, self._source(again))
        except BaseException:
            self.backend.jobs.delete(again.job_id)
            raise
        try:
            return self.backend.jobs.update(
                again.job_id, when={S.CREATED}, status=S.QUEUED, now=self.clock()
            )
        except Conflict:
            return self._owned(user, again.job_id)  # the chunker saw the source first

    def retry(self, user: str, job_id: str) -> Job:
        """Re-queue only what failed: the chunking, the segments without a completion (the
        chunking again if one of their inputs is missing), or the reassembly."""
        job = self._owned(user, job_id)
        if job.status != S.FAILED:
            raise Conflict(f"only a failed job can be retried; this one is {job.status}")
        if not job.retryable:
            raise Conflict(f"retrying cannot help: its file cannot be converted ({job.error})")
        now = self.clock()
        # Failed before it was cut into segments: start over from the source.
        chunked = job.segment_count is not None
        changes: dict[str, object] = {"error": None, "errors": {}}
        if chunked:
            # The pace counts from here: what was converted before is not this run's speed.
            # Only finished segments stay done; one cut short starts again from 0.
            states = self.backend.jobs.segments(job_id)
            done = 100 * sum(s.status == SegmentStatus.DONE for s in states)
            changes.update(converting_since=now, converted_before=done)
        job = self.backend.jobs.update(
            job_id,
            when={S.FAILED},
            status=S.CONVERTING if chunked else S.QUEUED,
            now=now,
            changes=changes,
            version=job.version,
        )
        if not chunked:
            send_source_event(self.ctx, job)
            return job
        self.backend.triggers.clear(job_id)
        redrive_conversion(self.ctx, job, force=False)
        return self._owned(user, job_id)

    def cancel(self, user: str, job_id: str) -> Job:
        job = self._owned(user, job_id)
        if job.status in (S.COMPLETED, S.CANCELLED):
            raise Conflict(f"the job is {job.status}")
        return self.backend.jobs.update(
            job_id, when=set(S) - {S.COMPLETED, S.CANCELLED}, status=S.CANCELLED, now=self.clock()
        )

    def delete(self, user: str, job_id: str) -> None:
        """Remove every object, then every row of the job: the files go first, so on a
        full disk a delete frees room before it writes to the database, and a delete that
        stopped half-way is finished by the next. An active job is cancelled first where
        that can be written, so workers that still hold one of its messages drop it."""
        job = self._owned(user, job_id)
        if job.status not in FINISHED:
            # Conflict: it finished meanwhile. StoreError: no room to write that; its
            # files go all the same, and workers drop a job that is gone.
            with contextlib.suppress(Conflict, StoreError):
                self.cancel(user, job_id)
        for bucket, prefixes in keys.job_prefixes(job_id).items():
            for prefix in prefixes:
                self.backend.objects.delete_prefix(bucket, prefix)  # type: ignore[arg-type]
        self.job_bytes.forget(job_id)
        self.storage.forget(user)
        self.backend.completions.delete_job(job_id)
        self.backend.triggers.clear(job_id)
        self.backend.jobs.delete(job_id)

    # media -----------------------------------------------------------------------------
    def _media_ref(self, job: Job, what: str) -> tuple[ObjectRef, str]:
        if what == "final":
            ref = ObjectRef("output", keys.final_key(job.job_id))
            return ref, naming.tagged(job.filename, str(job.params.get("format", "")))
        if what == "source":
            return self._source(job), job.filename
        if what == "preview":
            return ObjectRef("output", keys.preview_key(job.job_id)), "preview.png"
        if what == "depth":
            return ObjectRef("output", keys.depth_key(job.job_id)), "depth.png"
        raise NotFound("no such media")

    def media_link(self, user: str, job_id: str, what: str = "final") -> MediaLink:
        job = self._owned(user, job_id)
        ref, filename = self._media_ref(job, what)
        if self.backend.objects.size(ref) is None:
            raise NotFound(f"the job has no {what} file yet")
        seconds = self.settings.link_seconds
        expires = int(self.clock()) + seconds
        url = self.backend.objects.download_url(ref, seconds, filename)
        if url is None:
            sig = links.signature(self.signing_key, job_id, what, expires)
            url = f"{self.link_base}/{job_id}/{what}?expires={expires}&signature={sig}"
        return MediaLink(url, expires)

    def open_media(self, job_id: str, what: str, expires: int, signature: str) -> MediaFile:
        """Resolve a signed local link; NotFound for a bad, expired or foreign one."""
        if what not in MEDIA or not links.valid(
            self.signing_key, job_id, what, expires, signature, self.clock()
        ):
            raise NotFound("the link is invalid or has expired")
        job = self.backend.jobs.get(keys.check_job_id(job_id))
        if job is None:
            raise NotFound("no such job")
        ref, filename = self._media_ref(job, what)
        path = self.backend.objects.local_path(ref)
        if path is None or not path.is_file():
            raise NotFound("no such media")
        content_type = _CONTENT_TYPES.get(
            filename.rsplit(".", 1)[-1].lower(), "application/octet-stream"
        )
        return MediaFile(path, filename, content_type)


def _check_part_order(parts: Sequence[UploadedPart]) -> None:
    """S3's rule for a completion, kept on every backend: each part once, in ascending
    order. A part named twice would be joined twice, and a 1 MB part named 2,000 times
    made a 2 GB source past every limit checked when the parts were stored."""
    numbers = [p.number for p in parts]
    if not numbers:
        raise InvalidInput("a completion lists at least one part")
    for earlier, later in pairwise(numbers):
        if later <= earlier:
            raise InvalidInput(
                f"the parts must be listed once each, in ascending order (part {later} "
                f"follows part {earlier})"
            )


def _check_depth(chosen: JobParams) -> None:
    """A model goes with a model backend, by name: whoever creates a job must not be able
    to make a worker open a file of their choosing."""
    if chosen.depth not in DEPTH_BACKENDS:
        raise InvalidInput(f"depth must be one of {', '.join(DEPTH_BACKENDS)}")
    if chosen.depth == "classical":
        if chosen.model is not None:
            raise InvalidInput("a model goes with depth onnx or torch, not classical")
        return
    if chosen.model is None:
        raise InvalidInput(f"depth {chosen.depth} needs a model: the name of one installed")
    try:
        check_model_name(chosen.model)
    except ModelNameError as exc:
        raise InvalidInput(str(exc).replace("params.model", "model")) from None
