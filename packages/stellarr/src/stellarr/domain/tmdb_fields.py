"""Reading TMDB's movie and TV shapes, which name the same things differently."""

from __future__ import annotations

from typing import Any


def title_of(item: dict[str, Any]) -> str:
    return str(item.get("title") or item.get("name") or item.get("original_title") or "")


def year_of(item: dict[str, Any]) -> int | None:
    date = item.get("release_date") or item.get("first_air_date") or ""
    head = str(date)[:4]
    return int(head) if len(head) == 4 and head.isdigit() else None


def imdb_id_of(details: dict[str, Any]) -> str | None:
    external = details.get("external_ids") or {}
    value = details.get("imdb_id") or external.get("imdb_id")
    return str(value) if value else None


def tvdb_id_of(details: dict[str, Any]) -> int | None:
    external = details.get("external_ids") or {}
    value = external.get("tvdb_id") or details.get("tvdb_id")
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def optional_str(value: Any) -> str | None:
    return str(value) if value else None
