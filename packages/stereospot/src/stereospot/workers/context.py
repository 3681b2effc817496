"""What every stage handler needs, built once by the composition root."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from stereospot.jobs.models import Job, JobStatus
from stereospot.ports import Backend, Inference, ObjectRef, ObjectStore
from stereospot.retry import RetryPolicy
from stereospot.settings import Settings


class Skip(Exception):
    """Not an error: the message has nothing left to do (job gone, finished, duplicate)."""


@dataclass
class Context:
    settings: Settings
    backend: Backend
    inference: Inference
    clock: Callable[[], float] = time.time
    policy: RetryPolicy = field(default_factory=RetryPolicy)

    def job(self, job_id: str, *statuses: JobStatus) -> Job:
        """The job, or Skip when it is gone or not in one of `statuses`."""
        job = self.backend.jobs.get(job_id)
        if job is None:
            raise Skip(f"job {job_id} is gone")
        if statuses and job.status not in statuses:
            raise Skip(f"job {job_id} is {job.status}")
        return job


@contextmanager
def work_folder(objects: ObjectStore, prefix: str) -> Iterator[Path]:
    """A temporary folder for a worker's output files: on the folder store's own filesystem
    when it has one (so `publish` renames instead of copying), else the system's."""
    with tempfile.TemporaryDirectory(prefix=prefix, dir=objects.staging()) as tmp:
        yield Path(tmp)


def publish(objects: ObjectStore, ref: ObjectRef, path: Path, *, if_absent: bool = False) -> bool:
    """Store a file the caller is done with: moved in where the store can take it, else
    uploaded or copied (`ObjectStore.adopt_file`)."""
    return objects.adopt_file(ref, path, if_absent=if_absent)
