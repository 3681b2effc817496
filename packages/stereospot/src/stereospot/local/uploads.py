"""The folder store's unfinished uploads, filed under the key they will become:

    <root>/<bucket>/<key>~/lock             one lock per key (flock: threads and processes)
    <root>/<bucket>/<key>~/<upload_id>/     meta.json {"started": t}, N.part, N.etag

(the key's folder, lock and all, goes when its last upload does).

- A key has at most one upload: starting one removes the others, parts and all, under the
  key's lock. So one job holds one upload however often its upload is started.
- "~" is not allowed in keys (jobs.keys.check_key), so a key's folder is never mistaken
  for part of another key, and deleting a job's prefix finds its uploads by path alone,
  without opening anything that a full disk may have left empty or half-written.
- Every change to an upload (start, part, completion, abort, expiry) holds the key's lock:
  of eight concurrent completions one assembles, the others find it gone.
- An upload folder without a readable meta.json is what a crash between its two writes
  leaves; it is not an upload (NotFound), and the sweep removes it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from stereospot.errors import InvalidInput, NotFound
from stereospot.jobs.keys import check_key
from stereospot.local.disk import Disk, no_room_is_storage_full, removed_on_failure, write_new
from stereospot.ports import UploadedPart

UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
MARK = "~"  # ends a key's folder; never part of a key


class FolderUploads:
    def __init__(self, root: Path, buckets: tuple[str, ...], disk: Disk,
                 clock: Callable[[], float]) -> None:  # fmt: skip
        self.root = root
        self.buckets = buckets
        self.disk = disk
        self.clock = clock

    def _key_folder(self, bucket: str, key: str) -> Path:
        return self.root / bucket / f"{check_key(key)}{MARK}"

    @contextmanager
    def locked(self, bucket: str, key: str, *, create: bool = False) -> Iterator[Path]:
        """Hold the key's lock; yields the key's folder. Without `create`, a key with no
        uploads is NotFound (and gets no folder)."""
        folder = self._key_folder(bucket, key)
        while True:
            with no_room_is_storage_full():
                try:
                    if create:
                        folder.mkdir(parents=True, exist_ok=True)
                    handle = (folder / "lock").open("ab")
                except FileNotFoundError:
                    if not create:
                        raise NotFound("no such upload") from None
                    continue  # a folder went with its last upload just now
            with handle:
                fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
                # The key's folder goes, lock and all, with its last upload (or the job)
                # while others wait on the old lock: it guards nothing now, take it anew.
                if _same_file(handle.fileno(), folder / "lock"):
                    yield folder
                    return

    def folder(self, bucket: str, key: str, upload_id: str) -> Path:
        """The upload's folder; NotFound for an unknown, replaced, finished or half-made
        one."""
        if not UPLOAD_ID.fullmatch(upload_id):
            raise NotFound("no such upload")
        folder = self._key_folder(bucket, key) / upload_id
        if _started(folder) is None:
            raise NotFound("no such upload")
        return folder

    # changes (each under the key's lock) ------------------------------------------------
    def start(self, bucket: str, key: str) -> str:
        with self.locked(bucket, key, create=True) as key_folder:
            replaced = _upload_folders(key_folder)
            upload_id = secrets.token_hex(16)
            folder = key_folder / upload_id
            with no_room_is_storage_full(), removed_on_failure(folder):
                folder.mkdir()
                started = json.dumps({"started": self.clock()}).encode()
                write_new(self.disk, folder / "meta.json", started)
            # Only once the new one exists: a start that fails keeps the open upload.
            for old in replaced:
                shutil.rmtree(old, ignore_errors=True)
            return upload_id

    def put_part(self, bucket: str, key: str, upload_id: str, number: int, data: bytes) -> str:
        if not 1 <= number <= 10000:
            raise InvalidInput("part numbers run from 1 to 10000")
        etag = f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"'
        with self.locked(bucket, key):
            folder = self.folder(bucket, key, upload_id)
            part = folder / f"{number}.part"
            temp = folder / f"{number}.tmp"
            with no_room_is_storage_full(), removed_on_failure(temp):
                with temp.open("wb") as handle:
                    self.disk.write(handle, data)
                os.replace(temp, part)
            _remember_etag(part, etag)
        return etag

    def abort(self, bucket: str, key: str, upload_id: str) -> None:
        with self.locked(bucket, key):
            self.remove(self.folder(bucket, key, upload_id))

    def remove(self, folder: Path) -> None:
        """Delete an upload (the caller holds its key's lock), and its key's folder when
        no upload is left in it: those waiting on the lock then take a new one."""
        shutil.rmtree(folder, ignore_errors=True)
        key_folder = folder.parent
        if not _upload_folders(key_folder):
            (key_folder / "lock").unlink(missing_ok=True)
            self._prune(key_folder)

    def _prune(self, folder: Path) -> None:
        """Remove `folder` and its parents while they are empty, up to the bucket's, so
        the sweep walks only keys that have uploads."""
        for empty in (folder, *folder.parents):
            if empty.parent == self.root or self.root not in empty.parents:
                return
            try:
                empty.rmdir()
            except OSError:  # not empty (something arrived meanwhile), or gone already
                if empty.exists():
                    return

    def delete_under(self, bucket: str, prefix: str) -> None:
        """Remove every upload whose key starts with `prefix`, and the keys' folders."""
        for key, key_folder in self._keys(bucket, prefix):
            with suppress(NotFound), self.locked(bucket, key):  # NotFound: gone meanwhile
                for folder in _upload_folders(key_folder):
                    shutil.rmtree(folder, ignore_errors=True)
                shutil.rmtree(key_folder, ignore_errors=True)
                self._prune(key_folder.parent)

    def expire(self, started_before: float) -> int:
        """Remove uploads started before `started_before`, and half-made ones; the count.
        Also the folders of the layout before this one (`<root>/<upload_id>/`), which no
        upload id resolves to any more."""
        removed = 0
        for bucket in self.buckets:
            for key, _ in self._keys(bucket, ""):
                with suppress(NotFound), self.locked(bucket, key) as key_folder:
                    for folder in _upload_folders(key_folder):
                        started = _started(folder)
                        if started is None or started < started_before:
                            self.remove(folder)
                            removed += 1
        for old in self.root.iterdir() if self.root.is_dir() else ():
            if old.name not in self.buckets and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
                removed += 1
        return removed

    # reads ------------------------------------------------------------------------------
    def parts(self, bucket: str, key: str, upload_id: str) -> list[UploadedPart]:
        folder = self.folder(bucket, key, upload_id)
        found = []
        try:
            for path in folder.glob("*.part"):
                etag, size = _etag(path)
                found.append(UploadedPart(int(path.stem), etag, size))
        except FileNotFoundError:  # completed or replaced while we looked
            raise NotFound("no such upload") from None
        return sorted(found, key=lambda p: p.number)

    def usage(self, bucket: str, prefix: str) -> int:
        """Bytes of the parts of uploads whose key starts with `prefix`."""
        total = 0
        for _, key_folder in self._keys(bucket, prefix):
            for folder in _upload_folders(key_folder):
                # Unlocked: an upload completed or replaced meanwhile counts as gone.
                with suppress(FileNotFoundError), os.scandir(folder) as entries:
                    for entry in entries:
                        if entry.name.endswith(".part"):
                            with suppress(FileNotFoundError):
                                total += entry.stat().st_size
        return total

    def _keys(self, bucket: str, prefix: str) -> Iterator[tuple[str, Path]]:
        """(key, key folder) of every key with uploads that starts with `prefix`."""
        base = self.root / bucket
        for here, folders, _ in os.walk(prefix_folder(base, prefix)):
            for name in list(folders):
                if name.endswith(MARK):
                    folders.remove(name)  # an upload's insides are not keys
                    path = Path(here) / name
                    key = path.relative_to(base).as_posix()[: -len(MARK)]
                    if key.startswith(prefix):
                        yield key, path


def prefix_folder(base: Path, prefix: str) -> Path:
    """The folder under `base` holding every key that starts with `prefix`: walk only it,
    not the whole bucket (the bucket itself for a prefix that is no safe path)."""
    folder = prefix.rpartition("/")[0]
    try:
        return base / check_key(folder) if folder else base
    except InvalidInput:
        return base


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), path.stat())
    except FileNotFoundError:
        return False


def _upload_folders(key_folder: Path) -> list[Path]:
    try:
        return [p for p in key_folder.iterdir() if UPLOAD_ID.fullmatch(p.name) and p.is_dir()]
    except FileNotFoundError:
        return []


def _started(folder: Path) -> float | None:
    try:
        return float(json.loads((folder / "meta.json").read_text())["started"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"


def _remember_etag(part: Path, etag: str) -> None:
    """Keep a part's ETag beside it, stamped with the part file's identity: a stale or
    torn note (a crash between the two writes) does not match and is recomputed. Only a
    saving: on a full disk the part is kept without its note."""
    note = part.with_suffix(".etag")
    temp = part.with_suffix(".etag.tmp")
    try:
        temp.write_text(f"{_stamp(part)} {etag}")
        os.replace(temp, note)
    except OSError:
        temp.unlink(missing_ok=True)


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
