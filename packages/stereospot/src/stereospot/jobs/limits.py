"""What one user may hold at once, and how the service keeps count.

- Jobs in progress (waiting for their upload or being converted): at most
  `max_active_jobs`; one more is LimitReached (429).
- One upload: at most `max_upload_bytes`. Parts have a fixed size, so a part numbered past
  `max_parts` is refused before it is stored (TooLarge, 413), and the completion checks the
  real total.
- Storage: everything under a user's jobs (sources, segments, results) plus their
  unfinished uploads' parts, at most `max_stored_bytes`; an upload that would pass it is
  QuotaExceeded (507).
- Abandoned uploads are aborted `upload_expiry_hours` after they started.

Counting a user's storage lists their jobs' objects, which is too slow to repeat for every
8 MiB part: `StorageMeter` measures once, adds what this process accepts since, and
measures again after `remeasure_seconds`, so other processes' uploads and the workers'
outputs are counted within that time. A measure (`JobBytes`) lists each finished job once
per process (its files no longer change) and only the unfinished ones every time.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from stereospot.jobs import keys
from stereospot.jobs.models import ACTIVE, FINISHED
from stereospot.jobs.models import JobStatus as S
from stereospot.ports import Backend, Bucket, ObjectStore
from stereospot.settings import Settings

UNFINISHED = ACTIVE | {S.CREATED}
MAX_PART_NUMBER = 10_000  # S3's, and the folder store's


@dataclass(frozen=True, slots=True)
class Limits:
    max_upload_bytes: int
    max_stored_bytes: int
    max_active_jobs: int
    upload_expiry_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_upload_bytes=settings.max_upload_bytes,
            max_stored_bytes=settings.max_stored_bytes,
            max_active_jobs=settings.max_active_jobs,
            upload_expiry_seconds=settings.upload_expiry_hours * 3600,
        )

    def max_parts(self, part_size: int) -> int:
        """The highest part number an upload may use with parts of `part_size` bytes."""
        return min(MAX_PART_NUMBER, math.ceil(self.max_upload_bytes / part_size))


def size_text(n: int) -> str:
    """Bytes for people: 64 GiB, 1.5 MiB, 200 bytes."""
    for unit, scale in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


class JobBytes:
    """Bytes under each of a user's jobs, unfinished uploads included. A finished job's
    files do not change (a retry gives it a new version), so it is listed once per process
    and remembered by version; unfinished jobs are listed every time."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._finished: dict[str, tuple[int, int]] = {}  # job id -> (version, bytes)

    def __call__(self, user: str) -> int:
        total = 0
        for job in self.backend.jobs.find(set(S), owner=user, limit=1 << 30):
            known = self._finished.get(job.job_id)
            if known is not None and known[0] == job.version:
                total += known[1]
                continue
            held = 0
            for bucket, prefixes in keys.job_prefixes(job.job_id).items():
                for prefix in prefixes:
                    held += self.backend.objects.usage(cast(Bucket, bucket), prefix)
            if job.status in FINISHED:
                self._finished[job.job_id] = (job.version, held)
            total += held
        return total

    def forget(self, job_id: str) -> None:
        self._finished.pop(job_id, None)


class StorageMeter:
    """Bytes each user holds: measured by `measure(user)`, then kept up to date by `add`
    for what this process stores, and measured again once `remeasure_seconds` have passed
    on `clock`."""

    def __init__(
        self,
        measure: Callable[[str], int],
        clock: Callable[[], float],
        remeasure_seconds: float = 60.0,
    ) -> None:
        self.measure = measure
        self.clock = clock
        self.remeasure_seconds = remeasure_seconds
        self._lock = threading.Lock()
        self._known: dict[str, tuple[float, int]] = {}  # user -> (measured at, bytes)

    def used(self, user: str) -> int:
        now = self.clock()
        with self._lock:
            known = self._known.get(user)
        if known is not None and now - known[0] < self.remeasure_seconds:
            return known[1]
        measured = self.measure(user)
        with self._lock:
            self._known[user] = (now, measured)
        return measured

    def add(self, user: str, n: int) -> None:
        with self._lock:
            if user in self._known:
                at, used = self._known[user]
                self._known[user] = (at, used + n)

    def forget(self, user: str) -> None:
        """Measure again next time (after a deletion frees space)."""
        with self._lock:
            self._known.pop(user, None)


def expire_abandoned_uploads(objects: ObjectStore, limits: Limits, now: float) -> int:
    """Abort every upload started more than the expiry ago; the count. The reconciler
    calls this on each pass."""
    return objects.expire_uploads(now - limits.upload_expiry_seconds)
