"""Where the warmer writes: a folder (self-hosted, served by Stellarr itself) or an S3
bucket (AWS, served by CloudFront). Both take a whole file or nothing."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from stellarr.domain.trending import CACHE_CONTROL, MEDIA_TYPE

if TYPE_CHECKING:
    from stellarr.aws.s3 import S3Client


class LocalFolder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def put(self, name: str, body: bytes) -> None:
        # A thread: the scheduler runs this inside the server, whose loop must keep serving.
        await asyncio.to_thread(self._replace, name, body)

    def _replace(self, name: str, body: bytes) -> None:
        """Write beside the file, then rename over it: a reader (or a crash) sees the old
        file or the new one, never half of one."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=self.folder)
        try:
            with os.fdopen(handle, "wb") as output:
                output.write(body)
                output.flush()
                os.fsync(output.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, self.folder / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def oldest_mtime(self, names: list[str]) -> float | None:
        """When the stalest of `names` was written; None when one is missing."""
        times = []
        for name in names:
            try:
                times.append((self.folder / name).stat().st_mtime)
            except OSError:  # missing, or unreadable: either way it needs writing
                return None
        return min(times, default=None)


class S3Bucket:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    async def put(self, name: str, body: bytes) -> None:
        # PutObject replaces an object whole, so a failed upload leaves the last good one.
        await self.client.put_object(
            self.bucket, name, body, content_type=MEDIA_TYPE, cache_control=CACHE_CONTROL
        )
