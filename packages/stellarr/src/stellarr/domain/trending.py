"""The trending lists as files: their names, and their bytes.

A list is `trending-{type}-{locale}.json` = `{"results":[...],"generated_at":"..."}`, compact
JSON whose items are shaped exactly like search results (without the per-user flags, which
the browser adds from /api/library-status). The same names are S3 keys, files in the data
folder and URLs, so every name is built here from validated parts, never from raw input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from stellarr.domain.feeds import dumps
from stellarr.domain.tmdb_fields import listing

TYPES = ("all", "movie", "tv")
CACHE_CONTROL = "public, max-age=3600"
MEDIA_TYPE = "application/json"
_LOCALE = re.compile(r"[a-z]{2}")


def file_name(kind: str, locale: str) -> str:
    return f"trending-{kind}-{locale}.json"


def checked_name(kind: str, locale: str) -> str | None:
    """The file name for a requested type and locale, or None when either is not one a
    warmer could have written (so nothing else can reach the file system)."""
    if kind not in TYPES or not _LOCALE.fullmatch(locale):
        return None
    return file_name(kind, locale)


def every_list(locales: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(type, locale) of every list a run writes, in a stable order."""
    for locale in locales:
        for kind in TYPES:
            yield kind, locale


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
