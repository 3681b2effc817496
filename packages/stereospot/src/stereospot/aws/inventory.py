"""The AWS resources the code relies on, described once: tables with their keys, indexes and
TTL, queues with their dead-letter queues, buckets with their notifications and lifecycle
rules. aws/provision.py creates them from this (moto, development accounts); the Terraform
in infra/aws-infra declares them, and tests/infra compares it with this description, so the
two cannot drift apart or away from the code.

Names follow settings.py: tables and queues are `<STEREOSPOT_AWS_PREFIX>-<name>`, buckets
are STEREOSPOT_INPUT_BUCKET and STEREOSPOT_OUTPUT_BUCKET.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from stereospot.settings import Settings

# Messages that exhausted their receives wait this long to be looked at (SQS's maximum).
DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    type: str  # "S" or "N"


@dataclass(frozen=True, slots=True)
class Index:
    """A global secondary index projecting every attribute."""

    name: str
    hash_key: Attribute
    range_key: Attribute


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # the table is <prefix>-<name>
    hash_key: Attribute
    range_key: Attribute | None = None
    indexes: tuple[Index, ...] = ()
    ttl: str | None = None  # the attribute holding an item's expiry, in epoch seconds

    def full_name(self, prefix: str) -> str:
        return f"{prefix}-{self.name}"

    @property
    def attributes(self) -> tuple[Attribute, ...]:
        """Every key attribute of the table and its indexes, once each."""
        keys = [self.hash_key, self.range_key]
        keys += [key for index in self.indexes for key in (index.hash_key, index.range_key)]
        return tuple(dict.fromkeys(key for key in keys if key is not None))


@dataclass(frozen=True, slots=True)
class Queue:
    name: str  # the queue is <prefix>-<name>, its dead-letter queue <prefix>-<name>-dlq
    max_receives: int
    visibility_timeout: int

    def full_name(self, prefix: str) -> str:
        return f"{prefix}-{self.name}"

    def dead_letter_name(self, prefix: str) -> str:
        return f"{prefix}-{self.name}-dlq"


@dataclass(frozen=True, slots=True)
class Notification:
    """Objects created under `prefix` (and ending in `suffix`) are announced on `queue`."""

    queue: str
    prefix: str
    suffix: str = ""


@dataclass(frozen=True, slots=True)
class LifecycleRule:
    id: str
    prefix: str  # literal: S3 matches the start of the key, nothing else
    expire_days: int | None = None
    abort_uploads_days: int | None = None


@dataclass(frozen=True, slots=True)
class Bucket:
    role: str  # "input" or "output", as ObjectRef.bucket says
    name: str
    notifications: tuple[Notification, ...] = ()
    lifecycle: tuple[LifecycleRule, ...] = ()


_STATUS = Attribute("status", "S")

TABLES = (
    Table(
        "Jobs",
        Attribute("job_id", "S"),
        indexes=(
            Index("status-created_at", _STATUS, Attribute("created_at", "N")),
            Index("status-completed_at", _STATUS, Attribute("completed_at", "N")),
        ),
    ),
    Table("SegmentCompletions", Attribute("job_id", "S"), Attribute("segment_index", "N")),
    Table("ReassemblyTriggered", Attribute("job_id", "S"), ttl="ttl"),
)

QUEUE_NAMES = ("chunking", "video-worker", "reassembly")

# Converted segments (jobs/keys.py puts them under segments/<job>/ in the output bucket for
# this rule), SageMaker's asynchronous results and the requests that point at them are
# read once, within minutes; a day covers any retry, and a failed or abandoned job's
# leftovers go by themselves.
SCRATCH_DAYS = 1


def queues(settings: Settings) -> tuple[Queue, ...]:
    """The three stage queues; one visibility timeout and receive count for all, as the
    workers use (they extend the visibility while they work)."""
    return tuple(
        Queue(name, settings.max_receives, int(settings.visibility_timeout)) for name in QUEUE_NAMES
    )


def abandoned_uploads(settings: Settings) -> LifecycleRule:
    """S3 aborts a multipart upload left unfinished this many whole days after it began,
    even if no sweep ever runs (the reconciler's sweep goes by the hour)."""
    days = max(1, math.ceil(settings.upload_expiry_hours / 24))
    return LifecycleRule("abort-abandoned-uploads", "", abort_uploads_days=days)


def buckets(settings: Settings) -> tuple[Bucket, ...]:
    # Two notifications whose filters overlap are refused by S3: `segments/` ends in
    # `.mp4` and never starts with `input/`.
    return (
        Bucket(
            "input",
            settings.input_bucket,
            notifications=(
                Notification("chunking", "input/"),
                Notification("video-worker", "segments/", ".mp4"),
            ),
            lifecycle=(
                abandoned_uploads(settings),
                LifecycleRule("expire-inference-requests", "requests/", SCRATCH_DAYS),
            ),
        ),
        Bucket(
            "output",
            settings.output_bucket,
            lifecycle=(
                abandoned_uploads(settings),
                LifecycleRule("expire-converted-segments", "segments/", SCRATCH_DAYS),
                LifecycleRule("expire-inference-results", "inference/", SCRATCH_DAYS),
            ),
        ),
    )
