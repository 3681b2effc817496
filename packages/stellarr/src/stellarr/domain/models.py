"""The records Stellarr keeps and publishes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import UTC, datetime

MAX_TMDB_ID = 2**31


class MediaType(enum.StrEnum):
    MOVIE = "movie"
    TV = "tv"


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    ADDED = "added"


class Monitor(enum.StrEnum):
    """Which seasons of a show the requester wants: the Sonarr list it is published on.

    Sonarr's Custom List has no per-item monitor field, so each choice is its own list,
    added in Sonarr with the matching "Monitor" option. Movies are always ALL."""

    ALL = "all"
    FIRST = "first"  # Sonarr: First Season
    LATEST = "latest"  # Sonarr: Last Season
    FUTURE = "future"  # Sonarr: Future Episodes


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class MediaRequest:
    """One title somebody asked for; unique per (media_type, tmdb_id)."""

    media_type: MediaType
    tmdb_id: int
    title: str
    requested_by: str
    requested_at: datetime
    year: int | None = None
    overview: str | None = None
    poster_path: str | None = None
    imdb_id: str | None = None
    tvdb_id: int | None = None
    status: RequestStatus = RequestStatus.PENDING
    added_at: datetime | None = None
    monitor: Monitor = Monitor.ALL

    @property
    def key(self) -> tuple[MediaType, int]:
        return (self.media_type, self.tmdb_id)

    def marked_added(self, when: datetime) -> MediaRequest:
        return replace(self, status=RequestStatus.ADDED, added_at=when)

    def to_json(self) -> dict[str, object]:
        return {
            "tmdb_id": self.tmdb_id,
            "media_type": self.media_type.value,
            "title": self.title,
            "year": self.year,
            "overview": self.overview,
            "poster_path": self.poster_path,
            "imdb_id": self.imdb_id,
            "tvdb_id": self.tvdb_id,
            "status": self.status.value,
            "requested_at": self.requested_at.isoformat(),
            "requested_by": self.requested_by,
            "added_at": self.added_at.isoformat() if self.added_at else None,
            "monitor": self.monitor.value,
        }
