"""TMDBClient.find against the fake TMDB: what it keeps, what it remembers, what it refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from stellarr.clients.tmdb import TMDBClient, TMDBCredentials
from stellarr.retry import RetryPolicy
from stellarr.settings import Settings, StaticSettings
from stellarr_testing.fake_tmdb import API_KEY, FakeTMDB


@pytest.fixture
async def tmdb(fake_tmdb: FakeTMDB) -> AsyncIterator[TMDBClient]:
    settings = Settings(
        app_secret_key="s" * 40,
        preshared_password="a long preshared password",
        tmdb_api_key=API_KEY,
    )
    client = TMDBClient(
        fake_tmdb.url, TMDBCredentials(StaticSettings(settings)), retry=RetryPolicy(attempts=1)
    )
    yield client
    await client.aclose()


async def test_an_episode_names_its_show_and_is_asked_once(
    tmdb: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    fake_tmdb.add_episode(66732, 2, 3, tvdb_id=5468124, episode_id=1198665)
    found = await tmdb.find(5468124, "tvdb_id")
    assert found["tv_episode_results"] == [
        {
            "id": 1198665,
            "name": "Episode 3",
            "season_number": 2,
            "episode_number": 3,
            "show_id": 66732,
        }
    ]
    assert found["movie_results"] == found["tv_results"] == found["tv_season_results"] == []
    assert await tmdb.find("5468124", "tvdb_id") == found
    calls = fake_tmdb.calls("/3/find")
    assert [(c.path, c.query["external_source"]) for c in calls] == [
        ("/3/find/5468124", ["tvdb_id"])
    ]


async def test_a_show_by_its_tvdb_id_and_a_movie_by_its_imdb_id(tmdb: TMDBClient) -> None:
    show = await tmdb.find(305288, "tvdb_id")
    assert [r["id"] for r in show["tv_results"]] == [66732]
    assert set(show["tv_results"][0]) <= {"id", "name", "first_air_date"}
    movie = await tmdb.find("tt14539740", "imdb_id")
    assert [r["id"] for r in movie["movie_results"]] == [823464]


@pytest.mark.parametrize(
    ("value", "source"),
    [("../movie/603", "tvdb_id"), ("0", "tvdb_id"), ("603", "imdb_id"), ("tt1?x=1", "imdb_id")],
)
async def test_ids_not_of_their_source_are_refused_before_a_call(
    tmdb: TMDBClient, fake_tmdb: FakeTMDB, value: str, source: str
) -> None:
    with pytest.raises(ValueError):
        await tmdb.find(value, source)  # type: ignore[arg-type]
    assert fake_tmdb.seen == []
