"""Converters, stores and disks that fail on purpose, for the fault-injection tests."""

from __future__ import annotations

import dataclasses
import errno
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from stereospot.bootstrap import App
from stereospot.converters import PassThrough, Progress
from stereospot.errors import StorageFull
from stereospot.media.span import Span
from stereospot.ports import Backend, Bucket, ObjectRef, ObjectStore


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the worker catches it, nothing is cleaned up."""


class Scripted(PassThrough):
    """A pass-through that runs `before(index_of_call, src, progress, span)` first; it may
    raise. `src` is the segment's file, or with `span` the job's source read in place."""

    name = "scripted"

    def __init__(self, before: Callable[[int, Path, Progress | None, Span | None], None]) -> None:
        self.before = before
        self.calls = 0

    def convert(
        self,
        src: Path,
        dst: Path,
        params: Mapping[str, Any],
        progress: Progress | None = None,
        span: Span | None = None,
    ) -> Mapping[str, Any]:
        self.calls += 1
        self.before(self.calls, src, progress, span)
        return super().convert(src, dst, params, progress, span)


def segment_index(app: App, job_id: str, span: Span | None) -> int:
    """Which segment of a job read in place a converter call is for."""
    job = app.backend.jobs.get(job_id)
    assert job is not None and job.cuts is not None and span is not None
    return job.cuts.index(span[0])


class CountingObjects:
    """Wraps an ObjectStore; counts writes of final files and can crash right after one."""

    def __init__(self, inner: ObjectStore, crash_after_final: bool = False) -> None:
        self.inner = inner
        self.final_writes = 0
        self.crash_after_final = crash_after_final

    def put_file(self, ref: ObjectRef, path: Path, *, if_absent: bool = False) -> bool:
        return self._count(ref, self.inner.put_file(ref, path, if_absent=if_absent))

    def adopt_file(self, ref: ObjectRef, path: Path, *, if_absent: bool = False) -> bool:
        """The store's move-in, which workers publish through."""
        return self._count(ref, self.inner.adopt_file(ref, path, if_absent=if_absent))

    def _count(self, ref: ObjectRef, stored: bool) -> bool:
        if ref.key.endswith("/final.mp4") and stored:
            self.final_writes += 1
            if self.crash_after_final:
                self.crash_after_final = False
                raise WorkerKilled("crashed after writing final.mp4")
        return stored

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class ElsewhereObjects:
    """Wraps a folder store so no object has a local path, as on S3: the chunker writes
    segment files and every worker fetches what it reads."""

    def __init__(self, inner: ObjectStore) -> None:
        self.inner = inner

    def local_path(self, ref: ObjectRef) -> Path | None:
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


# A full disk -----------------------------------------------------------------------------
def no_room_after(kept: int) -> Callable[[BinaryIO, bytes], None]:
    """A `Disk.write` that writes the first `kept` bytes and then fails as a full disk
    does (ENOSPC), so whatever it was writing is left partial unless the store cleans up."""

    def write(handle: BinaryIO, data: bytes) -> None:
        handle.write(data[:kept])
        handle.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    return write


def no_room_to_copy(src: BinaryIO, dst: BinaryIO) -> None:
    """A `Disk.copy` that copies a little and then fails as a full disk does."""
    dst.write(src.read(100))
    dst.flush()
    raise OSError(errno.ENOSPC, "No space left on device")


def leftovers(objects_root: Path) -> list[str]:
    """What a failed write may leave in a folder store: temp files, empty or missing
    upload metadata. Empty when every write was whole or nothing."""
    found = [p.name for p in (objects_root / ".tmp").iterdir()]
    for path in objects_root.rglob("*"):
        name = path.name
        # An upload key's lock file is empty by design.
        partial = path.is_file() and name != "lock"
        partial = partial and (name.endswith(".tmp") or path.stat().st_size == 0)
        half_made = path.is_dir() and re.fullmatch(r"[0-9a-f]{32}", name) is not None
        half_made = half_made and path.parent.name.endswith("~")
        if partial or (half_made and not (path / "meta.json").is_file()):
            found.append(str(path.relative_to(objects_root)))
    return found


@dataclass
class FullDisk:
    """A disk with no room for the database's writes until some object is deleted: what
    deleting a job's files does on a real full disk. `wrap` puts it around a backend."""

    full: bool = True

    def wrap(self, backend: Backend) -> Backend:
        return dataclasses.replace(
            backend,
            jobs=_NoRoom(self, backend.jobs, _JOB_WRITES),  # type: ignore[arg-type]
            completions=_NoRoom(self, backend.completions, {"put", "delete_job"}),  # type: ignore[arg-type]
            triggers=_NoRoom(self, backend.triggers, {"claim", "clear"}),  # type: ignore[arg-type]
            objects=_Freeing(self, backend.objects),  # type: ignore[arg-type]
        )


_JOB_WRITES = {"create", "update", "acquire_lease", "release_lease", "set_segment", "delete"}


class _NoRoom:
    def __init__(self, disk: FullDisk, inner: Any, writes: set[str]) -> None:
        self.disk, self.inner, self.writes = disk, inner, writes

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if name not in self.writes:
            return attr

        def write(*args: Any, **kwargs: Any) -> Any:
            if self.disk.full:
                raise StorageFull("sqlite: database or disk is full")
            return attr(*args, **kwargs)

        return write


class _Freeing:
    def __init__(self, disk: FullDisk, inner: ObjectStore) -> None:
        self.disk, self.inner = disk, inner

    def delete_prefix(self, bucket: Bucket, prefix: str) -> int:
        held = self.inner.usage(bucket, prefix)
        removed = self.inner.delete_prefix(bucket, prefix)
        if held:
            self.disk.full = False
        return removed

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
