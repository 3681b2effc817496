"""The title page's "More like this": TMDB's recommendations as search lists its results,
people and nameless entries left out, each with the household's Requested / In library."""

from __future__ import annotations

from typing import Any

from stellarr.domain.models import MediaType
from stellarr.domain.title_page import recommendations_of

MOVIE, TV = MediaType.MOVIE, MediaType.TV


def details(*results: dict[str, Any]) -> dict[str, Any]:
    return {"recommendations": {"page": 1, "results": list(results)}}


def test_titles_come_with_their_badges_and_nothing_else_comes() -> None:
    found = recommendations_of(
        details(
            {"id": 1, "media_type": "movie", "title": "Alien", "release_date": "1979-05-25"},
            {"id": 2, "media_type": "tv", "name": "Firefly", "first_air_date": "2002-09-20"},
            {"id": 3, "media_type": "person", "name": "Sigourney Weaver"},
            {"id": 4, "media_type": "movie", "title": ""},
            {"id": "5", "media_type": "movie", "title": "Bad id"},
        ),
        MOVIE,
        requested={(MOVIE, 1)},
        in_library={(TV, 2)},
    )
    assert [(r.id, r.media_type, r.title, r.year) for r in found] == [
        (1, MOVIE, "Alien", 1979),
        (2, TV, "Firefly", 2002),
    ]
    assert [(r.requested, r.in_library) for r in found] == [(True, False), (False, True)]


def test_an_entry_without_its_type_takes_the_pages() -> None:
    (found,) = recommendations_of(details({"id": 7, "name": "Dark"}), TV, (), ())
    assert (found.media_type, found.title) == (TV, "Dark")
    assert recommendations_of({}, TV, (), ()) == []
