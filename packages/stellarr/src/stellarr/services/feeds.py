"""The published feeds: where each lives, what it holds, how a *arr is pointed at it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stellarr.domain import feeds
from stellarr.domain.models import MediaType, Monitor
from stellarr.services.snapshot import Snapshot

JSON = "application/json"
RSS = "application/rss+xml; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Edition:
    """Everything one rendering of a feed depends on besides the requests."""

    site: str  # the URL the feed links back to
    monitor: Monitor = Monitor.ALL  # which season choice's list (Sonarr's feed only)
    lists: tuple[Monitor, ...] = ()  # the season lists set up in Sonarr

    def cache_key(self, feed: str) -> str:
        return "|".join((feed, self.site, self.monitor, *self.lists))


@dataclass(frozen=True, slots=True)
class Feed:
    key: str
    path: str
    name: str
    description: str
    format: str
    media_type: str
    setup: str
    build: Callable[[Snapshot, Edition], bytes]
    # Takes ?monitor=: one list per season choice, each added in Sonarr with its option.
    by_season: bool = False


# Sonarr's "Monitor" option to pick when adding each list.
SONARR_MONITOR_OPTION = {
    Monitor.ALL: "All Episodes",
    Monitor.FIRST: "First Season",
    Monitor.LATEST: "Last Season",
    Monitor.FUTURE: "Future Episodes",
}


def _rss(media: MediaType | None, title: str) -> Callable[[Snapshot, Edition], bytes]:
    def build(s: Snapshot, edition: Edition) -> bytes:
        items = [r for r in s.pending if media in (None, r.media_type)]
        return feeds.rss(items, title, edition.site)

    return build


FEEDS: tuple[Feed, ...] = (
    Feed(
        "radarr",
        "/list/radarr",
        "Radarr (StevenLu Custom)",
        "Pending movie requests by IMDb id; movies without one are left out.",
        "json",
        JSON,
        "Radarr → Settings → Import Lists → + → StevenLu Custom; paste the URL.",
        lambda s, _edition: feeds.dumps(feeds.radarr_imdb(s.pending)),
    ),
    Feed(
        "radarr_tmdb",
        "/list/radarr/tmdb",
        "Radarr (Custom Lists, TMDB ids)",
        "Every pending movie request by TMDB id.",
        "json",
        JSON,
        "Radarr → Settings → Import Lists → + → Custom Lists; paste the URL.",
        lambda s, _edition: feeds.dumps(feeds.radarr_tmdb(s.pending)),
    ),
    Feed(
        "sonarr",
        "/list/sonarr",
        "Sonarr (Custom List)",
        "Every pending show request with its TVDB, TMDB and IMDb ids.",
        "json",
        JSON,
        "Sonarr → Settings → Import Lists → + → Custom List; paste the URL.",
        lambda s, e: feeds.dumps(feeds.sonarr(s.pending, e.monitor, e.lists)),
        by_season=True,
    ),
    Feed(
        "rss_movies",
        "/rss/movies",
        "RSS: movies",
        "Pending movie requests as RSS 2.0.",
        "rss",
        RSS,
        "Radarr → Import Lists → RSS List; paste the URL.",
        _rss(MediaType.MOVIE, "Stellarr movie requests"),
    ),
    Feed(
        "rss_tv",
        "/rss/tv",
        "RSS: shows",
        "Pending show requests as RSS 2.0.",
        "rss",
        RSS,
        "Any RSS reader; Sonarr's RSS list needs TVDB links, prefer /list/sonarr.",
        _rss(MediaType.TV, "Stellarr show requests"),
    ),
    Feed(
        "rss_all",
        "/rss/all",
        "RSS: everything",
        "All pending requests as RSS 2.0.",
        "rss",
        RSS,
        "Any RSS reader.",
        _rss(None, "Stellarr requests"),
    ),
)
