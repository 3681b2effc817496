"""Objects in a folder (`<root>/<bucket>/<key>`), with S3's behaviour where it matters:
writes appear whole (temp file + rename), `if_absent` is atomic (a hard link fails when
the name exists), and a new object emits the same event S3 would send to a queue.

Bytes are copied as little as the semantics allow: `put_file` copies (the caller keeps its
file and may change it later, as with S3), but in the kernel (`copy_file_range`);
`adopt_file` takes a file the caller gives up, by rename, so a worker that writes its
output into `staging()` publishes it without a copy; an upload's parts are joined in the
kernel, and their ETags are kept beside them instead of being re-read and re-hashed.

A full disk leaves nothing behind: every write goes to a temp file that is removed when the
write fails, and the failure is StorageFull (local/disk.py). Unfinished uploads live in
local/uploads.py, one per key."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from stereospot import events
from stereospot.errors import InvalidInput, NotFound
from stereospot.jobs.keys import check_key
from stereospot.local.disk import Disk, no_room_is_storage_full, removed_on_failure
from stereospot.local.uploads import FolderUploads, prefix_folder
from stereospot.ports import Bucket, ObjectRef, Queue, UploadedPart

BUCKETS: tuple[Bucket, ...] = ("input", "output")


@dataclass(frozen=True, slots=True)
class Notification:
    """Like an S3 notification rule: objects created under `prefix` go to `queue`."""

    bucket: Bucket
    prefix: str
    queue: Queue


class FolderObjectStore:
    def __init__(
        self,
        root: Path,
        notifications: Sequence[Notification] = (),
        clock: Callable[[], float] = time.time,
        disk: Disk | None = None,
    ) -> None:
        self.root = root.resolve()
        self.notifications = list(notifications)
        self.clock = clock
        self.disk = disk or Disk()  # every byte written goes through it (tests swap it)
        for name in (*BUCKETS, ".tmp", ".uploads"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        self.uploads = FolderUploads(self.root / ".uploads", BUCKETS, self.disk, clock)

    def _path(self, ref: ObjectRef) -> Path:
        if ref.bucket not in BUCKETS:
            raise InvalidInput(f"no bucket {ref.bucket!r}")
        return self.root / ref.bucket / check_key(ref.key)

    def _emit(self, ref: ObjectRef, size: int, name: str = "Put") -> None:
        for rule in self.notifications:
            if rule.bucket == ref.bucket and ref.key.startswith(rule.prefix):
                rule.queue.send(
                    events.object_created(ref.bucket, ref.key, size, self.clock(), name)
                )

    def _temp(self) -> Path:
        fd, name = tempfile.mkstemp(dir=self.root / ".tmp")
        os.close(fd)
        return Path(name)

    def _install(self, temp: Path, ref: ObjectRef, if_absent: bool, event: str = "Put") -> bool:
        dest = self._path(ref)
        try:
            with no_room_is_storage_full():
                dest.parent.mkdir(parents=True, exist_ok=True)
                if if_absent:
                    _sync(temp)  # as in adopt_file: on the disk, then named
                    try:
                        os.link(temp, dest)
                    except FileExistsError:
                        return False
                    _sync(dest.parent)
                else:
                    os.replace(temp, dest)
        finally:
            temp.unlink(missing_ok=True)
        self._emit(ref, dest.stat().st_size, event)
        return True

    def _write_temp(self, data: bytes | Path) -> Path:
        """A temp file in the store holding `data` (bytes, or a file's contents), or
        nothing at all when the disk fills up."""
        with no_room_is_storage_full():
            temp = self._temp()
            with removed_on_failure(temp), temp.open("wb") as dst:
                if isinstance(data, Path):
                    with data.open("rb") as src:
                        self.disk.copy(src, dst)
                else:
                    self.disk.write(dst, data)
        return temp

    def put_file(self, ref: ObjectRef, path: Path, *, if_absent: bool = False) -> bool:
        self._path(ref)  # refuse a bad key before copying anything
        return self._install(self._write_temp(path), ref, if_absent)

    def link_file(self, ref: ObjectRef, path: Path) -> None:
        """A hard link to the caller's file when it is on this store's filesystem (no byte
        copied: the CLI's source, read in place); a copy otherwise."""
        self._path(ref)  # refuse a bad key before touching anything
        temp = self._temp()
        temp.unlink()
        try:
            os.link(path, temp)
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                raise
            self.put_file(ref, path)
            return
        self._install(temp, ref, False)

    def copy(self, source: ObjectRef, dest: ObjectRef) -> None:
        path = self._path(source)
        if not path.is_file():
            raise NotFound(f"no object {source.bucket}/{source.key}")
        self.link_file(dest, path)

    def staging(self) -> Path:
        """A folder on the store's filesystem for files that `adopt_file` will take."""
        return self.root / ".tmp"

    def adopt_file(self, ref: ObjectRef, path: Path, *, if_absent: bool = False) -> bool:
        """Like `put_file`, but the caller gives the file up: it is renamed (or, with
        `if_absent`, hard-linked) into place without a copy when it is on the store's
        filesystem, and it is gone afterwards either way."""
        dest = self._path(ref)
        with no_room_is_storage_full():
            dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            if if_absent:
                # A write-once object (a job's final) is one that others then rely on, and
                # what it was made from may be deleted next: on the disk first, then named.
                _sync(path)
                os.link(path, dest)  # atomic, fails when the name exists
                _sync(dest.parent)
            else:
                # Not over a placeholder: renaming onto an existing file makes ext4 flush
                # the new file's data first (auto_da_alloc).
                os.replace(path, dest)
        except FileExistsError:
            path.unlink(missing_ok=True)
            return False
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            temp = self._write_temp(path)  # another filesystem: copy, drop the caller's
            path.unlink(missing_ok=True)
            return self._install(temp, ref, if_absent)
        path.unlink(missing_ok=True)
        self._emit(ref, dest.stat().st_size)
        return True

    def put_bytes(self, ref: ObjectRef, data: bytes) -> None:
        self._path(ref)
        self._install(self._write_temp(data), ref, False)

    def get_file(self, ref: ObjectRef, path: Path) -> None:
        try:
            shutil.copyfile(self._path(ref), path)
        except FileNotFoundError:
            raise NotFound(f"no object {ref.bucket}/{ref.key}") from None

    def get_bytes(self, ref: ObjectRef) -> bytes:
        try:
            return self._path(ref).read_bytes()
        except FileNotFoundError:
            raise NotFound(f"no object {ref.bucket}/{ref.key}") from None

    def size(self, ref: ObjectRef) -> int | None:
        path = self._path(ref)
        return path.stat().st_size if path.is_file() else None

    def keys(self, bucket: Bucket, prefix: str) -> list[str]:
        base = self.root / bucket
        found = []
        # os.walk, not rglob: a folder deleted while we walk is skipped, not an error.
        for here, _, files in os.walk(prefix_folder(base, prefix)):
            folder = Path(here).relative_to(base).as_posix()
            for name in files:
                key = f"{folder}/{name}" if folder != "." else name
                if key.startswith(prefix):
                    found.append(key)
        return sorted(found)

    def delete_prefix(self, bucket: Bucket, prefix: str) -> int:
        keys = self.keys(bucket, prefix)
        for key in keys:
            self._path(ObjectRef(bucket, key)).unlink(missing_ok=True)
        self.uploads.delete_under(bucket, prefix)
        return len(keys)

    def usage(self, bucket: Bucket, prefix: str) -> int:
        base = self.root / bucket
        total = 0
        for key in self.keys(bucket, prefix):
            with suppress(FileNotFoundError):  # deleted while we counted
                total += (base / key).stat().st_size
        return total + self.uploads.usage(bucket, prefix)

    def uri(self, ref: ObjectRef) -> str:
        return self._path(ref).as_uri()

    def ref(self, uri: str) -> ObjectRef:
        parsed = urlparse(uri)
        if parsed.scheme != "file":
            raise InvalidInput(f"not a file URI: {uri[:60]!r}")
        path = Path(unquote(parsed.path))
        try:
            bucket, _, key = path.relative_to(self.root).as_posix().partition("/")
        except ValueError:
            raise InvalidInput("URI outside the object store") from None
        if bucket not in BUCKETS:
            raise InvalidInput("URI outside the object store")
        ref = ObjectRef("input" if bucket == "input" else "output", key)
        self._path(ref)
        return ref

    def local_path(self, ref: ObjectRef) -> Path | None:
        return self._path(ref)

    # uploads: one per key, in local/uploads.py ------------------------------------------
    def start_upload(self, ref: ObjectRef) -> str:
        self._path(ref)
        return self.uploads.start(ref.bucket, ref.key)

    def part_url(
        self, ref: ObjectRef, upload_id: str, number: int, expires: int, size: int
    ) -> str | None:
        return None

    def put_part(self, ref: ObjectRef, upload_id: str, number: int, data: bytes) -> str:
        self._path(ref)
        return self.uploads.put_part(ref.bucket, ref.key, upload_id, number, data)

    def parts(self, ref: ObjectRef, upload_id: str) -> list[UploadedPart]:
        self._path(ref)
        return self.uploads.parts(ref.bucket, ref.key, upload_id)

    def complete_upload(
        self, ref: ObjectRef, upload_id: str, parts: Sequence[UploadedPart]
    ) -> None:
        self._path(ref)
        # Under the key's lock: of concurrent completions one assembles and publishes
        # (one event), the rest then find the upload gone (NotFound), whatever list of
        # parts they read while it was being removed.
        with self.uploads.locked(ref.bucket, ref.key):
            folder = self.uploads.folder(ref.bucket, ref.key, upload_id)
            if not parts:
                raise InvalidInput("an upload needs at least one part")
            stored = {p.number: p for p in self.uploads.parts(ref.bucket, ref.key, upload_id)}
            for part in parts:
                if part.number not in stored or stored[part.number].etag != part.etag:
                    raise InvalidInput(f"part {part.number} is missing or differs")
            ordered = sorted(parts, key=lambda p: p.number)
            with no_room_is_storage_full():
                temp = self._temp()
                with removed_on_failure(temp):
                    if len(ordered) == 1:  # the part goes away with the upload: link it
                        temp.unlink()
                        os.link(folder / f"{ordered[0].number}.part", temp)
                    else:
                        with temp.open("wb") as out:
                            for part in ordered:
                                with (folder / f"{part.number}.part").open("rb") as chunk:
                                    self.disk.copy(chunk, out)
            self._install(temp, ref, False, "CompleteMultipartUpload")
            self.uploads.remove(folder)

    def abort_upload(self, ref: ObjectRef, upload_id: str) -> None:
        self._path(ref)
        self.uploads.abort(ref.bucket, ref.key, upload_id)

    def expire_uploads(self, started_before: float) -> int:
        return self.uploads.expire(started_before)

    def download_url(self, ref: ObjectRef, expires: int, filename: str) -> str | None:
        return None


def _sync(path: Path) -> None:
    """fsync a file's data, or a folder's entries."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
