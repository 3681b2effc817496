"""The title page: one movie or show as `GET /api/title/{type}/{id}` answers it.

Built from one TMDB details call with credits, videos and external ids appended, plus what
Stellarr knows of the title. These models are the response schema, and so the SPA's typed
client: every field is always present (null or empty when TMDB has nothing), so the
generated types have no optional keys to guard against.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date, datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field

from stellarr.domain.models import MediaRequest, MediaType, Monitor, RequestStatus
from stellarr.domain.tmdb_fields import (
    imdb_id_of,
    listing,
    optional_str,
    title_of,
    tvdb_id_of,
    year_of,
)

# The UI's languages. A closed set on purpose: each one is a cache entry per title.
Language = Literal["en", "es", "fr", "de"]
LANGUAGES: tuple[str, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "en"
CAST_SIZE = 10
# A YouTube video id; the trailer URL is built from it, so nothing else may reach the URL.
_YOUTUBE_KEY = re.compile(r"[A-Za-z0-9_-]{11}")
YOUTUBE_WATCH = "https://www.youtube.com/watch?v="


class Season(BaseModel):
    season_number: int = Field(description="0 is TMDB's Specials")
    name: str | None = Field(description="TMDB's name in the requested language")
    episode_count: int | None
    air_date: date | None
    poster_path: str | None


class CastMember(BaseModel):
    name: str
    character: str | None
    profile_path: str | None


class Trailer(BaseModel):
    site: Literal["YouTube"]
    key: str = Field(description="the YouTube video id")
    name: str
    url: str


class TitleRequest(BaseModel):
    """Stellarr's request for the title: who asked, when, and whether it arrived."""

    status: RequestStatus
    requested_by: str
    requested_at: datetime
    added_at: datetime | None
    monitor: Monitor  # which seasons (always "all" for a movie)


class Recommendation(BaseModel):
    """A title TMDB recommends beside this one, listed as search lists its results."""

    id: int
    media_type: MediaType
    title: str
    year: int | None
    overview: str | None
    poster_path: str | None
    vote_average: float | None
    requested: bool
    in_library: bool


class TitlePage(BaseModel):
    tmdb_id: int
    media_type: MediaType
    title: str
    original_title: str | None
    year: int | None
    overview: str | None
    poster_path: str | None
    backdrop_path: str | None
    runtime: int | None = Field(description="minutes; movies only")
    seasons: list[Season] = Field(description="TMDB's order; empty for movies")
    number_of_seasons: int | None = Field(description="shows only")
    number_of_episodes: int | None = Field(description="shows only, specials not counted")
    genres: list[str]
    cast: list[CastMember] = Field(description=f"top-billed first, at most {CAST_SIZE}")
    recommendations: list[Recommendation] = Field(description="TMDB's, in its order")
    trailer: Trailer | None
    vote_average: float | None
    imdb_id: str | None
    tvdb_id: int | None
    request: TitleRequest | None
    in_library: bool


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    return float(number) if number is not None else None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _section(details: dict[str, Any], name: str, key: str) -> list[dict[str, Any]]:
    """An appended sub-response's list, e.g. credits.cast or videos.results."""
    section = details.get(name)
    return _dicts(section.get(key)) if isinstance(section, dict) else []


def seasons_of(details: dict[str, Any]) -> list[Season]:
    return [
        Season(
            season_number=number,
            name=optional_str(season.get("name")),
            episode_count=_int(season.get("episode_count")),
            air_date=_date(season.get("air_date")),
            poster_path=optional_str(season.get("poster_path")),
        )
        for season in _dicts(details.get("seasons"))
        if (number := _int(season.get("season_number"))) is not None and number >= 0
    ]


def cast_of(details: dict[str, Any]) -> list[CastMember]:
    members = [
        CastMember(
            name=str(person["name"]),
            character=optional_str(person.get("character")),
            profile_path=optional_str(person.get("profile_path")),
        )
        for person in _section(details, "credits", "cast")
        if person.get("name")
    ]
    return members[:CAST_SIZE]


def trailer_of(details: dict[str, Any], language: str) -> Trailer | None:
    """The first official YouTube trailer, one in the page's language before others; when a
    title has no official one (older entries often lack the flag), the first trailer."""
    trailers = [
        video
        for video in _section(details, "videos", "results")
        if video.get("site") == "YouTube"
        and video.get("type") == "Trailer"
        and isinstance(video.get("key"), str)
        and _YOUTUBE_KEY.fullmatch(video["key"])
    ]

    def rank(video: dict[str, Any]) -> tuple[bool, bool]:
        return (video.get("official") is not True, video.get("iso_639_1") != language)

    if not trailers:
        return None
    best = min(trailers, key=rank)  # min keeps the first of equals: TMDB's order decides
    key = str(best["key"])
    return Trailer(
        site="YouTube", key=key, name=str(best.get("name") or ""), url=YOUTUBE_WATCH + key
    )


def genres_of(details: dict[str, Any]) -> list[str]:
    return [str(g["name"]) for g in _dicts(details.get("genres")) if g.get("name")]


def request_of(request: MediaRequest | None) -> TitleRequest | None:
    if request is None:
        return None
    return TitleRequest(
        status=request.status,
        requested_by=request.requested_by,
        requested_at=request.requested_at,
        added_at=request.added_at,
        monitor=request.monitor,
    )


def recommendations_of(
    details: dict[str, Any],
    media_type: MediaType,
    requested: Collection[tuple[MediaType, int]],
    in_library: Collection[tuple[MediaType, int]],
) -> list[Recommendation]:
    """TMDB's recommendations (movies and shows only), with Stellarr's badges."""
    found = []
    for item in _section(details, "recommendations", "results"):
        entry = listing(item, media_type.value)
        if entry is None or not entry["title"]:
            continue
        key = (MediaType(entry["media_type"]), entry["id"])
        found.append(
            Recommendation(
                **{**entry, "vote_average": _float(entry["vote_average"])},
                requested=key in requested,
                in_library=key in in_library,
            )
        )
    return found


def title_page(
    details: dict[str, Any],
    media_type: MediaType,
    tmdb_id: int,
    language: str,
    request: MediaRequest | None,
    in_library: bool,
    known: tuple[Collection[tuple[MediaType, int]], Collection[tuple[MediaType, int]]] = ((), ()),
) -> TitlePage:
    """`details`: TMDB's details with credits, videos, external_ids and recommendations
    appended (already cleaned of characters no output may carry). `known`: the titles
    requested and those in the library, for the recommendations' badges."""
    show = media_type is MediaType.TV
    return TitlePage(
        tmdb_id=tmdb_id,
        media_type=media_type,
        title=title_of(details) or f"TMDB {tmdb_id}",
        original_title=optional_str(details.get("original_title") or details.get("original_name")),
        year=year_of(details),
        overview=optional_str(details.get("overview")),
        poster_path=optional_str(details.get("poster_path")),
        backdrop_path=optional_str(details.get("backdrop_path")),
        runtime=None if show else (_int(details.get("runtime")) or None),  # 0: unknown
        seasons=seasons_of(details) if show else [],
        number_of_seasons=_int(details.get("number_of_seasons")) if show else None,
        number_of_episodes=_int(details.get("number_of_episodes")) if show else None,
        genres=genres_of(details),
        cast=cast_of(details),
        recommendations=recommendations_of(details, media_type, *known),
        trailer=trailer_of(details, language),
        vote_average=_float(details.get("vote_average")),
        imdb_id=imdb_id_of(details),
        tvdb_id=tvdb_id_of(details) if show else None,
        request=request_of(request),
        in_library=in_library,
    )
