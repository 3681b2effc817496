"""S3-event-shaped messages. On AWS, S3 sends them; locally the ObjectStore writes the same
shape, so worker code reads one format either way."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus, unquote_plus


@dataclass(frozen=True, slots=True)
class ObjectCreated:
    bucket: str
    key: str
    size: int


def object_created(bucket: str, key: str, size: int, now: float, name: str = "Put") -> str:
    """The JSON body S3 puts on a queue for one new object (keys are URL-encoded as S3
    encodes them)."""
    when = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "eventTime": when,
        "eventName": f"ObjectCreated:{name}",
        "s3": {
            "s3SchemaVersion": "1.0",
            "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
            "object": {"key": quote_plus(key, safe="/"), "size": size},
        },
    }
    return json.dumps({"Records": [record]})


def parse(body: str) -> list[ObjectCreated]:
    """The object-created records in a message; [] for S3's test event or anything else."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        return []
    records = data.get("Records") if isinstance(data, dict) else None
    found: list[ObjectCreated] = []
    for record in records if isinstance(records, list) else []:
        try:
            if not str(record["eventName"]).startswith("ObjectCreated:"):
                continue
            s3 = record["s3"]
            found.append(
                ObjectCreated(
                    bucket=str(s3["bucket"]["name"]),
                    key=unquote_plus(str(s3["object"]["key"])),
                    size=int(s3["object"].get("size", 0)),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return found
