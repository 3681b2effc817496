"""The home lists' files in the data folder, as bytes in memory for `GET /trending-*.json`
(and `/popular-*`, `/upcoming-*`).

A request costs one stat() of the file: the bytes (and their gzip and ETag, through
`Rendered`) are read again only when the file changed, which an atomic rename from the
warmer, in this process or `stellarr warm-trending` in another, always shows as a new inode.
"""

from __future__ import annotations

import os
from pathlib import Path

from stellarr.domain.trending import checked_name
from stellarr.services.snapshot import Rendered

FileKey = tuple[int, int, int]  # inode, mtime in ns, size


class TrendingFiles:
    def __init__(self, folder: Path) -> None:
        self._folder = str(folder)
        self._cached: dict[str, tuple[FileKey, Rendered]] = {}

    def get(self, list_name: str, kind: str, locale: str) -> Rendered | None:
        """The list's current bytes, or None when there is no such list (yet)."""
        name = checked_name(list_name, kind, locale)
        if name is None:
            return None
        path = os.path.join(self._folder, name)
        try:
            cached = self._cached.get(name)
            if cached is not None and cached[0] == _key(os.stat(path)):
                return cached[1]
            with open(path, "rb") as handle:
                # The key of what is read, not of the earlier stat: a rename in between
                # must not pair new bytes with the old file's key, or the reverse.
                key = _key(os.fstat(handle.fileno()))
                rendered = Rendered.of(handle.read())
        except OSError:
            self._cached.pop(name, None)
            return None
        self._cached[name] = (key, rendered)
        return rendered


def _key(found: os.stat_result) -> FileKey:
    return (found.st_ino, found.st_mtime_ns, found.st_size)
