"""POST /webhook/plex on every store adapter: identification, each matching strategy, the show
of a season or episode, and the answer's shape. The malformed-input list, filters, tokens
and concurrency are in test_webhook_plex_edges.py."""

from __future__ import annotations

import logging

import pytest

from stellarr.domain.models import MediaType, RequestStatus
from stellarr_testing.fake_tmdb import FakeTMDB
from stellarr_testing.fake_tvdb import API_KEY as TVDB_KEY
from stellarr_testing.fake_tvdb import FakeTVDB
from stellarr_testing.harness import Harness
from stellarr_testing.webhooks import (
    TOKEN,
    as_library_new,
    plex_episode,
    plex_movie,
    plex_season,
    plex_show,
    post_plex,
    request_status,
    sample,
    seed,
    webhook_answer,
)

from .conftest import MakeApi

SHOW_GUID = "plex://show/5d9c086c46115600200aa2fe"
MATRIX = ["imdb://tt0133093", "tmdb://603", "tvdb://169"]


@pytest.fixture
async def hooks(make_api: MakeApi, fake_tvdb: FakeTVDB) -> Harness:
    return await make_api(
        PLEX_WEBHOOK_TOKEN=TOKEN, TVDB_BASE_URL=fake_tvdb.url, TVDB_API_KEY=TVDB_KEY
    )


def matched_by(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage().rsplit(" by ", 1)[1]
        for r in caplog.records
        if "matches request" in r.getMessage()
    ]


# --- movies ------------------------------------------------------------------------------


async def test_new_agent_movie_turns_its_request_added_and_leaves_the_feed(
    hooks: Harness, fake_tmdb: FakeTMDB
) -> None:
    await seed(hooks, MediaType.MOVIE, 603, "The Matrix", 1999, imdb_id="tt0133093")
    before = await hooks.client.get("/list/radarr")
    assert [item["imdb_id"] for item in before.json()] == ["tt0133093"]

    response = await post_plex(hooks, plex_movie("The Matrix", 1999, MATRIX))

    assert response.status_code == 200
    assert response.json() == webhook_answer("The Matrix", "movie", "movie", 603)
    request = await hooks.services.store.get_request(MediaType.MOVIE, 603)
    assert request is not None and request.status is RequestStatus.ADDED
    assert request.added_at is not None
    assert await hooks.services.store.library_ids(MediaType.MOVIE) == [603]
    after = await hooks.client.get("/list/radarr")
    assert after.json() == []
    assert fake_tmdb.calls("/3/find") == []  # the TMDB id was in the payload


@pytest.mark.parametrize(
    "guid",
    [
        "com.plexapp.agents.themoviedb://603?lang=en",
        "com.plexapp.agents.imdb://tt0133093?lang=en",
    ],
)
async def test_legacy_agent_movie(hooks: Harness, guid: str) -> None:
    await seed(hooks, MediaType.MOVIE, 603, "The Matrix", 1999, imdb_id="tt0133093")
    response = await post_plex(hooks, plex_movie("The Matrix", 1999, [], guid=guid))
    assert response.json() == webhook_answer("The Matrix", "movie", "movie", 603)
    assert await request_status(hooks, MediaType.MOVIE, 603) is RequestStatus.ADDED


async def test_a_movie_nobody_asked_for_still_enters_the_library(hooks: Harness) -> None:
    response = await post_plex(hooks, plex_movie("The Matrix", 1999, MATRIX))
    assert response.json() == webhook_answer("The Matrix", "movie", "movie", 603, matched=False)
    assert await hooks.services.store.library_ids(MediaType.MOVIE) == [603]


async def test_a_movie_known_by_imdb_only_gets_its_tmdb_id_from_find(
    hooks: Harness, fake_tmdb: FakeTMDB
) -> None:
    response = await post_plex(hooks, plex_movie("Godzilla x Kong", 2024, ["imdb://tt14539740"]))
    assert response.json() == webhook_answer(
        "Godzilla x Kong", "movie", "movie", 823464, matched=False
    )
    assert [c.query["external_source"] for c in fake_tmdb.calls("/3/find")] == [["imdb_id"]]


async def test_an_unidentifiable_movie_changes_nothing(hooks: Harness) -> None:
    response = await post_plex(hooks, plex_movie("Home Video", None, []))
    assert response.json() == webhook_answer(
        "Home Video", "movie", "movie", None, added=False, matched=False
    )
    assert await hooks.services.store.library_ids(MediaType.MOVIE) == []


# --- each matching strategy --------------------------------------------------------------


async def test_match_by_tvdb_id(hooks: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    await seed(hooks, MediaType.TV, 66732, "Stranger Things", 2016, tvdb_id=305288)
    response = await post_plex(hooks, plex_show("Stranger Things", 2016, ["tvdb://305288"]))
    assert response.json() == webhook_answer("Stranger Things", "tv", "show", 66732)
    assert matched_by(caplog) == ["tvdb"]


async def test_match_by_imdb_id(hooks: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    await seed(hooks, MediaType.MOVIE, 603, "Matrix", 1999, imdb_id="tt0133093")
    response = await post_plex(hooks, plex_movie("The Matrix", 1999, ["imdb://tt0133093"]))
    assert response.json() == webhook_answer("The Matrix", "movie", "movie", 603)
    assert matched_by(caplog) == ["imdb"]


async def test_match_by_the_tmdb_id_find_gives(
    hooks: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # The request knows no TVDB id; TMDB /find turns the payload's into the TMDB id.
    await seed(hooks, MediaType.TV, 66732, "Stranger Things", 2016)
    response = await post_plex(hooks, plex_show("Stranger Things", 2016, ["tvdb://305288"]))
    assert response.json() == webhook_answer("Stranger Things", "tv", "show", 66732)
    assert matched_by(caplog) == ["tmdb_find"]


async def test_match_through_the_plex_guid_cache(
    hooks: Harness, fake_tmdb: FakeTMDB, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # The show arrives first, with its ids; nobody has asked for it yet.
    first = await post_plex(hooks, plex_show("Stranger Things", 2016, ["tmdb://66732"]))
    assert first.json()["matched_request"] is False
    await seed(hooks, MediaType.TV, 66732, "Stranger Things", 2016)
    fake_tmdb.reset()
    # A new agent payload without Guid[]: only the cached GUID says which show this is.
    second = await post_plex(hooks, plex_show("Stranger Things", 2016, []))
    assert second.json() == webhook_answer("Stranger Things", "tv", "show", 66732)
    assert matched_by(caplog) == ["tmdb"]
    assert "via plex_guid" in caplog.text
    assert fake_tmdb.calls("/3/find") == []


async def test_match_by_title(hooks: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    await seed(hooks, MediaType.MOVIE, 693134, "Dune: Part Two", 2024)
    payload = sample("library.new_movie_synthetic__plex-discord-webhook_README.json")
    response = await post_plex(hooks, payload)
    assert response.json() == webhook_answer("Dune: Part Two", "movie", "movie", 693134)
    assert matched_by(caplog) == ["title"]
    assert await hooks.services.store.library_ids(MediaType.MOVIE) == [693134]


@pytest.mark.parametrize(
    "others",
    [
        [(693135, "Dune - Part Two", None)],  # two candidates
        [],  # the only candidate's year disagrees (below)
    ],
)
async def test_an_ambiguous_or_contradicted_title_matches_nothing(
    hooks: Harness, others: list[tuple[int, str, int | None]]
) -> None:
    year = 2024 if others else 2021
    await seed(hooks, MediaType.MOVIE, 693134, "Dune: Part Two", year)
    for tmdb_id, title, other_year in others:
        await seed(hooks, MediaType.MOVIE, tmdb_id, title, other_year)
    payload = sample("library.new_movie_synthetic__plex-discord-webhook_README.json")
    response = await post_plex(hooks, payload)
    assert response.json() == webhook_answer(
        "Dune: Part Two", "movie", "movie", None, added=False, matched=False
    )
    assert await request_status(hooks, MediaType.MOVIE, 693134) is RequestStatus.PENDING


async def test_a_known_tmdb_id_is_never_second_guessed_by_title(hooks: Harness) -> None:
    await seed(hooks, MediaType.MOVIE, 999, "The Matrix", 1999)
    response = await post_plex(hooks, plex_movie("The Matrix", 1999, MATRIX))
    assert response.json()["matched_request"] is False
    assert await request_status(hooks, MediaType.MOVIE, 999) is RequestStatus.PENDING


# --- seasons and episodes: the show, not the item ----------------------------------------


async def test_episode_ids_are_not_show_ids_and_tmdb_find_names_the_show(
    hooks: Harness, fake_tmdb: FakeTMDB
) -> None:
    payload = as_library_new("media.scrobble_episode_real__jxxghp_MoviePilot.json")
    # tmdb://3087250 in the payload is the EPISODE; a show with that id must stay pending.
    await seed(hooks, MediaType.TV, 3087250, "Somebody else's show")
    await seed(hooks, MediaType.TV, 888, "Baki Hanma", 2021)
    fake_tmdb.add_episode(888, 1, 1, tvdb_id=8530933, imdb_id="tt14765720")

    response = await post_plex(hooks, payload)

    assert response.json() == webhook_answer("范马刃牙", "tv", "episode", 888)
    assert await request_status(hooks, MediaType.TV, 888) is RequestStatus.ADDED
    assert await request_status(hooks, MediaType.TV, 3087250) is RequestStatus.PENDING
    assert await hooks.services.store.library_ids(MediaType.TV) == [888]


async def test_episode_resolved_by_thetvdb_when_tmdb_does_not_know_it(
    hooks: Harness, fake_tmdb: FakeTMDB, fake_tvdb: FakeTVDB
) -> None:
    payload = as_library_new("media.scrobble_episode_real_trimmed__afonsocosta_visto.json")
    fake_tvdb.add_episode(11861026, 420000, season=2, number=4)
    await seed(hooks, MediaType.TV, 250000, "Das Papier", 2025, tvdb_id=420000)

    response = await post_plex(hooks, payload)

    assert response.json() == webhook_answer("The Paper", "tv", "episode", 250000)
    assert fake_tvdb.logins == 1
    assert ("GET", "/episodes/11861026", True) in fake_tvdb.seen
    assert len(fake_tmdb.calls("/3/find")) == 2  # its tvdb and imdb ids, both unknown


async def test_thetvdb_token_is_renewed_on_401_and_the_show_is_cached(
    hooks: Harness, fake_tmdb: FakeTMDB, fake_tvdb: FakeTVDB
) -> None:
    show_guid = "plex://show/663c5c9154860a808df84899"
    fake_tvdb.add_episode(11861026, 420000)
    fake_tvdb.add_episode(11861027, 420000, number=2)
    fake_tvdb.add_episode(11861028, 420000, number=3)
    await seed(hooks, MediaType.TV, 250000, "Das Papier", 2025, tvdb_id=420000)
    first = plex_episode("The Paper (2025)", show_guid, ["tvdb://11861026"])
    assert (await post_plex(hooks, first)).json()["matched_request"] is True

    fake_tvdb.revoke_tokens()
    # Another show's episode, so the cached GUID does not answer; the token is stale.
    other = plex_episode("Other", "plex://show/0000000000000000000000aa", ["tvdb://11861027"])
    assert (await post_plex(hooks, other)).json()["tmdb_id"] is None
    assert fake_tvdb.logins == 2

    calls_before = len(fake_tvdb.seen)
    again = plex_episode("The Paper (2025)", show_guid, ["tvdb://11861028"])
    response = await post_plex(hooks, again)
    # Resolved from the Plex GUID cache: TheTVDB is not asked again. The request was added
    # by the first episode, and is still this show's.
    assert response.json() == webhook_answer("The Paper", "tv", "episode", 250000)
    assert len(fake_tvdb.seen) == calls_before


async def test_without_a_tvdb_key_thetvdb_is_not_asked(
    make_api: MakeApi, fake_tvdb: FakeTVDB
) -> None:
    api = await make_api(PLEX_WEBHOOK_TOKEN=TOKEN, TVDB_BASE_URL=fake_tvdb.url)
    fake_tvdb.add_episode(11861026, 420000)
    payload = plex_episode("Nothing Alike", "plex://show/abc", ["tvdb://11861026"])
    response = await post_plex(api, payload)
    assert response.json()["tmdb_id"] is None
    assert fake_tvdb.seen == []


async def test_legacy_episode_guid_names_the_series(hooks: Harness) -> None:
    await seed(hooks, MediaType.TV, 66732, "Stranger Things", 2016, tvdb_id=305288)
    payload = plex_episode(
        "Stranger Things",
        "com.plexapp.agents.thetvdb://305288?lang=en",
        [],
        guid="com.plexapp.agents.thetvdb://305288/1/1?lang=en",
    )
    response = await post_plex(hooks, payload)
    assert response.json() == webhook_answer("Stranger Things", "tv", "episode", 66732)


async def test_episode_without_any_ids_falls_back_to_the_show_title(hooks: Harness) -> None:
    await seed(hooks, MediaType.TV, 4321, "Hi Hi Puffy AmiYumi", 2004)
    payload = sample("library.new_episode_docderived__go_plex_webhook_test.json")
    response = await post_plex(hooks, payload)
    assert response.json() == webhook_answer("Hi Hi Puffy AmiYumi", "tv", "episode", 4321)


async def test_season_ids_are_not_show_ids(hooks: Harness) -> None:
    await seed(hooks, MediaType.TV, 55555, "A show whose id is the season's")
    await seed(hooks, MediaType.TV, 66732, "Stranger Things", 2016, tvdb_id=305288)
    payload = plex_season(
        "Stranger Things", "com.plexapp.agents.thetvdb://305288?lang=en", ["tmdb://55555"]
    )
    response = await post_plex(hooks, payload)
    assert response.json() == webhook_answer("Stranger Things", "tv", "season", 66732)
    assert await request_status(hooks, MediaType.TV, 55555) is RequestStatus.PENDING


async def test_new_agent_season_uses_the_cached_show(hooks: Harness) -> None:
    await post_plex(hooks, plex_show("Stranger Things", 2016, ["tmdb://66732"], guid=SHOW_GUID))
    await seed(hooks, MediaType.TV, 66732, "Stranger Things", 2016)
    response = await post_plex(hooks, plex_season("Stranger Things", SHOW_GUID, []))
    assert response.json() == webhook_answer("Stranger Things", "tv", "season", 66732)


async def test_an_unknown_episode_is_answered_not_crashed(hooks: Harness) -> None:
    payload = plex_episode("Unknown", "plex://show/ffff", ["tvdb://77777777", "tmdb://1"])
    response = await post_plex(hooks, payload)
    assert response.status_code == 200
    assert response.json() == webhook_answer(
        "Unknown", "tv", "episode", None, added=False, matched=False
    )
