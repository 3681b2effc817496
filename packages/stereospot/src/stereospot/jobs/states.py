"""The job state machine: which status may follow which. Stores apply a transition only
through a conditional write on the status it expects, so two workers never both win, and
only through `advance`, so no caller can make a transition the machine does not have."""

from __future__ import annotations

from stereospot.errors import Conflict
from stereospot.jobs.models import Job
from stereospot.jobs.models import JobStatus as S

TRANSITIONS: dict[S, frozenset[S]] = {
    # The chunker may see the source's event before the service marks the upload done.
    S.CREATED: frozenset({S.QUEUED, S.CHUNKING, S.CANCELLED}),
    S.QUEUED: frozenset({S.CHUNKING, S.FAILED, S.CANCELLED}),
    S.CHUNKING: frozenset({S.CONVERTING, S.FAILED, S.CANCELLED}),
    S.CONVERTING: frozenset({S.REASSEMBLING, S.FAILED, S.CANCELLED}),
    S.REASSEMBLING: frozenset({S.COMPLETED, S.FAILED, S.CANCELLED}),
    # retry: back to whichever stage failed
    S.FAILED: frozenset({S.QUEUED, S.CONVERTING, S.REASSEMBLING, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}


def sources_of(target: S) -> frozenset[S]:
    """Every status from which `target` may be reached."""
    return frozenset(s for s, targets in TRANSITIONS.items() if target in targets)


def allowed(source: S, target: S) -> bool:
    return target in TRANSITIONS[source]


def advance(job: Job, to: S | None) -> S:
    """The status `job` takes when an update asks for `to` (None: the one it has); raises
    Conflict for a transition the machine does not have."""
    if to is None or to == job.status:
        return job.status
    if not allowed(job.status, to):
        raise Conflict(f"job {job.job_id} is {job.status}; it cannot become {to}")
    return to
