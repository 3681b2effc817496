"""Objects in a folder (`<root>/<bucket>/<key>`), with S3's behaviour where it matters:
writes appear whole (temp file + rename), `if_absent` is atomic (a hard link fails when
the name exists), and a new object emits the same event S3 would send to a queue.

Bytes are copied as little as the semantics allow: `put_file` copies (the caller keeps its
file and may change it later, as with S3), but in the kernel (`copy_file_range`);
`adopt_file` takes a file the caller gives up, by rename, so a worker that writes its
output into `staging()` publishes it without a copy; an upload's parts are joined in the
kernel, and their ETags are kept beside them instead of being re-read and re-hashed."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlparse

from stereospot import events
from stereospot.errors import InvalidInput, NotFound
from stereospot.jobs.keys import check_key
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
    ) -> None:
        self.root = root.resolve()
        self.notifications = list(notifications)
        self.clock = clock
        for name in (*BUCKETS, ".tmp", ".uploads"):
            (self.root / name).mkdir(parents=True, exist_ok=True)

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
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            if if_absent:
                try:
                    os.link(temp, dest)
                except FileExistsError:
                    return False
            else:
                os.replace(temp, dest)
        finally:
            temp.unlink(missing_ok=True)
        self._emit(ref, dest.stat().st_size, event)
        return True

    def put_file(self, ref: ObjectRef, path: Path, *, if_absent: bool = False) -> bool:
        self._path(ref)  # refuse a bad key before copying anything
        temp = self._temp()
        with path.open("rb") as src, temp.open("wb") as dst:
            _copy(src, dst)
        return self._install(temp, ref, if_absent)

    def staging(self) -> Path:
        """A folder on the store's filesystem for files that `adopt_file` will take."""
        return self.root / ".tmp"

    def adopt_file(self, ref: ObjectRef, path: Path, *, if_absent: bool = False) -> bool:
        """Like `put_file`, but the caller gives the file up: it is renamed (or, with
        `if_absent`, hard-linked) into place without a copy when it is on the store's
        filesystem, and it is gone afterwards either way."""
        dest = self._path(ref)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            if if_absent:
                os.link(path, dest)  # atomic, fails when the name exists
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
            temp = self._temp()  # another filesystem: copy, then drop the caller's file
            with path.open("rb") as src, temp.open("wb") as dst:
                _copy(src, dst)
            path.unlink(missing_ok=True)
            return self._install(temp, ref, if_absent)
        path.unlink(missing_ok=True)
        self._emit(ref, dest.stat().st_size)
        return True

    def put_bytes(self, ref: ObjectRef, data: bytes) -> None:
        self._path(ref)
        temp = self._temp()
        temp.write_bytes(data)
        self._install(temp, ref, False)

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
        return sorted(
            key
            for path in base.rglob("*")
            if path.is_file() and (key := path.relative_to(base).as_posix()).startswith(prefix)
        )

    def delete_prefix(self, bucket: Bucket, prefix: str) -> int:
        keys = self.keys(bucket, prefix)
        for key in keys:
            self._path(ObjectRef(bucket, key)).unlink(missing_ok=True)
        for upload in (self.root / ".uploads").iterdir():
            meta = json.loads((upload / "meta.json").read_text())
            if meta["bucket"] == bucket and str(meta["key"]).startswith(prefix):
                shutil.rmtree(upload, ignore_errors=True)
        return len(keys)

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

    # uploads ---------------------------------------------------------------------------
    def _upload(self, ref: ObjectRef, upload_id: str) -> Path:
        if not upload_id.isalnum():
            raise NotFound("no such upload")
        folder = self.root / ".uploads" / upload_id
        try:
            meta = json.loads((folder / "meta.json").read_text())
        except FileNotFoundError:
            raise NotFound("no such upload") from None
        if (meta["bucket"], meta["key"]) != (ref.bucket, ref.key):
            raise NotFound("no such upload")
        return folder

    def start_upload(self, ref: ObjectRef) -> str:
        self._path(ref)
        upload_id = secrets.token_hex(16)
        folder = self.root / ".uploads" / upload_id
        folder.mkdir()
        (folder / "meta.json").write_text(json.dumps({"bucket": ref.bucket, "key": ref.key}))
        return upload_id

    def part_url(self, ref: ObjectRef, upload_id: str, number: int, expires: int) -> str | None:
        return None

    def put_part(self, ref: ObjectRef, upload_id: str, number: int, data: bytes) -> str:
        if not 1 <= number <= 10000:
            raise InvalidInput("part numbers run from 1 to 10000")
        folder = self._upload(ref, upload_id)
        etag = f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"'
        temp = folder / f"{number}.tmp"
        temp.write_bytes(data)
        part = folder / f"{number}.part"
        os.replace(temp, part)
        _remember_etag(part, etag)
        return etag

    def parts(self, ref: ObjectRef, upload_id: str) -> list[UploadedPart]:
        folder = self._upload(ref, upload_id)
        found = []
        for path in folder.glob("*.part"):
            etag, size = _etag(path)
            found.append(UploadedPart(int(path.stem), etag, size))
        return sorted(found, key=lambda p: p.number)

    def complete_upload(
        self, ref: ObjectRef, upload_id: str, parts: Sequence[UploadedPart]
    ) -> None:
        folder = self._upload(ref, upload_id)
        stored = {p.number: p for p in self.parts(ref, upload_id)}
        if not parts:
            raise InvalidInput("an upload needs at least one part")
        for part in parts:
            if part.number not in stored or stored[part.number].etag != part.etag:
                raise InvalidInput(f"part {part.number} is missing or differs")
        temp = self._temp()
        ordered = sorted(parts, key=lambda p: p.number)
        if len(ordered) == 1:  # the part is ours and goes away with the upload: link it
            temp.unlink()
            os.link(folder / f"{ordered[0].number}.part", temp)
        else:
            with temp.open("wb") as out:
                for part in ordered:
                    with (folder / f"{part.number}.part").open("rb") as chunk:
                        _copy(chunk, out)
        self._install(temp, ref, False, "CompleteMultipartUpload")
        shutil.rmtree(folder, ignore_errors=True)

    def abort_upload(self, ref: ObjectRef, upload_id: str) -> None:
        shutil.rmtree(self._upload(ref, upload_id), ignore_errors=True)

    def download_url(self, ref: ObjectRef, expires: int, filename: str) -> str | None:
        return None


def _copy(src: BinaryIO, dst: BinaryIO) -> None:
    """Append all of `src` to `dst` in the kernel where it can (copy_file_range), else
    through a buffer."""
    if hasattr(os, "copy_file_range"):
        try:
            while os.copy_file_range(src.fileno(), dst.fileno(), 1 << 30):
                pass
            return
        except OSError:  # not supported between these files: copy what is left
            dst.seek(0, os.SEEK_END)
    shutil.copyfileobj(src, dst, 1 << 20)


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"


def _remember_etag(part: Path, etag: str) -> None:
    """Keep a part's ETag beside it, stamped with the part file's identity: a stale or
    torn note (a crash between the two writes) does not match and is recomputed."""
    note = part.with_suffix(".etag")
    temp = part.with_suffix(".etag.tmp")
    temp.write_text(f"{_stamp(part)} {etag}")
    os.replace(temp, note)


def _etag(part: Path) -> tuple[str, int]:
    """(ETag, size) of a stored part, from its note when the note matches the file."""
    try:
        stamp, _, etag = part.with_suffix(".etag").read_text().partition(" ")
        if etag and stamp == _stamp(part):
            return etag, int(stamp.rsplit(":", 1)[1])
    except (FileNotFoundError, ValueError):
        pass
    data = part.read_bytes()
    return f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"', len(data)
