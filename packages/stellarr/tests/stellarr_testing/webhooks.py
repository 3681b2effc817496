"""What media servers send, for the webhook and sync tests: Plex payloads (the recorded
samples in tests/fixtures/webhooks/plex and builders in the same shapes), Plex's multipart
wrapping, Jellyfin's plugin JSON and Emby's library.new; plus a pending request put straight
into the store, the answer a webhook route gives, and a request's status."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stellarr.domain.models import MediaRequest, MediaType, RequestStatus

if TYPE_CHECKING:  # the parser unit tests use the payloads without building an app
    from stellarr_testing.harness import Harness

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "webhooks" / "plex"
TOKEN = "plex-webhook-token-0123456789abcdef"
BOUNDARY = "------------------------plexwebhook0123"
# A JPEG's start and a body that holds what a careless parser takes for a delimiter.
THUMB = b"\xff\xd8\xff\xe0\r\n--\r\n--" + BOUNDARY.encode()[:-1] + b"\x00" * 64


def sample(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    return loaded


def as_library_new(name: str) -> dict[str, Any]:
    """A recorded media.* payload relabelled library.new: its Metadata has the same shape."""
    payload = sample(name)
    payload["event"] = "library.new"
    return payload


def junk_copies(
    base: dict[str, Any], keys: Iterable[str], junk: Iterable[object], under: str | None = None
) -> Iterator[dict[str, Any]]:
    """Copies of `base` with each of `keys` (in `base[under]`, or at the top) set to each
    `junk` value in turn: what a parser must survive without more than a BadPayload."""
    values = list(junk)
    for key in keys:
        for value in values:
            payload = copy.deepcopy(base)
            (payload if under is None else payload[under])[key] = value
            yield payload


OFFICE = {"title": "Office", "uuid": "54664a3d8acc39983675640ec9ce00b70af9cc36"}


def plex_event(
    metadata: object,
    event: str = "library.new",
    *,
    server: Mapping[str, Any] = OFFICE,
    account: bool = True,
) -> dict[str, Any]:
    """`metadata` is any value so the parser tests can send junk; `account=False` leaves out
    who set the event off, which the parser never reads."""
    payload: dict[str, Any] = {"event": event}
    if account:
        payload.update(user=True, owner=True, Account={"id": 1, "title": "owner"})
    payload.update(Server=dict(server), Metadata=metadata)
    return payload


def plex_movie(
    title: str,
    year: int | None,
    guids: list[str],
    guid: str = "plex://movie/5d7770de6afb3d0020623c0b",
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"librarySectionType": "movie", "type": "movie", "title": title}
    if year is not None:
        metadata["year"] = year
    metadata["guid"] = guid
    if guids:
        metadata["Guid"] = [{"id": g} for g in guids]
    return plex_event(metadata)


def plex_show(
    title: str,
    year: int | None,
    guids: list[str],
    guid: str = "plex://show/5d9c086c46115600200aa2fe",
) -> dict[str, Any]:
    payload = plex_movie(title, year, guids, guid)
    payload["Metadata"].update(librarySectionType="show", type="show")
    return payload


def plex_season(
    show: str,
    show_guid: str,
    guids: list[str],
    guid: str = "plex://season/602e6a5b2c8c2c002c0b4ab1",
) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "librarySectionType": "show",
        "type": "season",
        "title": "Season 1",
        "index": 1,
        "guid": guid,
        "parentGuid": show_guid,
        "parentTitle": show,
    }
    if guids:
        metadata["Guid"] = [{"id": g} for g in guids]
    return plex_event(metadata)


def plex_episode(
    show: str,
    show_guid: str,
    guids: list[str],
    guid: str = "plex://episode/615580a9fa828e7f1a0caabd",
    title: str = "Chapter One",
) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "librarySectionType": "show",
        "type": "episode",
        "title": title,
        "index": 1,
        "parentIndex": 1,
        "guid": guid,
        "parentGuid": "plex://season/615580a9fa828e7f1a0caab8",
        "grandparentGuid": show_guid,
        "grandparentTitle": show,
        "parentTitle": "Season 1",
    }
    if guids:
        metadata["Guid"] = [{"id": g} for g in guids]
    return plex_event(metadata)


def multipart(
    payload: dict[str, Any] | str | None,
    thumb: bytes | None = THUMB,
    *,
    thumb_first: bool = False,
    extra_payload: str | None = None,
) -> tuple[bytes, str]:
    """(body, content type) as Plex sends them: a `payload` field and a `thumb` file part."""
    parts: list[bytes] = []
    if payload is not None:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        parts.append(
            b'Content-Disposition: form-data; name="payload"\r\n'
            b"Content-Type: application/json\r\n\r\n" + text.encode()
        )
    if extra_payload is not None:
        parts.append(
            b'Content-Disposition: form-data; name="payload"\r\n\r\n' + extra_payload.encode()
        )
    if thumb is not None:
        part = (
            b'Content-Disposition: form-data; name="thumb"; filename="thumb.jpg"\r\n'
            b"Content-Type: image/jpeg\r\n\r\n" + thumb
        )
        parts.insert(0, part) if thumb_first else parts.append(part)
    delimiter = f"--{BOUNDARY}".encode()
    body = b"".join(delimiter + b"\r\n" + part + b"\r\n" for part in parts) + delimiter + b"--\r\n"
    return body, f"multipart/form-data; boundary={BOUNDARY}"


async def post_plex(
    api: Harness, payload: dict[str, Any], token: str | None = TOKEN, **options: Any
) -> Any:
    body, content_type = multipart(payload, **options)
    params = {"token": token} if token is not None else {}
    return await api.client.post(
        "/webhook/plex", content=body, headers={"content-type": content_type}, params=params
    )


def jellyfin_item_added(
    item_type: str, name: str, year: int | None = None, **fields: Any
) -> dict[str, Any]:
    """The JSON docs/media-servers.md's template renders for ItemAdded (values as strings,
    as Handlebars renders them)."""
    payload: dict[str, Any] = {
        "NotificationType": "ItemAdded",
        "ServerId": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
        "ServerName": "jellyfin-box",
        "ItemId": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "ItemType": item_type,
        "Name": name,
        "Year": str(year) if year is not None else "",
    }
    payload.update({k: str(v) for k, v in fields.items()})
    return payload


def emby_library_new(item: dict[str, Any], event: str = "library.new") -> dict[str, Any]:
    return {
        "Title": f"{item.get('Name')} was added",
        "Date": "2024-05-01T10:00:00.0000000Z",
        "Event": event,
        "Severity": "Info",
        "Item": {"ServerId": "7e1d5b0c9c8a4b7f", "Id": "4321", **item},
        "Server": {"Name": "emby-box", "Id": "7e1d5b0c9c8a4b7f", "Version": "4.8.8.0"},
    }


async def seed(
    api: Harness,
    media_type: MediaType,
    tmdb_id: int,
    title: str,
    year: int | None = None,
    *,
    tvdb_id: int | None = None,
    imdb_id: str | None = None,
    by: str = "alice",
) -> MediaRequest:
    await api.services.ready()
    request = MediaRequest(
        media_type=media_type,
        tmdb_id=tmdb_id,
        title=title,
        requested_by=by,
        requested_at=datetime.now(UTC),
        year=year,
        imdb_id=imdb_id,
        tvdb_id=tvdb_id,
        poster_path="/poster.jpg",
    )
    await api.services.store.add_request(request)
    return request


def webhook_answer(
    title: str,
    media_type: str,
    plex_type: str,
    tmdb_id: int | None,
    *,
    added: bool | None = None,
    matched: bool = True,
    sent: bool = False,
) -> dict[str, object]:
    """What every webhook route answers for a new movie, show, season or episode; `added`
    defaults to whether a TMDB id was found, since the library is kept by TMDB id."""
    return {
        "status": "success",
        "title": title,
        "media_type": media_type,
        "plex_type": plex_type,
        "tmdb_id": tmdb_id,
        "added_to_library": tmdb_id is not None if added is None else added,
        "matched_request": matched,
        "notification_sent": sent,
    }


async def request_status(api: Harness, media_type: MediaType, tmdb_id: int) -> RequestStatus | None:
    request = await api.services.store.get_request(media_type, tmdb_id)
    return request.status if request is not None else None
