"""The folder store's writes, in one place, and what a full disk turns into.

Every byte the folder store writes goes through a `Disk`: `write` (bytes into an open
file) or `copy` (one open file onto the end of another). A test swaps either for one that
fails the way a full disk does, part-way through, and checks that nothing partial is left.

A write that fails for lack of room (ENOSPC, or EDQUOT under a quota) becomes StorageFull,
which the web answers with 507; its temp file is removed first, so a retry once space
returns starts clean.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from stereospot.errors import StorageFull

NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT})


def write_all(handle: BinaryIO, data: bytes) -> None:
    handle.write(data)
    handle.flush()  # a short disk fails here, inside the guard, not later at close


def copy_all(src: BinaryIO, dst: BinaryIO) -> None:
    """Append all of `src` to `dst` in the kernel where it can (copy_file_range), else
    through a buffer."""
    if hasattr(os, "copy_file_range"):
        try:
            while os.copy_file_range(src.fileno(), dst.fileno(), 1 << 30):
                pass
            return
        except OSError as exc:
            if exc.errno in NO_ROOM:
                raise
            dst.seek(0, os.SEEK_END)  # not supported between these files: copy the rest
    shutil.copyfileobj(src, dst, 1 << 20)
    dst.flush()


@dataclass
class Disk:
    write: Callable[[BinaryIO, bytes], None] = write_all
    copy: Callable[[BinaryIO, BinaryIO], None] = copy_all


@contextmanager
def no_room_is_storage_full() -> Iterator[None]:
    """OSError ENOSPC / EDQUOT -> StorageFull; other errors pass unchanged."""
    try:
        yield
    except OSError as exc:
        if exc.errno in NO_ROOM:
            raise StorageFull("the server's storage is full; nothing was stored") from exc
        raise


@contextmanager
def removed_on_failure(*paths: Path) -> Iterator[None]:
    """Remove `paths` (temp files, a half-made folder) if the block raises."""
    try:
        yield
    except BaseException:
        for path in paths:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        raise


def write_new(disk: Disk, path: Path, data: bytes) -> None:
    """Put `data` at `path` whole or not at all: a temp file beside it, then a rename."""
    temp = path.with_name(f".{path.name}.tmp")
    with no_room_is_storage_full(), removed_on_failure(temp):
        with temp.open("wb") as handle:
            disk.write(handle, data)
        os.replace(temp, path)
