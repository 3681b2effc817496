"""A secret generated once into the data folder (the signing key, the local login token).

The file appears complete or not at all: the secret is written to a private temporary file
beside it and hard-linked into place, so a second process never reads it half-written (an
empty token would otherwise be one anybody could send). A file that is empty anyway is
refused, never used."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from stereospot.errors import SettingsError


def read_or_create(path: Path, make: Callable[[], str]) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(make())
                handle.flush()
                os.fsync(handle.fileno())
            # Another process may have made it first; theirs is complete too.
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    value = path.read_text().strip()
    if not value:
        raise SettingsError(f"{path} is empty; delete it and a new one is made")
    return value
