"""The application service: everything a person can do with jobs, checked against who
they are. The web UI and the CLI call this; it calls the ports. No web framework here.

Every method takes the acting `user` (an id the caller has authenticated). Another user's
job is reported as NotFound, exactly like a job that does not exist. Methods block (ports
are synchronous): call them from a worker thread in an async app.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from stereospot.errors import Conflict, InvalidInput, NotFound
from stereospot.jobs import keys, links, naming
from stereospot.jobs.models import FINISHED, FORMATS, IN_PROGRESS, Job, JobParams, JobStatus
from stereospot.jobs.views import (
    JobDetail,
    MediaFile,
    MediaLink,
    UploadSession,
    full_segments,
    overall_progress,
)
from stereospot.ports import Backend, ObjectRef, UploadedPart
from stereospot.workers.context import Context
from stereospot.workers.reconciler import redrive_conversion

S = JobStatus
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
        self.backend.jobs.create(job)
        return job

    def list_in_progress(self, user: str, limit: int = 50) -> list[Job]:
        """Everything not completed (failed and cancelled too, to retry or delete), newest
        first."""
        return self.backend.jobs.find(IN_PROGRESS, owner=user, limit=limit)

    def list_completed(self, user: str, limit: int = 50) -> list[Job]:
        """Newest completion first."""
        return self.backend.jobs.find({S.COMPLETED}, order="completed", owner=user, limit=limit)

    def detail(self, user: str, job_id: str) -> JobDetail:
        job = self._owned(user, job_id)
        segments = full_segments(job.segment_count, self.backend.jobs.segments(job_id))
        return JobDetail(
            job=job,
            segments=segments,
            progress=overall_progress(job, segments),
            final_ready=job.status == S.COMPLETED,
            download_name=naming.tagged(job.filename, str(job.params.get("format", ""))),
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
        while True:
            detail = self.detail(user, job_id)
            if detail.job.version > after_version or time.monotonic() >= deadline:
                return detail
            sleep(min(self.settings.poll_seconds, max(deadline - time.monotonic(), 0)))

    # uploads ---------------------------------------------------------------------------
    def _source(self, job: Job) -> ObjectRef:
        return ObjectRef("input", keys.source_key(job.job_id, job.source_ext))

    def _uploading(self, user: str, job_id: str) -> Job:
        job = self._owned(user, job_id)
        if job.status != S.CREATED:
            raise Conflict(f"the job is {job.status}; its upload is finished")
        return job

    def start_upload(self, user: str, job_id: str) -> UploadSession:
        job = self._uploading(user, job_id)
        upload_id = self.backend.objects.start_upload(self._source(job))
        probe = self.backend.objects.part_url(self._source(job), upload_id, 1, 60)
        return UploadSession(job_id, upload_id, self.part_size, direct=probe is not None)

    def part_url(self, user: str, job_id: str, upload_id: str, number: int) -> str | None:
        """A presigned URL to PUT part `number` to (S3), or None: use `upload_part`."""
        job = self._uploading(user, job_id)
        return self.backend.objects.part_url(self._source(job), upload_id, number, 3600)

    def upload_part(
        self, user: str, job_id: str, upload_id: str, number: int, data: bytes
    ) -> UploadedPart:
        job = self._uploading(user, job_id)
        if len(data) > self.part_size:
            raise InvalidInput(f"a part holds at most {self.part_size} bytes")
        etag = self.backend.objects.put_part(self._source(job), upload_id, number, data)
        return UploadedPart(number, etag, len(data))

    def uploaded_parts(self, user: str, job_id: str, upload_id: str) -> list[UploadedPart]:
        """The parts already stored: a resumed upload sends only the others."""
        job = self._uploading(user, job_id)
        return self.backend.objects.parts(self._source(job), upload_id)

    def complete_upload(
        self, user: str, job_id: str, upload_id: str, parts: Sequence[UploadedPart] | None = None
    ) -> Job:
        """Assemble the source (parts None: every stored part) and queue the job."""
        job = self._uploading(user, job_id)
        source = self._source(job)
        chosen = list(parts) if parts is not None else self.backend.objects.parts(source, upload_id)
        self.backend.objects.complete_upload(source, upload_id, chosen)
        try:
            return self.backend.jobs.update(
                job_id, when={S.CREATED}, status=S.QUEUED, now=self.clock()
            )
        except Conflict:
            return self._owned(user, job_id)  # the chunker started already

    def upload_file(
        self, user: str, job_id: str, path: Path, progress: Callable[[int, int], None] | None = None
    ) -> Job:
        """Upload a local file in parts (the CLI's path); progress(sent, total) bytes."""
        session = self.start_upload(user, job_id)
        total, sent, number = path.stat().st_size, 0, 0
        with path.open("rb") as handle:
            while chunk := handle.read(session.part_size):
                number += 1
                self.upload_part(user, job_id, session.upload_id, number, chunk)
                sent += len(chunk)
                if progress:
                    progress(sent, total)
        return self.complete_upload(user, job_id, session.upload_id)

    # actions ---------------------------------------------------------------------------
    def retry(self, user: str, job_id: str) -> Job:
        """Re-queue only what failed: the chunking, the segments without a completion (the
        chunking again if one of their inputs is missing), or the reassembly."""
        job = self._owned(user, job_id)
        if job.status != S.FAILED:
            raise Conflict(f"only a failed job can be retried; this one is {job.status}")
        now = self.clock()
        # Failed before it was cut into segments: start over from the source.
        chunked = job.segment_count is not None
        job = self.backend.jobs.update(
            job_id,
            when={S.FAILED},
            status=S.CONVERTING if chunked else S.QUEUED,
            now=now,
            changes={"error": None, "errors": {}},
            version=job.version,
        )
        if not chunked:
            self.ctx.send_source_event(job)
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
        """Remove every object and row of the job. An active job is cancelled first, so
        workers that still hold one of its messages drop it."""
        job = self._owned(user, job_id)
        if job.status not in FINISHED:
            with contextlib.suppress(Conflict):  # it finished meanwhile
                self.cancel(user, job_id)
        for bucket, prefixes in keys.job_prefixes(job_id).items():
            for prefix in prefixes:
                self.backend.objects.delete_prefix(bucket, prefix)  # type: ignore[arg-type]
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
