"""Keys and item shapes of the DynamoDB table (the layout is in __init__.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from stellarr.aws.marshal import Item, from_item, to_attr
from stellarr.domain.models import MediaRequest, MediaType, Monitor, RequestStatus

PK = "media_type"
SK = "tmdb_id"
TTL = "ttl"
META = "META"
REVISION_SK = 0
LIBRARY_SK = 1
HEALTH_SK = 2


def primary_key(pk: str, sk: int) -> Item:
    return {PK: {"S": pk}, SK: {"N": str(sk)}}


def iso(value: datetime) -> str:
    # One fixed format, so that string order is time order for list_requests.
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def library_partition(kind: str, gen: int) -> str:
    return f"LIBRARY#{kind}#G{gen}"


def request_item(r: MediaRequest, seq: int) -> Item:
    """`seq` breaks ties between equal requested_at values, newest insert first."""
    values: dict[str, object] = {
        PK: r.media_type.value,
        SK: r.tmdb_id,
        "title": r.title,
        "requested_by": r.requested_by,
        "requested_at": iso(r.requested_at),
        "status": r.status.value,
        "seq": seq,
        "year": r.year,
        "overview": r.overview,
        "poster_path": r.poster_path,
        "imdb_id": r.imdb_id,
        "tvdb_id": r.tvdb_id,
        "added_at": iso(r.added_at) if r.added_at else None,
        # Absent means whole, as on every item written before the choice existed.
        "monitor": r.monitor.value if r.monitor is not Monitor.ALL else None,
    }
    return {k: to_attr(v) for k, v in values.items() if v is not None}


def request_order(item: Item) -> tuple[str, int]:
    return item["requested_at"]["S"], int(item.get("seq", {"N": "0"})["N"])


def to_request(item: Item) -> MediaRequest:
    values: dict[str, Any] = from_item(item)
    added_at = values.get("added_at")
    return MediaRequest(
        media_type=MediaType(values[PK]),
        tmdb_id=int(values[SK]),
        title=values["title"],
        requested_by=values["requested_by"],
        requested_at=datetime.fromisoformat(values["requested_at"]),
        year=values.get("year"),
        overview=values.get("overview"),
        poster_path=values.get("poster_path"),
        imdb_id=values.get("imdb_id"),
        tvdb_id=values.get("tvdb_id"),
        status=RequestStatus(values.get("status", RequestStatus.PENDING.value)),
        added_at=datetime.fromisoformat(added_at) if added_at else None,
        monitor=Monitor(values.get("monitor", Monitor.ALL.value)),
    )
