"""`GET /api/title/{type}/{id}`: the title page's data from one TMDB call, cached per language,
with Stellarr's own request and library state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from stellarr.clients.tmdb import NOT_CONFIGURED
from stellarr.domain.models import MediaType
from stellarr_testing.fake_tmdb import FakeTMDB
from stellarr_testing.harness import Harness
from stellarr_testing.tmdb_title_extras import youtube_key

from .conftest import MakeApi

PAGE_KEYS = {
    "tmdb_id",
    "media_type",
    "title",
    "original_title",
    "year",
    "overview",
    "poster_path",
    "backdrop_path",
    "runtime",
    "seasons",
    "number_of_seasons",
    "number_of_episodes",
    "genres",
    "cast",
    "recommendations",
    "trailer",
    "vote_average",
    "imdb_id",
    "tvdb_id",
    "request",
    "in_library",
}


async def title(api: Harness, path: str, **params: str) -> dict[str, Any]:
    response = await api.client.get(path, params=params, headers=await api.login())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_movie_page(api: Harness, fake_tmdb: FakeTMDB) -> None:
    page = await title(api, "/api/title/movie/272")
    assert set(page) == PAGE_KEYS
    assert (page["tmdb_id"], page["media_type"], page["title"], page["year"]) == (
        272,
        "movie",
        "Batman Begins",
        2005,
    )
    assert page["original_title"] == "Batman Begins"
    assert page["overview"].startswith("Driven by tragedy")
    assert (page["poster_path"], page["backdrop_path"]) == (
        "/8RW2runSEc34IwKN2D1aPcJd2UL.jpg",
        "/zYDjcLWhQWm0l3Cjdsc5jbepzHR.jpg",
    )
    assert (page["runtime"], page["seasons"], page["number_of_seasons"]) == (120, [], None)
    assert page["number_of_episodes"] is None
    assert page["genres"] == ["Action", "Crime", "Drama"]
    assert (page["vote_average"], page["imdb_id"], page["tvdb_id"]) == (7.7, "tt0000272", None)
    assert (page["request"], page["in_library"]) == (None, False)

    cast = page["cast"]
    assert len(cast) == 10  # of the 12 TMDB lists, top-billed first
    assert cast[0] == {
        "name": "Cast Member 1",
        "character": "Character 1",
        "profile_path": "/cast272x0.jpg",
    }
    assert cast[2]["profile_path"] is None and cast[3]["character"] is None
    assert [c["name"] for c in cast][-1] == "Cast Member 10"

    # Not the teaser, the fan trailer or the one on Vimeo: the official YouTube trailer.
    key = youtube_key("movie", 272, 4)
    assert page["trailer"] == {
        "site": "YouTube",
        "key": key,
        "name": "Batman Begins | Official Trailer",
        "url": f"https://www.youtube.com/watch?v={key}",
    }
    [call] = fake_tmdb.calls("/3/movie/272")
    # One call brings the recommendations too, cached with the rest of the page.
    assert call.query["append_to_response"] == ["credits,videos,external_ids,recommendations"]
    assert (call.query["language"], call.query["include_video_language"]) == (["en"], ["en"])


async def test_a_show_page(api: Harness) -> None:
    page = await title(api, "/api/title/tv/66732")
    assert set(page) == PAGE_KEYS
    assert (page["title"], page["year"], page["media_type"]) == ("Stranger Things", 2016, "tv")
    assert (page["imdb_id"], page["tvdb_id"], page["runtime"]) == ("tt4574334", 305288, None)
    assert page["genres"] == ["Drama", "Mystery", "Sci-Fi & Fantasy"]
    seasons = page["seasons"]
    assert [s["season_number"] for s in seasons] == [0, 1, 2, 3, 4]  # TMDB's order, specials first
    assert seasons[0]["name"] == "Specials"
    assert seasons[1] == {
        "season_number": 1,
        "name": "Season 1",
        "episode_count": 8 + (66732 + 1) % 3,
        "air_date": "2016-02-15",
        "poster_path": "/season66732x1.jpg",
    }
    assert page["number_of_seasons"] == 4
    assert page["number_of_episodes"] == sum(s["episode_count"] for s in seasons[1:])
    assert len(page["cast"]) == 10 and page["trailer"]["site"] == "YouTube"


async def test_request_and_library_state(api: Harness) -> None:
    auth = await api.login()
    added = await api.client.post(
        "/api/request", json={"tmdb_id": 66732, "media_type": "tv"}, headers=auth
    )
    assert added.status_code == 201, added.text
    page = await title(api, "/api/title/tv/66732")
    request = page["request"]
    assert (request["status"], request["requested_by"], request["added_at"]) == (
        "pending",
        "alice",
        None,
    )
    requested_at = datetime.fromisoformat(request["requested_at"])
    assert requested_at.tzinfo is not None
    assert page["in_library"] is False

    when = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    assert await api.services.store.mark_added(MediaType.TV, 66732, when)
    await api.services.store.add_to_library(MediaType.TV, [66732])
    page = await title(api, "/api/title/tv/66732")
    assert page["request"]["status"] == "added"
    assert datetime.fromisoformat(page["request"]["added_at"]) == when
    assert datetime.fromisoformat(page["request"]["requested_at"]) == requested_at
    assert page["in_library"] is True
    # The same id as a movie is another title.
    other = await title(api, "/api/title/movie/823464")
    assert (other["request"], other["in_library"]) == (None, False)


async def test_language_is_passed_on_and_cached_per_language(
    api: Harness, fake_tmdb: FakeTMDB
) -> None:
    spanish = await title(api, "/api/title/movie/272", language="es")
    assert spanish["trailer"]["name"] == "Batman Begins | Tráiler oficial"
    assert spanish["trailer"]["key"] == youtube_key("movie", 272, 5)
    # No German trailer: TMDB is asked for English ones too, and the English one is shown.
    german = await title(api, "/api/title/movie/272", language="de")
    assert german["trailer"]["key"] == youtube_key("movie", 272, 4)
    await title(api, "/api/title/movie/272", language="es")
    await title(api, "/api/title/movie/272")
    await title(api, "/api/title/movie/272", language="en")
    calls = fake_tmdb.calls("/3/movie/272")
    assert [(c.query["language"], c.query["include_video_language"]) for c in calls] == [
        (["es"], ["es,en"]),
        (["de"], ["de,en"]),
        (["en"], ["en"]),
    ]


async def test_trailer_choice_when_tmdb_has_no_official_one(
    api: Harness, fake_tmdb: FakeTMDB
) -> None:
    videos = fake_tmdb.movies[272]["videos"]["results"]
    teaser, fan, vimeo, official = videos[:4]
    fake_tmdb.movies[272]["videos"]["results"] = [
        {**official, "key": "bad key/../x"},  # not a YouTube id: never put in a URL
        fan,
    ]
    page = await title(api, "/api/title/movie/272")
    assert page["trailer"]["key"] == fan["key"]
    fake_tmdb.movies[498471]["videos"]["results"] = [teaser, vimeo]
    assert (await title(api, "/api/title/movie/498471"))["trailer"] is None


async def test_text_from_tmdb_is_cleaned(api: Harness, fake_tmdb: FakeTMDB) -> None:
    show = fake_tmdb.shows[66732]
    show["credits"]["cast"][0]["name"] = "Bad\x0bName \ud800half"
    show["seasons"][1]["name"] = "Sea\x00son\uffff"
    show["genres"][0]["name"] = "Dra\x1bma"
    response = await api.client.get("/api/title/tv/66732", headers=await api.login())
    assert response.status_code == 200
    response.content.decode("utf-8")  # strict: a lone surrogate cannot survive this
    page = response.json()
    assert page["cast"][0]["name"] == "BadName half"
    assert page["seasons"][1]["name"] == "Season"
    assert page["genres"][0] == "Drama"


async def test_unknown_titles_are_404(api: Harness) -> None:
    auth = await api.login()
    movie = await api.client.get("/api/title/movie/999999", headers=auth)
    assert movie.status_code == 404
    assert movie.json() == {"detail": "TMDB has no movie with id 999999"}
    show = await api.client.get("/api/title/tv/272", headers=auth)
    assert show.json() == {"detail": "TMDB has no TV show with id 272"}


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ("/api/title/person/272", "path.media_type"),
        ("/api/title/movie/0", "path.tmdb_id"),
        ("/api/title/movie/-5", "path.tmdb_id"),
        ("/api/title/movie/abc", "path.tmdb_id"),
        ("/api/title/movie/1.5", "path.tmdb_id"),
        (f"/api/title/movie/{2**31 + 1}", "path.tmdb_id"),
        ("/api/title/movie/272?language=pt", "query.language"),
        ("/api/title/movie/272?language=EN", "query.language"),
        ("/api/title/movie/272?language=en-US", "query.language"),
        ("/api/title/movie/272?language=", "query.language"),
    ],
)
async def test_bad_input_is_422(api: Harness, fake_tmdb: FakeTMDB, path: str, where: str) -> None:
    response = await api.client.get(path, headers=await api.login())
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"{where}: ")
    assert fake_tmdb.calls("/3/") == []


async def test_a_token_is_required(api: Harness, fake_tmdb: FakeTMDB) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        response = await api.client.get("/api/title/movie/272", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    assert fake_tmdb.calls("/3/") == []


async def test_missing_tmdb_credentials_is_the_search_503(make_api: MakeApi) -> None:
    api = await make_api(TMDB_API_KEY="")
    response = await api.client.get("/api/title/movie/272", headers=await api.login())
    assert response.status_code == 503
    assert response.json() == {"detail": NOT_CONFIGURED}


async def test_a_failure_is_not_cached(api: Harness, fake_tmdb: FakeTMDB) -> None:
    auth = await api.login()
    fake_tmdb.fail_next(500, times=3)
    failed = await api.client.get("/api/title/movie/272", headers=auth)
    assert failed.status_code == 502 and failed.json() == {"detail": "TMDB answered 500"}
    assert (await api.client.get("/api/title/movie/272", headers=auth)).status_code == 200


async def test_the_schema_describes_the_page(api: Harness) -> None:
    spec = (await api.client.get("/api/openapi.json")).json()
    route = spec["paths"]["/api/title/{media_type}/{tmdb_id}"]["get"]
    parameters = {p["name"]: p for p in route["parameters"]}
    assert set(parameters) == {"media_type", "tmdb_id", "language"}
    assert parameters["language"]["schema"]["enum"] == ["en", "es", "fr", "de"]
    assert parameters["language"]["schema"]["default"] == "en"
    ok = route["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/TitlePage"}
    schemas = spec["components"]["schemas"]
    page = schemas["TitlePage"]
    assert set(page["required"]) == set(page["properties"]) == PAGE_KEYS
    for name in ("Season", "CastMember", "Trailer", "TitleRequest"):
        assert set(schemas[name]["required"]) == set(schemas[name]["properties"]), name
    assert {"404", "422", "503"} <= set(route["responses"])
