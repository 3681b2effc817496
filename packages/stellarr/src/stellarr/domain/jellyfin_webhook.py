"""Jellyfin (Webhook plugin) and Emby webhook payloads turned into a WebhookEvent.

Jellyfin's plugin sends whatever JSON its Handlebars template renders, so keys are matched
case-insensitively, every value may arrive as a string, and HTML entities (from `{{x}}`
instead of `{{{x}}}`) are decoded in names. Variables the plugin fills (DataObjectHelpers):
`NotificationType`, `ItemType`, `ItemId`, `Name`, `Year`, `Provider_<key lower-case>`,
`SeriesName`, `SeriesId`, `SeriesPremiereDate`, `ServerId`, `ServerName`. For a season or an
episode the plugin puts the SERIES' production year in `Year`, and `Provider_*` are the
item's own (episode) ids. The plugin has no series provider ids yet; we read them, when a
template or a later plugin version sends them, as `SeriesProvider_<key>` (the name in the
plugin's open pull request #316) or `Provider_<key>_Show`.

Emby's own webhooks send `{"Event": "library.new", "Item": {...}, "Server": {...}}`;
`Item.ProviderIds` (`Tmdb`, `Imdb`, `Tvdb`) are the item's own ids, `Item.SeriesId` is Emby's
internal id, and no series provider ids are sent.

For both, `guid` / `show_guid` are "jellyfin://<server id>/<item id>" ("emby://..."), so a
show's ids, once resolved, can be cached under the key its episodes will carry.
"""

from __future__ import annotations

import html
import re
from typing import Any

from stellarr.domain.library_events import (
    BadPayload,
    ItemKind,
    LibraryItem,
    WebhookEvent,
    clean_name,
    clean_title,
    coerce_year,
)
from stellarr.domain.media_ids import MediaIds, coerce_id, coerce_imdb

JELLYFIN_NEW_ITEM = "ItemAdded"
EMBY_NEW_ITEM = "library.new"
_KINDS = {
    "movie": ItemKind.MOVIE,
    "series": ItemKind.SHOW,
    "season": ItemKind.SEASON,
    "episode": ItemKind.EPISODE,
}
# The Generic destination template to paste in Jellyfin's Webhook plugin (Item Added; item
# types Movies, Series, Seasons, Episodes; Content-Type application/json). Values are quoted so
# that an absent one renders as "" (still JSON); names use {{{...}}} so Handlebars does not
# HTML-escape them (the plugin itself escapes their double quotes).
JELLYFIN_TEMPLATE = """{
  "NotificationType": "{{NotificationType}}",
  "ServerId": "{{ServerId}}",
  "ServerName": "{{{ServerName}}}",
  "ItemId": "{{ItemId}}",
  "ItemType": "{{ItemType}}",
  "Name": "{{{Name}}}",
  "Year": "{{Year}}",
  "Provider_tmdb": "{{Provider_tmdb}}",
  "Provider_tvdb": "{{Provider_tvdb}}",
  "Provider_imdb": "{{Provider_imdb}}",
  "SeriesId": "{{SeriesId}}",
  "SeriesName": "{{{SeriesName}}}",
  "SeriesPremiereDate": "{{SeriesPremiereDate}}",
  "SeriesProvider_tmdb": "{{SeriesProvider_tmdb}}",
  "SeriesProvider_tvdb": "{{SeriesProvider_tvdb}}",
  "SeriesProvider_imdb": "{{SeriesProvider_imdb}}"
}
"""
_INTERNAL_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
_DATE_YEAR = re.compile(r"\s*([0-9]{4})-")


def parse_jellyfin(payload: dict[str, Any]) -> WebhookEvent:
    """Either server's payload; Jellyfin's has `NotificationType`, Emby's has `Event`."""
    if not isinstance(payload, dict):
        raise BadPayload("payload is not a JSON object")
    fields = _folded(payload)
    if "notificationtype" in fields:
        return _jellyfin(fields)
    if "event" in fields:
        return _emby(fields)
    raise BadPayload("payload has neither NotificationType (Jellyfin) nor Event (Emby)")


def _folded(mapping: dict[Any, Any]) -> dict[str, Any]:
    """The mapping with case-folded string keys; the first spelling of a key wins."""
    folded: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(key, str):
            folded.setdefault(key.casefold(), value)
    return folded


def _event_name(value: object, field: str) -> str:
    name = clean_name(value)
    if name is None:
        raise BadPayload(f"{field} is missing or not a string")
    return name.strip()


def _internal_key(source: str, server_id: str | None, item_id: object) -> str | None:
    """A stable key for a server's own item id, namespaced by server: ids are per server."""
    if server_id is None or not isinstance(item_id, str | int) or isinstance(item_id, bool):
        return None
    item = str(item_id).strip()
    if not _INTERNAL_ID.fullmatch(item) or not _INTERNAL_ID.fullmatch(server_id):
        return None
    return f"{source}://{server_id}/{item}"


def _kind(value: object) -> ItemKind | None:
    return _KINDS.get(value.strip().casefold()) if isinstance(value, str) else None


def _ids(fields: dict[str, Any], tmdb: str, tvdb: str, imdb: str) -> MediaIds:
    return MediaIds(
        tmdb=coerce_id(fields.get(tmdb)),
        tvdb=coerce_id(fields.get(tvdb)),
        imdb=coerce_imdb(fields.get(imdb)),
    )


def _jellyfin(fields: dict[str, Any]) -> WebhookEvent:
    event = _event_name(fields.get("notificationtype"), "NotificationType")
    server_name = clean_name(fields.get("servername"))
    server_id = clean_name(fields.get("serverid"))
    if event.casefold() != JELLYFIN_NEW_ITEM.casefold():
        reason = f"notification {event} is not {JELLYFIN_NEW_ITEM}"
        return WebhookEvent("jellyfin", event, False, server_name, server_id, reason=reason)
    kind = _kind(fields.get("itemtype"))
    if kind is None:
        shown = clean_name(fields.get("itemtype")) or "unknown type"
        reason = f"{JELLYFIN_NEW_ITEM} of a {shown}"
        return WebhookEvent("jellyfin", event, False, server_name, server_id, reason=reason)
    title = clean_title(html.unescape(_text(fields.get("name"))))
    ids = _ids(fields, "provider_tmdb", "provider_tvdb", "provider_imdb")
    year = coerce_year(fields.get("year"))
    guid = _internal_key("jellyfin", server_id, fields.get("itemid"))
    if kind in (ItemKind.MOVIE, ItemKind.SHOW):
        item = LibraryItem(kind, title, year, ids, guid)
    else:
        premiere = fields.get("seriespremieredate")
        premiere_year = _DATE_YEAR.match(premiere) if isinstance(premiere, str) else None
        show_ids = _ids(
            fields, "seriesprovider_tmdb", "seriesprovider_tvdb", "seriesprovider_imdb"
        ).merged(_ids(fields, "provider_tmdb_show", "provider_tvdb_show", "provider_imdb_show"))
        show_title = clean_title(html.unescape(_text(fields.get("seriesname"))))
        item = LibraryItem(
            kind,
            title,
            None,  # the plugin's Year is the series' here
            ids,
            guid,
            show_title=show_title or None,
            show_year=coerce_year(premiere_year[1]) if premiere_year else year,
            show_ids=show_ids,
            show_guid=_internal_key("jellyfin", server_id, fields.get("seriesid")),
        )
    return WebhookEvent("jellyfin", event, True, server_name, server_id, item)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _emby(fields: dict[str, Any]) -> WebhookEvent:
    event = _event_name(fields.get("event"), "Event")
    server = fields.get("server")
    server_fields = _folded(server) if isinstance(server, dict) else {}
    server_name = clean_name(server_fields.get("name"))
    server_id = clean_name(server_fields.get("id"))
    if event != EMBY_NEW_ITEM:
        reason = f"event {event} is not {EMBY_NEW_ITEM}"
        return WebhookEvent("emby", event, False, server_name, server_id, reason=reason)
    raw_item = fields.get("item")
    if not isinstance(raw_item, dict):
        raise BadPayload("Emby library.new payload has no Item object")
    item_fields = _folded(raw_item)
    server_id = server_id or clean_name(item_fields.get("serverid"))
    kind = _kind(item_fields.get("type"))
    if kind is None:
        shown = clean_name(item_fields.get("type")) or "unknown type"
        reason = f"{EMBY_NEW_ITEM} of a {shown}"
        return WebhookEvent("emby", event, False, server_name, server_id, reason=reason)
    provider_ids = item_fields.get("providerids")
    providers = _folded(provider_ids) if isinstance(provider_ids, dict) else {}
    title = clean_title(item_fields.get("name"))
    year = coerce_year(item_fields.get("productionyear"))
    ids = _ids(providers, "tmdb", "tvdb", "imdb")
    guid = _internal_key("emby", server_id, item_fields.get("id"))
    if kind in (ItemKind.MOVIE, ItemKind.SHOW):
        item = LibraryItem(kind, title, year, ids, guid)
    else:
        show_title = clean_title(item_fields.get("seriesname"))
        item = LibraryItem(
            kind,
            title,
            year,
            ids,
            guid,
            show_title=show_title or None,
            show_guid=_internal_key("emby", server_id, item_fields.get("seriesid")),
        )
    return WebhookEvent("emby", event, True, server_name, server_id, item)
