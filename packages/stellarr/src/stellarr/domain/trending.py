"""The home page's public lists as files: their names, their TMDB source, and their bytes.

A list is `{list}-{type}-{locale}.json` (this week's trending of all, movies or shows; the
popular movies and shows; the upcoming movies) = `{"results":[...],"generated_at":"..."}`,
compact JSON whose items are shaped exactly like search results (without the per-user flags,
which the browser adds from /api/library-status). The same names are S3 keys, files in the
data folder and URLs, so every name is built here from validated parts, never from raw input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from stellarr.domain.feeds import dumps
from stellarr.domain.tmdb_fields import listing

TYPES = ("all", "movie", "tv")
# Every (list, type) a warmer writes, in a stable order; TMDB has no popular or upcoming
# list across both types, nor upcoming shows.
LISTS: tuple[tuple[str, str], ...] = (
    ("trending", "all"),
    ("trending", "movie"),
    ("trending", "tv"),
    ("popular", "movie"),
    ("popular", "tv"),
    ("upcoming", "movie"),
)
# The names' shapes, for whatever routes or grants them as a group (the CDN, IAM).
NAME_PATTERNS = tuple(f"{name}-*.json" for name in dict.fromkeys(n for n, _ in LISTS))
CACHE_CONTROL = "public, max-age=3600"
MEDIA_TYPE = "application/json"
_LOCALE = re.compile(r"[a-z]{2}")


def file_name(list_name: str, kind: str, locale: str) -> str:
    return f"{list_name}-{kind}-{locale}.json"


def checked_name(list_name: str, kind: str, locale: str) -> str | None:
    """The file name for a requested list, type and locale, or None when it is not one a
    warmer could have written (so nothing else can reach the file system)."""
    if (list_name, kind) not in LISTS or not _LOCALE.fullmatch(locale):
        return None
    return file_name(list_name, kind, locale)


def every_list(locales: Iterable[str]) -> Iterator[tuple[str, str, str]]:
    """(list, type, locale) of every list a run writes, in a stable order."""
    for locale in locales:
        for list_name, kind in LISTS:
            yield list_name, kind, locale


def tmdb_path(list_name: str, kind: str) -> str:
    """Where TMDB keeps a list (`language` and `page` go in the query)."""
    if list_name == "trending":
        return f"/trending/{kind}/week"
    return f"/{kind}/{list_name}"  # /movie/popular, /tv/popular, /movie/upcoming


def listings(kind: str, pages: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items of TMDB's pages, in order: people dropped, a title listed once even when
    the list moved between two page loads."""
    results: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    for page in pages:
        for item in page.get("results") or []:
            entry = listing(item, kind)
            if entry is None or (entry["media_type"], entry["id"]) in seen:
                continue
            seen.add((entry["media_type"], entry["id"]))
            results.append(entry)
    return results


def render(results: list[dict[str, Any]], generated_at: datetime) -> bytes:
    return dumps({"results": results, "generated_at": generated_at.isoformat()})
