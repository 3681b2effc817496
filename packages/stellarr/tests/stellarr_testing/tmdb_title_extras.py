"""What the recorded TMDB captures lack for a title page, synthesized in TMDB's shapes.

No capture in tests/fixtures/tmdb has credits, videos or a show's seasons, so the fake
builds them per title, deterministically from its id (see SOURCES.txt there). Names are
plainly made up ("Cast Member 3"); the shapes, field names and value kinds follow TMDB's
documented responses: `credits` {cast, crew}, `videos` {results} and `seasons` entries as
`append_to_response` and the details call give them (an appended object has no `id`).
The genre names are TMDB's own lists (/genre/movie/list, /genre/tv/list, English).
"""

from __future__ import annotations

from typing import Any

MOVIE_GENRES = {
    28: "Action",
    12: "Adventure",
    16: "Animation",
    35: "Comedy",
    80: "Crime",
    99: "Documentary",
    18: "Drama",
    10751: "Family",
    14: "Fantasy",
    36: "History",
    27: "Horror",
    10402: "Music",
    9648: "Mystery",
    10749: "Romance",
    878: "Science Fiction",
    10770: "TV Movie",
    53: "Thriller",
    10752: "War",
    37: "Western",
}
TV_GENRES = {
    10759: "Action & Adventure",
    16: "Animation",
    35: "Comedy",
    80: "Crime",
    99: "Documentary",
    18: "Drama",
    10751: "Family",
    10762: "Kids",
    9648: "Mystery",
    10763: "News",
    10764: "Reality",
    10765: "Sci-Fi & Fantasy",
    10766: "Soap",
    10767: "Talk",
    10768: "War & Politics",
    37: "Western",
}
CAST_COUNT = 12  # more than the title page shows, so its cut is visible


def genres(item: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    names = MOVIE_GENRES if kind == "movie" else TV_GENRES
    return [{"id": g, "name": names[g]} for g in item.get("genre_ids") or [] if g in names]


def youtube_key(kind: str, tmdb_id: int, n: int) -> str:
    """An 11-character YouTube-style id, unique per title and video."""
    return f"{kind[0]}{n}{tmdb_id:09d}"[:11]


def credits(kind: str, tmdb_id: int) -> dict[str, Any]:
    cast = []
    for order in range(CAST_COUNT):
        person = {
            "adult": False,
            "gender": 1 + order % 2,
            "id": 9_000_000 + tmdb_id % 100_000 * 100 + order,
            "known_for_department": "Acting",
            "name": f"Cast Member {order + 1}",
            "original_name": f"Cast Member {order + 1}",
            "popularity": round(40.0 - order * 2.5, 3),
            # TMDB has people without a photo, and roles without a name.
            "profile_path": None if order == 2 else f"/cast{tmdb_id}x{order}.jpg",
            "character": "" if order == 3 else f"Character {order + 1}",
            "credit_id": f"{tmdb_id:012x}{order:012x}",
            "order": order,
        }
        if kind == "movie":
            person["cast_id"] = order + 1
        cast.append(person)
    crew = [
        {
            "adult": False,
            "gender": 2,
            "id": 8_000_000 + tmdb_id % 100_000,
            "known_for_department": "Directing",
            "name": "Crew Member 1",
            "original_name": "Crew Member 1",
            "popularity": 5.5,
            "profile_path": None,
            "credit_id": f"{tmdb_id:012x}{'c' * 12}",
            "department": "Directing",
            "job": "Director",
        }
    ]
    return {"cast": cast, "crew": crew}


def videos(kind: str, tmdb_id: int, title: str) -> list[dict[str, Any]]:
    """Every video the title has, in all languages; the fake filters them by the call's
    `language` and `include_video_language` as TMDB does. In TMDB's order: a teaser, a fan
    trailer, a trailer on Vimeo, then the official English and Spanish trailers."""

    def video(n: int, name: str, kind_of: str, official: bool, **extra: Any) -> dict[str, Any]:
        entry = {
            "iso_639_1": "en",
            "iso_3166_1": "US",
            "name": name,
            "key": youtube_key(kind, tmdb_id, n),
            "site": "YouTube",
            "size": 1080,
            "type": kind_of,
            "official": official,
            "published_at": f"2020-0{n}-01T16:00:00.000Z",
            "id": f"{tmdb_id:016x}{n:08x}",
        }
        entry.update(extra)
        return entry

    return [
        video(1, f"{title} | Official Teaser", "Teaser", True),
        video(2, f"{title} trailer (fan made)", "Trailer", False),
        video(3, f"{title} | Official Trailer", "Trailer", True, site="Vimeo", key="123456789"),
        video(4, f"{title} | Official Trailer", "Trailer", True),
        video(5, f"{title} | Tráiler oficial", "Trailer", True, iso_639_1="es", iso_3166_1="ES"),
    ]


def seasons(show: dict[str, Any]) -> list[dict[str, Any]]:
    """Season 0 (Specials) for shows with an even id, as TMDB lists it first, then one entry
    per season of `number_of_seasons`."""
    count = show.get("number_of_seasons") or 0
    first_year = int(str(show.get("first_air_date") or "2000")[:4])
    numbers = ([0] if show["id"] % 2 == 0 else []) + list(range(1, count + 1))
    return [
        {
            # Specials on New Year's Day: a date-only value shown in a zone west of UTC
            # must keep its year.
            "air_date": f"{first_year + max(n - 1, 0)}-0{1 + n % 9}-{'01' if n == 0 else '15'}",
            "episode_count": 3 if n == 0 else 8 + (show["id"] + n) % 3,
            "id": show["id"] * 100 + n,
            "name": "Specials" if n == 0 else f"Season {n}",
            "overview": "",
            "poster_path": f"/season{show['id']}x{n}.jpg",
            "season_number": n,
            "vote_average": 0 if n == 0 else 7.5,
        }
        for n in numbers
    ]


def title_extras(item: dict[str, Any], kind: str) -> None:
    """Complete one catalogue entry (details shape) in place: genres, and for a show its
    seasons and episode count (TMDB's count leaves specials out)."""
    if "genres" not in item:
        item["genres"] = genres(item, kind)
    if kind == "tv":
        item["seasons"] = seasons(item)
        item["number_of_episodes"] = sum(
            s["episode_count"] for s in item["seasons"] if s["season_number"] > 0
        )
    title = str(item.get("title") or item.get("name") or "")
    item["credits"] = credits(kind, item["id"])
    item["videos"] = {"results": videos(kind, item["id"], title)}


def languages_asked(query: dict[str, list[str]]) -> set[str | None]:
    """The video languages a call gets: its `language` (TMDB's default is en-US) and those
    of `include_video_language`, where `null` means videos with no language."""
    language = (query.get("language") or ["en-US"])[0].split("-", 1)[0]
    extra = (query.get("include_video_language") or [""])[0].split(",")
    asked: set[str | None] = {language}
    asked.update(None if code == "null" else code.split("-", 1)[0] for code in extra if code)
    return asked
