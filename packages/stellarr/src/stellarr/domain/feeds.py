"""Import-list feeds in the shapes Radarr and Sonarr read, rendered to bytes once.

Only pending requests are published: Radarr and Sonarr add what a list holds, and a
finished request must not be re-added after someone removes it from their library.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from email.utils import format_datetime
from xml.sax.saxutils import escape

from stellarr.domain.models import MediaRequest, MediaType, Monitor
from stellarr.domain.text import clean_text

POSTER_BASE = "https://image.tmdb.org/t/p/w300"
TMDB_WEB = "https://www.themoviedb.org"


def dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def display_title(request: MediaRequest) -> str:
    return f"{request.title} ({request.year})" if request.year else request.title


def _movies(requests: Iterable[MediaRequest]) -> list[MediaRequest]:
    return [r for r in requests if r.media_type is MediaType.MOVIE]


def radarr_imdb(requests: Iterable[MediaRequest]) -> list[dict[str, object]]:
    """Radarr's "StevenLu Custom" list; without an IMDb id Radarr would guess by title."""
    items: list[dict[str, object]] = []
    for r in _movies(requests):
        if not r.imdb_id:
            continue
        item: dict[str, object] = {"title": display_title(r), "imdb_id": r.imdb_id}
        if r.poster_path:
            item["poster_url"] = f"{POSTER_BASE}{r.poster_path}"
        items.append(item)
    return items


def radarr_tmdb(requests: Iterable[MediaRequest]) -> list[dict[str, object]]:
    """Radarr's "Custom Lists" format: TMDB ids, so every movie is listed."""
    return [{"id": r.tmdb_id, "title": r.title} for r in _movies(requests)]


def sonarr_list_of(request: MediaRequest, lists: Collection[Monitor]) -> Monitor:
    """The Sonarr list a show is published on: its season choice's list where the admin set
    that list up, else the plain one. Exactly one, so Sonarr never gets a show twice, and
    a list the admin later drops hands its shows back to the plain list."""
    return request.monitor if request.monitor in lists else Monitor.ALL


def sonarr(
    requests: Iterable[MediaRequest],
    monitor: Monitor = Monitor.ALL,
    lists: Collection[Monitor] = (),
) -> list[dict[str, object]]:
    """Sonarr's "Custom List" for one season choice (`lists`: those set up in Sonarr).

    Absent ids are omitted, never null (Sonarr rejects nulls)."""
    items: list[dict[str, object]] = []
    for r in requests:
        if r.media_type is not MediaType.TV or sonarr_list_of(r, lists) is not monitor:
            continue
        item: dict[str, object] = {"title": r.title}
        if r.tvdb_id:
            item["tvdbId"] = r.tvdb_id
        item["tmdbId"] = r.tmdb_id
        if r.imdb_id:
            item["imdbId"] = r.imdb_id
        items.append(item)
    return items


def _rss_item(r: MediaRequest) -> str:
    if r.imdb_id:
        link = f"https://www.imdb.com/title/{r.imdb_id}/"
    else:
        link = f"{TMDB_WEB}/{r.media_type.value}/{r.tmdb_id}"
    # Cleaned again here, not only where text enters: rows stored before that (or by
    # another Stellarr sharing the table) must not make the whole feed unparseable.
    description = clean_text(r.overview or "")
    return (
        "<item>"
        f"<title>{escape(clean_text(display_title(r)))}</title>"
        f"<link>{escape(link)}</link>"
        f'<guid isPermaLink="false">stellarr-{r.media_type.value}-{r.tmdb_id}</guid>'
        f"<pubDate>{format_datetime(r.requested_at)}</pubDate>"
        f"<description>{escape(description)}</description>"
        f"<category>{r.media_type.value}</category>"
        "</item>"
    )


def rss(requests: Sequence[MediaRequest], title: str, link: str) -> bytes:
    """RSS 2.0 with timezone-aware dates; Radarr's RSS list reads tt ids from <link>."""
    newest = max((r.requested_at for r in requests), default=None)
    last_build = f"<lastBuildDate>{format_datetime(newest)}</lastBuildDate>" if newest else ""
    body = "".join(_rss_item(r) for r in requests)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<description>{escape(title)} from Stellarr</description>{last_build}"
        f"{body}</channel></rss>"
    ).encode()
