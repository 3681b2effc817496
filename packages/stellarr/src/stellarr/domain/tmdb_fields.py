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


def listing(item: object, kind: str) -> dict[str, Any] | None:
    """One search or trending result as Stellarr lists it, or None for anything that is not
    a movie or show (people, and whatever TMDB adds to its mixed lists later). `kind` is
    the list's own type, for lists whose items do not say theirs (/search/movie)."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), int):
        return None
    media_type = item.get("media_type") or kind
    if media_type not in ("movie", "tv"):
        return None
    return {
        "id": item["id"],
        "title": title_of(item),
        "year": year_of(item),
        "overview": optional_str(item.get("overview")),
        "poster_path": optional_str(item.get("poster_path")),
        "media_type": media_type,
        "vote_average": item.get("vote_average"),
    }
