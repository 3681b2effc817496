"""Plex webhook payloads turned into a WebhookEvent.

Whose ids are whose is the point of this module. In `Metadata`:
- movie, show: `Guid[]` and the (legacy) `guid` are the item's own ids;
- season: `Guid[]` are the SEASON's ids; the show is `parentGuid` / `parentTitle`;
- episode: `Guid[]` are the EPISODE's ids (a TMDB episode id is not a show id); the show is
  `grandparentGuid` / `grandparentTitle`.
A legacy TV agent's GUID (`com.plexapp.agents.thetvdb://75159/1/2`, on the item or its
parent) names the series, so for seasons and episodes it gives show ids, never item ids.
"""

from __future__ import annotations

from typing import Any

from stellarr.domain.library_events import (
    BadPayload,
    ItemKind,
    LibraryItem,
    WebhookEvent,
    clean_name,
    clean_title,
    coerce_year,
    split_year_suffix,
)
from stellarr.domain.media_ids import MediaIds, ids_from_guids, ids_from_legacy_guid
from stellarr.domain.text import clean_text

SOURCE = "plex"
NEW_ITEM_EVENT = "library.new"
_LEGACY_AGENT = "com.plexapp.agents."
_KINDS = {kind.value: kind for kind in ItemKind}


def parse_plex(payload: dict[str, Any]) -> WebhookEvent:
    if not isinstance(payload, dict):
        raise BadPayload("payload is not a JSON object")
    event = clean_name(payload.get("event"))
    if event is None:
        raise BadPayload("payload has no event")
    event = event.strip()
    server = payload.get("Server")
    server_name = server_uuid = None
    if isinstance(server, dict):
        server_name = clean_name(server.get("title"))
        server_uuid = clean_name(server.get("uuid"))
    if event != NEW_ITEM_EVENT:
        return WebhookEvent(
            SOURCE,
            event,
            False,
            server_name,
            server_uuid,
            reason=f"event {event} is not library.new",
        )
    metadata = payload.get("Metadata")
    if not isinstance(metadata, dict):
        raise BadPayload("library.new payload has no Metadata object")
    plex_type = metadata.get("type")
    kind = _KINDS.get(plex_type) if isinstance(plex_type, str) else None
    if kind is None:
        shown = clean_name(plex_type) or "unknown type"
        return WebhookEvent(
            SOURCE, event, False, server_name, server_uuid, reason=f"library.new of a {shown}"
        )
    return WebhookEvent(SOURCE, event, True, server_name, server_uuid, _item(kind, metadata))


MAX_GUID_LENGTH = 2000


def _guid(value: object) -> str | None:
    # Kept whole (up to a sanity cap), unlike other labels: a GUID is a cache key, and two
    # GUIDs cut to a common prefix would share one (services/show_ids.py hashes long ones).
    if not isinstance(value, str):
        return None
    guid = clean_text(value)[:MAX_GUID_LENGTH].strip()
    return guid or None


def _legacy_ids(guid: str | None) -> MediaIds:
    """Ids in a legacy agent GUID; new-agent (`plex://`) and local GUIDs name nothing."""
    if guid is None or not guid.lower().startswith(_LEGACY_AGENT):
        return MediaIds()
    return ids_from_legacy_guid(guid)


def _guid_list(metadata: dict[str, Any]) -> MediaIds:
    guids = metadata.get("Guid")
    return ids_from_guids(guids) if isinstance(guids, list) else MediaIds()


def _item(kind: ItemKind, metadata: dict[str, Any]) -> LibraryItem:
    title = clean_title(metadata.get("title"))
    year = coerce_year(metadata.get("year"))
    guid = _guid(metadata.get("guid"))
    if kind is ItemKind.MOVIE:
        return LibraryItem(kind, title, year, _guid_list(metadata).merged(_legacy_ids(guid)), guid)
    if kind is ItemKind.SHOW:
        title, suffix_year = split_year_suffix(title)
        ids = _guid_list(metadata).merged(_legacy_ids(guid))
        return LibraryItem(kind, title, year or suffix_year, ids, guid)
    parent = "parent" if kind is ItemKind.SEASON else "grandparent"
    show_guid = _guid(metadata.get(f"{parent}Guid"))
    show_title, suffix_year = split_year_suffix(clean_title(metadata.get(f"{parent}Title")))
    return LibraryItem(
        kind,
        title,
        year,
        _guid_list(metadata),
        guid,
        show_title=show_title or None,
        show_year=coerce_year(metadata.get(f"{parent}Year")) or suffix_year,
        show_ids=_legacy_ids(show_guid).merged(_legacy_ids(guid)),
        show_guid=show_guid,
    )
