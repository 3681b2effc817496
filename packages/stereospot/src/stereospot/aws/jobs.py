"""DynamoDB adapters: `Jobs` (GSIs status-created_at and status-completed_at),
`SegmentCompletions` (job_id + segment_index) and `ReassemblyTriggered` (TTL `ttl`).

A job update reads the item strongly consistently and writes it back with a condition on
the version it read: one conditional write, and a lost race is retried while the status
still allows the change. Segment states live in a map on the job item, so progress bumps
the same version and no update can overwrite them with stale values.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from stereospot.aws.clients import Clients, translated
from stereospot.errors import Conflict, NotFound
from stereospot.jobs.codec import from_dict, to_dict
from stereospot.jobs.models import (
    Job,
    JobStatus,
    SegmentCompletion,
    SegmentState,
    SegmentStatus,
    check_changeable,
)
from stereospot.jobs.states import advance
from stereospot.ports import ListOrder

_NUMBERS = ("created_at", "updated_at", "completed_at", "version", "lease_expires")


def _num(value: float | int) -> Decimal:
    return Decimal(str(value))


def _item(job: Job, segments: Mapping[str, Any]) -> dict[str, Any]:
    data = to_dict(job)
    item: dict[str, Any] = {
        "job_id": job.job_id,
        "owner": job.owner,
        "status": job.status.value,
        "segments": dict(segments),
        "data": json.dumps({k: v for k, v in data.items() if k not in _NUMBERS}),
    }
    for name in _NUMBERS:
        if data[name] is not None:  # absent, not null: the completed_at GSI stays sparse
            item[name] = _num(data[name])
    if job.lease_owner is not None:
        item["lease_owner"] = job.lease_owner
    return item


def _job(item: Mapping[str, Any]) -> Job:
    data = json.loads(item["data"])
    data["status"] = item["status"]
    data["lease_owner"] = item.get("lease_owner")
    for name in _NUMBERS:
        data[name] = item.get(name)
    return from_dict(data)


class DynamoJobStore:
    def __init__(self, clients: Clients) -> None:
        self.table = clients.table("Jobs")

    def _read(self, job_id: str) -> dict[str, Any] | None:
        with translated("Jobs get"):
            item = self.table.get_item(Key={"job_id": job_id}, ConsistentRead=True).get("Item")
        return None if item is None else dict(item)

    def create(self, job: Job) -> None:
        try:
            with translated("Jobs create"):
                self.table.put_item(
                    Item=_item(job, {}), ConditionExpression="attribute_not_exists(job_id)"
                )
        except Conflict:
            raise Conflict(f"job {job.job_id} exists") from None

    def get(self, job_id: str) -> Job | None:
        item = self._read(job_id)
        return None if item is None else _job(item)

    def update(
        self,
        job_id: str,
        *,
        when: Collection[JobStatus],
        now: float,
        status: JobStatus | None = None,
        changes: Mapping[str, Any] | None = None,
        version: int | None = None,
    ) -> Job:
        check_changeable(changes)
        for _ in range(20):
            item = self._read(job_id)
            if item is None:
                raise NotFound(f"no job {job_id}")
            job = _job(item)
            if job.status not in when or (version is not None and job.version != version):
                raise Conflict(f"job {job_id} is {job.status} (version {job.version})")
            new = dataclasses.replace(
                job,
                **dict(changes or {}),
                status=advance(job, status),
                version=job.version + 1,
                updated_at=now,
            )
            try:
                with translated("Jobs update"):
                    self.table.put_item(
                        Item=_item(new, item.get("segments", {})),
                        ConditionExpression=Attr("version").eq(_num(job.version)),
                    )
                return new
            except Conflict:
                continue  # someone else wrote in between: decide again on fresh data
        raise Conflict(f"job {job_id}: too much contention")

    def acquire_lease(self, job_id: str, owner: str, until: float, now: float) -> bool:
        try:
            with translated("Jobs lease"):
                self.table.update_item(
                    Key={"job_id": job_id},
                    UpdateExpression="SET lease_owner = :o, lease_expires = :u ADD version :one",
                    ConditionExpression="attribute_exists(job_id) AND (attribute_not_exists("
                    "lease_owner) OR lease_owner = :o OR lease_expires <= :now)",
                    ExpressionAttributeValues={
                        ":o": owner,
                        ":u": _num(until),
                        ":now": _num(now),
                        ":one": 1,
                    },
                )
            return True
        except Conflict:
            return False

    def release_lease(self, job_id: str, owner: str) -> None:
        try:
            with translated("Jobs release"):
                self.table.update_item(
                    Key={"job_id": job_id},
                    UpdateExpression="REMOVE lease_owner, lease_expires ADD version :one",
                    ConditionExpression="lease_owner = :o",
                    ExpressionAttributeValues={":o": owner, ":one": 1},
                )
        except Conflict:
            pass  # it expired and someone else holds it now: nothing of ours to give up

    def _query(self, index: str, status: JobStatus, **extra: Any) -> list[Job]:
        key = "created_at" if index == "status-created_at" else "completed_at"
        found: list[Job] = []
        kwargs: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": Key("status").eq(status.value) & Key(key).gt(0),
            "ScanIndexForward": False,
            **extra,
        }
        while True:
            with translated("Jobs query"):
                page = self.table.query(**kwargs)
            found.extend(_job(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def find(
        self,
        statuses: Collection[JobStatus],
        *,
        order: ListOrder = "created",
        owner: str | None = None,
        limit: int = 50,
    ) -> list[Job]:
        index = "status-created_at" if order == "created" else "status-completed_at"
        extra = {"FilterExpression": Attr("owner").eq(owner)} if owner is not None else {}
        jobs = [job for s in statuses for job in self._query(index, s, **extra)]
        if order == "created":
            jobs.sort(key=lambda j: (j.created_at, j.job_id), reverse=True)
        else:
            jobs.sort(key=lambda j: (j.completed_at or 0, j.job_id), reverse=True)
        return jobs[:limit]

    def stalled(self, before: float, statuses: Collection[JobStatus]) -> list[Job]:
        extra = {"FilterExpression": Attr("updated_at").lt(_num(before))}
        return [job for s in statuses for job in self._query("status-created_at", s, **extra)]

    def set_segment(self, job_id: str, state: SegmentState, now: float) -> None:
        value = {"status": state.status.value, "progress": state.progress, "error": state.error}
        try:
            with translated("Jobs segment"):
                self.table.update_item(
                    Key={"job_id": job_id},
                    UpdateExpression="SET #segs.#i = :v, updated_at = :now ADD version :one",
                    ConditionExpression="attribute_exists(job_id)",
                    ExpressionAttributeNames={"#segs": "segments", "#i": str(state.index)},
                    ExpressionAttributeValues={":v": value, ":now": _num(now), ":one": 1},
                )
        except Conflict:
            raise NotFound(f"no job {job_id}") from None

    def segments(self, job_id: str) -> list[SegmentState]:
        item = self._read(job_id) or {}
        states = [
            SegmentState(int(i), SegmentStatus(v["status"]), int(v["progress"]), v.get("error"))
            for i, v in item.get("segments", {}).items()
        ]
        return sorted(states, key=lambda s: s.index)

    def delete(self, job_id: str) -> None:
        with translated("Jobs delete"):
            self.table.delete_item(Key={"job_id": job_id})


class DynamoCompletions:
    def __init__(self, clients: Clients) -> None:
        self.table = clients.table("SegmentCompletions")

    def put(self, completion: SegmentCompletion) -> None:
        c = completion
        with translated("SegmentCompletions put"):
            self.table.put_item(
                Item={
                    "job_id": c.job_id,
                    "segment_index": c.index,
                    "total": c.total,
                    "output_key": c.output_key,
                    "completed_at": _num(c.completed_at),
                    "report": json.dumps(dict(c.report)),
                }
            )

    def _items(self, job_id: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("job_id").eq(job_id),
            "ConsistentRead": True,  # the all-present check must see every completion
        }
        while True:
            with translated("SegmentCompletions query"):
                page = self.table.query(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def of_job(self, job_id: str) -> list[SegmentCompletion]:
        return [
            SegmentCompletion(
                i["job_id"],
                int(i["segment_index"]),
                int(i["total"]),
                i["output_key"],
                float(i["completed_at"]),
                json.loads(i["report"]),
            )
            for i in self._items(job_id)
        ]

    def delete_job(self, job_id: str) -> None:
        with self.table.batch_writer() as batch:
            for item in self._items(job_id):
                batch.delete_item(Key={"job_id": job_id, "segment_index": item["segment_index"]})


class DynamoTriggers:
    def __init__(self, clients: Clients) -> None:
        self.table = clients.table("ReassemblyTriggered")

    def claim(self, job_id: str, expires_at: float, now: float) -> bool:
        # TTL deletion is lazy (up to days), so an expired marker is treated as absent here.
        try:
            with translated("ReassemblyTriggered claim"):
                self.table.put_item(
                    Item={"job_id": job_id, "ttl": int(expires_at)},
                    ConditionExpression="attribute_not_exists(job_id) OR #t <= :now",
                    ExpressionAttributeNames={"#t": "ttl"},
                    ExpressionAttributeValues={":now": int(now)},
                )
            return True
        except Conflict:
            return False

    def clear(self, job_id: str) -> None:
        with translated("ReassemblyTriggered clear"):
            self.table.delete_item(Key={"job_id": job_id})
