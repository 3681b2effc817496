"""The ports, one per concern, in the domain's words. Each has a local adapter
(`stereospot.local`) and an AWS one (`stereospot.aws`) that pass the same contract suite
(tests/contract).

The ports are synchronous: their callers are worker threads doing blocking media work and
boto3 calls. A web app calls the service layer from its thread pool.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from stereospot.jobs.models import Job, JobStatus, SegmentCompletion, SegmentState

Bucket = Literal["input", "output"]
ListOrder = Literal["created", "completed"]


class JobStore(Protocol):
    def create(self, job: Job) -> None:
        """Insert; Conflict when the id exists."""

    def get(self, job_id: str) -> Job | None:
        """A strongly consistent read."""

    def update(
        self,
        job_id: str,
        *,
        when: Collection[JobStatus],
        now: float,
        status: JobStatus | None = None,
        changes: Mapping[str, Any] | None = None,
        version: int | None = None,
    ) -> Job:
        """Apply `status` and `changes` (names in models.CHANGEABLE; None clears) in one
        conditional write that holds only while the status is in `when` (and the version
        is `version`, when given); bump version and updated_at; return the new job.
        NotFound when there is no such job, Conflict when the condition fails."""

    def acquire_lease(self, job_id: str, owner: str, until: float, now: float) -> bool:
        """Take (or renew, for the same owner) the job's lease unless another owner holds
        one that has not expired. The lease ends by itself at `until`."""

    def release_lease(self, job_id: str, owner: str) -> None:
        """Give the lease up if `owner` still holds it."""

    def find(
        self,
        statuses: Collection[JobStatus],
        *,
        order: ListOrder = "created",
        owner: str | None = None,
        limit: int = 50,
    ) -> list[Job]:
        """Jobs in these statuses, newest first by created_at or completed_at."""

    def stalled(self, before: float, statuses: Collection[JobStatus]) -> list[Job]:
        """Jobs in these statuses not updated since `before`."""

    def set_segment(self, job_id: str, state: SegmentState, now: float) -> None:
        """Record one segment's state (counts as progress for the reconciler)."""

    def segments(self, job_id: str) -> list[SegmentState]:
        """By index; segments never reported are absent."""

    def delete(self, job_id: str) -> None:
        """Remove the job and its segment states; no error when absent."""


class SegmentCompletions(Protocol):
    def put(self, completion: SegmentCompletion) -> None:
        """Idempotent: putting the same segment again keeps one record."""

    def of_job(self, job_id: str) -> list[SegmentCompletion]:
        """Strongly consistent, in segment order."""

    def delete_job(self, job_id: str) -> None: ...


class ReassemblyTriggered(Protocol):
    def claim(self, job_id: str, expires_at: float, now: float) -> bool:
        """True for exactly one caller per job until the marker expires or is cleared."""

    def clear(self, job_id: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Message:
    message_id: str
    receipt: str  # handle for delete/extend; changes with every receive
    body: str
    receive_count: int


class Queue(Protocol):
    name: str

    def send(self, body: str, delay: float = 0) -> str:
        """Enqueue; returns the message id."""

    def receive(self, max_messages: int = 1, wait: float = 0) -> list[Message]:
        """Up to `max_messages` visible messages, each hidden for the visibility timeout.
        Waits up to `wait` seconds for one. A message received more than the queue's max
        receive count moves to its dead-letter queue instead."""

    def delete(self, receipt: str) -> None:
        """Done with the message; a stale receipt is ignored."""

    def extend(self, receipt: str, seconds: float) -> None:
        """Keep the message hidden for `seconds` from now (heartbeat); 0 releases it."""

    def depth(self) -> int:
        """Messages waiting or in flight (approximate on SQS)."""

    def purge(self) -> None: ...


@dataclass(frozen=True, slots=True)
class QueuePair:
    main: Queue
    dead: Queue


@dataclass(frozen=True, slots=True)
class Queues:
    chunking: QueuePair
    video: QueuePair  # "video-worker"
    reassembly: QueuePair

    def all(self) -> list[QueuePair]:
        return [self.chunking, self.video, self.reassembly]


@dataclass(frozen=True, slots=True)
class ObjectRef:
    bucket: Bucket
    key: str


@dataclass(frozen=True, slots=True)
class UploadedPart:
    number: int
    etag: str
    size: int


class ObjectStore(Protocol):
    def put_file(self, ref: ObjectRef, path: Path, *, if_absent: bool = False) -> bool:
        """Store the file; with if_absent only when no object has the key (atomic).
        True when stored."""

    def adopt_file(self, ref: ObjectRef, path: Path, *, if_absent: bool = False) -> bool:
        """`put_file` for a file the caller gives up: moved into place where the store can
        (no copy), else stored; the file is gone afterwards either way. With `if_absent`
        (a write-once object) the bytes are durable before the name exists (fsync on the
        folder store; S3 acknowledges a PUT once stored)."""

    def link_file(self, ref: ObjectRef, path: Path) -> None:
        """Store a file the caller keeps: shared, not copied, where the store can (a hard
        link on its own filesystem), else stored like `put_file`."""

    def copy(self, source: ObjectRef, dest: ObjectRef) -> None:
        """`dest` with `source`'s bytes, inside the store (no download; a hard link on a
        folder store); NotFound when `source` is absent."""

    def staging(self) -> Path | None:
        """A folder for files `adopt_file` will take without a copy (on the store's own
        filesystem), or None where any temporary folder does."""

    def put_bytes(self, ref: ObjectRef, data: bytes) -> None: ...

    def get_file(self, ref: ObjectRef, path: Path) -> None:
        """Download to `path`; NotFound when absent."""

    def get_bytes(self, ref: ObjectRef) -> bytes: ...

    def size(self, ref: ObjectRef) -> int | None:
        """Bytes, or None when there is no such object."""

    def keys(self, bucket: Bucket, prefix: str) -> list[str]:
        """Keys under `prefix`, sorted."""

    def delete_prefix(self, bucket: Bucket, prefix: str) -> int:
        """Remove every object under `prefix` (and unfinished uploads); the count removed."""

    def usage(self, bucket: Bucket, prefix: str) -> int:
        """Bytes held under `prefix`: objects and the parts of unfinished uploads."""

    def uri(self, ref: ObjectRef) -> str:
        """`s3://bucket/key` or `file:///path`: what an inference endpoint is given."""

    def ref(self, uri: str) -> ObjectRef:
        """The inverse of `uri`; InvalidInput for anything outside this store."""

    def local_path(self, ref: ObjectRef) -> Path | None:
        """The object's file when the store is a folder (saves a copy), else None."""

    # Resumable uploads: S3 multipart, or parts in a folder. Parts are 1-based. Writes
    # raise StorageFull when the disk has no room, and then leave nothing of themselves.
    def start_upload(self, ref: ObjectRef) -> str:
        """Open the key's one upload: an unfinished upload of the same key is aborted
        (its parts deleted), so a key never holds more than one."""

    def part_url(
        self, ref: ObjectRef, upload_id: str, number: int, expires: int, size: int
    ) -> str | None:
        """A presigned PUT URL for the part that takes exactly `size` bytes, or None when
        parts go through `put_part`."""

    def put_part(self, ref: ObjectRef, upload_id: str, number: int, data: bytes) -> str:
        """Store one part; returns its ETag. Re-sending a part replaces it."""

    def parts(self, ref: ObjectRef, upload_id: str) -> list[UploadedPart]:
        """The parts stored so far, by number (to resume after an interruption)."""

    def complete_upload(
        self, ref: ObjectRef, upload_id: str, parts: Sequence[UploadedPart]
    ) -> None:
        """Assemble the object (which emits its created event); NotFound for an unknown
        upload, InvalidInput when a part is missing or its ETag differs. Of concurrent
        completions of one upload one assembles it; the others raise NotFound (or, on S3,
        may succeed alike), and the object is whole whichever returns first."""

    def abort_upload(self, ref: ObjectRef, upload_id: str) -> None: ...

    def expire_uploads(self, started_before: float) -> int:
        """Abort every unfinished upload started before `started_before` (seconds since
        the epoch), deleting its parts; the count aborted."""

    def download_url(self, ref: ObjectRef, expires: int, filename: str) -> str | None:
        """A presigned GET URL naming the download `filename`; None for a folder."""


@dataclass(frozen=True, slots=True)
class SegmentRequest:
    """What an Inference implementation gets for one segment (all JSON-able)."""

    job_id: str
    index: int
    total: int
    input_uri: str  # the segment's file, or with `span` the job's source
    output_uri: str
    params: Mapping[str, Any]  # format, divergence, convergence, normalisation
    # (first keyframe, next segment's first keyframe or None) in the source's video time
    # base: the segment is that stretch of the source, read in place.
    span: tuple[int, int | None] | None = None

    def as_dict(self) -> dict[str, Any]:
        body = {
            "job_id": self.job_id,
            "index": self.index,
            "total": self.total,
            "input_uri": self.input_uri,
            "output_uri": self.output_uri,
            "params": dict(self.params),
        }
        if self.span is not None:
            body["span"] = list(self.span)
        return body


Progress = Callable[[int], None]


class Inference(Protocol):
    def convert(self, request: SegmentRequest, progress: Progress) -> Mapping[str, Any]:
        """Read `input_uri`, write the converted segment to `output_uri`, return a report.
        `progress(percent)` is called as work advances; it may raise to stop the work."""

    def prepass(
        self, source_uri: str, params: Mapping[str, Any], preview_uri: str | None = None
    ) -> Mapping[str, Any] | None:
        """The job-level normalisation every segment will use, or None when the converter
        has none. With `preview_uri`, also write a still of the stereo frame there (PNG) and
        of its depth beside it (`depth.png`), when the converter makes previews."""


class Changes(Protocol):
    """A backend's signal that something was committed (the local database has one)."""

    def generation(self) -> int:
        """A number that grows with every commit; take it before looking."""

    def wait_for_change(self, generation: int, timeout: float) -> None:
        """Return once the generation passes `generation`, or after `timeout` seconds."""

    def release_waits(self) -> None:
        """Wake every waiter for good (queue receives too): the process is stopping."""


@dataclass(frozen=True, slots=True)
class Backend:
    """Everything one backend provides; the composition root builds it."""

    jobs: JobStore
    completions: SegmentCompletions
    triggers: ReassemblyTriggered
    queues: Queues
    objects: ObjectStore
    close: Callable[[], None]
    # Where the backend can say when something changed, waits for a job's next state
    # wake on it rather than polling (None: poll).
    changes: Changes | None = None
