from typing import Any

import pytest

from stellarr.domain.library_events import ItemKind, LibraryItem
from stellarr.domain.media_ids import MediaIds
from stellarr.domain.models import MediaType
from stellarr.domain.plex_webhook import parse_plex
from stellarr_testing.webhooks import as_library_new, plex_event, sample


def new(metadata: dict[str, Any]) -> dict[str, Any]:
    return plex_event(metadata, server={"title": "Office", "uuid": "54664a3d8acc"}, account=False)


# --- the recorded samples --------------------------------------------------------------


def test_synthetic_movie_sample() -> None:
    event = parse_plex(sample("library.new_movie_synthetic__plex-discord-webhook_README.json"))
    assert (event.source, event.event, event.is_new) == ("plex", "library.new", True)
    assert (event.server_name, event.server_uuid) == ("MyPlexServer", "xxx")
    assert event.item == LibraryItem(
        kind=ItemKind.MOVIE,
        title="Dune: Part Two",
        year=2024,
        ids=MediaIds(),
        guid="plex://movie/5d776a24cbf1f1001f592899",
    )
    assert event.item.media_type is MediaType.MOVIE


def test_doc_derived_episode_sample() -> None:
    event = parse_plex(sample("library.new_episode_docderived__go_plex_webhook_test.json"))
    assert event.is_new and event.item is not None
    item = event.item
    assert item.kind is ItemKind.EPISODE and item.media_type is MediaType.TV
    assert item.title == "A Grave Mistake"
    assert item.show_title == "Hi Hi Puffy AmiYumi"
    assert item.guid == "plex://episode/5d9c0cd2ffd9ef001e9bc730"
    assert item.ids.empty and item.show_ids.empty
    assert item.show_guid is None  # the sample has no grandparentGuid
    assert (event.server_name, event.server_uuid) == (
        "Office",
        "54664a3d8acc39983675640ec9ce00b70af9cc36",
    )


def test_real_episode_guids_are_the_episodes_not_the_shows() -> None:
    event = parse_plex(as_library_new("media.scrobble_episode_real__jxxghp_MoviePilot.json"))
    item = event.item
    assert item is not None and item.kind is ItemKind.EPISODE
    assert item.ids == MediaIds(tmdb=3087250, tvdb=8530933, imdb="tt14765720")
    assert item.show_ids == MediaIds()  # nothing in the payload names the show's ids
    assert item.show_guid == "plex://show/60e81fd8d8000e002d7d2976"
    assert item.show_title == "范马刃牙"
    assert item.title == "The World's Strongest Senior"
    assert item.year == 2021
    assert item.show_year is None  # `year` is the episode's, not the show's


def test_real_trimmed_episode_splits_the_year_off_the_show_title() -> None:
    event = parse_plex(
        as_library_new("media.scrobble_episode_real_trimmed__afonsocosta_visto.json")
    )
    item = event.item
    assert item is not None
    assert item.ids == MediaIds(tmdb=7423219, tvdb=11861026, imdb="tt43347562")
    assert (item.show_title, item.show_year) == ("The Paper", 2025)
    assert item.year == 2026
    assert item.show_guid == "plex://show/663c5c9154860a808df84899"
    assert event.server_name is None and event.server_uuid == "server"


@pytest.mark.parametrize(
    "name",
    [
        "media.scrobble_episode_real__jxxghp_MoviePilot.json",
        "media.scrobble_episode_real_trimmed__afonsocosta_visto.json",
        "plexdocs_media.play_track__influxdata_telegraf.json",
    ],
)
def test_real_non_library_events_are_not_new(name: str) -> None:
    payload = sample(name)
    event = parse_plex(payload)
    assert event.event == payload["event"]
    assert not event.is_new and event.item is None
    assert event.reason is not None and payload["event"] in event.reason


def test_official_track_sample_as_library_new_is_not_acted_on() -> None:
    event = parse_plex(as_library_new("plexdocs_media.play_track__influxdata_telegraf.json"))
    assert not event.is_new and event.item is None
    assert event.reason == "library.new of a track"
    assert event.server_name == "Office"


# --- new-agent and legacy forms, each kind ---------------------------------------------


def test_movie_new_agent_guid_list_merged_with_legacy_guid() -> None:
    item = parse_plex(
        new(
            {
                "type": "movie",
                "title": "The Matrix",
                "year": "1999",
                "guid": "com.plexapp.agents.imdb://tt0133093?lang=en",
                "Guid": [{"id": "tmdb://603"}],
            }
        )
    ).item
    assert item == LibraryItem(
        ItemKind.MOVIE,
        "The Matrix",
        1999,
        MediaIds(tmdb=603, imdb="tt0133093"),
        "com.plexapp.agents.imdb://tt0133093?lang=en",
    )


def test_movie_guid_list_wins_over_a_disagreeing_legacy_guid() -> None:
    item = parse_plex(
        new(
            {
                "type": "movie",
                "title": "X",
                "guid": "com.plexapp.agents.themoviedb://1?lang=en",
                "Guid": [{"id": "tmdb://2"}],
            }
        )
    ).item
    assert item is not None and item.ids == MediaIds(tmdb=2)


@pytest.mark.parametrize(
    ("guid", "ids"),
    [
        ("com.plexapp.agents.themoviedb://603?lang=en", MediaIds(tmdb=603)),
        ("com.plexapp.agents.imdb://tt0133093?lang=en", MediaIds(imdb="tt0133093")),
    ],
)
def test_movie_legacy_agents(guid: str, ids: MediaIds) -> None:
    item = parse_plex(
        new({"type": "movie", "title": "The Matrix", "year": 1999, "guid": guid})
    ).item
    assert item is not None and item.ids == ids and item.guid == guid


def test_show_new_agent() -> None:
    item = parse_plex(
        new(
            {
                "type": "show",
                "title": "Game of Thrones",
                "year": 2011,
                "guid": "plex://show/5d9c086c46115600200aa2fe",
                "Guid": [
                    {"id": "imdb://tt0944947"},
                    {"id": "tmdb://1399"},
                    {"id": "tvdb://121361"},
                ],
            }
        )
    ).item
    assert item == LibraryItem(
        ItemKind.SHOW,
        "Game of Thrones",
        2011,
        MediaIds(tmdb=1399, tvdb=121361, imdb="tt0944947"),
        "plex://show/5d9c086c46115600200aa2fe",
    )
    assert item.media_type is MediaType.TV


def test_show_legacy_tvdb_agent_and_year_suffix() -> None:
    item = parse_plex(
        new(
            {
                "type": "show",
                "title": "Doctor Who (2005)",
                "guid": "com.plexapp.agents.thetvdb://78804?lang=en",
            }
        )
    ).item
    assert item is not None
    assert (item.title, item.year, item.ids) == ("Doctor Who", 2005, MediaIds(tvdb=78804))


def test_show_explicit_year_wins_over_the_title_suffix() -> None:
    item = parse_plex(new({"type": "show", "title": "Show (2001)", "year": 2002})).item
    assert item is not None and (item.title, item.year) == ("Show", 2002)


def test_season_new_agent_ids_are_season_ids() -> None:
    item = parse_plex(
        new(
            {
                "type": "season",
                "title": "Season 1",
                "year": 2011,
                "guid": "plex://season/602e67e61d3358002c411c8b",
                "parentGuid": "plex://show/5d9c086c46115600200aa2fe",
                "parentTitle": "Game of Thrones",
                "parentYear": 2011,
                "Guid": [{"id": "tmdb://3624"}, {"id": "tvdb://364731"}],
            }
        )
    ).item
    assert item == LibraryItem(
        ItemKind.SEASON,
        "Season 1",
        2011,
        MediaIds(tmdb=3624, tvdb=364731),
        "plex://season/602e67e61d3358002c411c8b",
        show_title="Game of Thrones",
        show_year=2011,
        show_ids=MediaIds(),
        show_guid="plex://show/5d9c086c46115600200aa2fe",
    )
    assert item.media_type is MediaType.TV


def test_season_legacy_parent_guid_gives_the_show_ids() -> None:
    item = parse_plex(
        new(
            {
                "type": "season",
                "title": "Season 2",
                "guid": "com.plexapp.agents.thetvdb://75159/2?lang=en",
                "parentGuid": "com.plexapp.agents.thetvdb://75159?lang=en",
                "parentTitle": "Futurama",
            }
        )
    ).item
    assert item is not None
    assert item.ids == MediaIds()
    assert item.show_ids == MediaIds(tvdb=75159)
    assert item.show_guid == "com.plexapp.agents.thetvdb://75159?lang=en"


def test_episode_legacy_guid_names_the_series() -> None:
    item = parse_plex(
        new(
            {
                "type": "episode",
                "title": "Fry and the Slurm Factory",
                "guid": "com.plexapp.agents.thetvdb://73871/1/13?lang=en",
                "grandparentTitle": "Futurama",
            }
        )
    ).item
    assert item is not None
    assert item.ids == MediaIds()  # the legacy guid is not the episode's id
    assert item.show_ids == MediaIds(tvdb=73871)
    assert item.show_guid is None


def test_episode_legacy_grandparent_guid_and_themoviedb_agent() -> None:
    item = parse_plex(
        new(
            {
                "type": "episode",
                "title": "Winter Is Coming",
                "guid": "com.plexapp.agents.themoviedb://1399/1/1?lang=en",
                "grandparentGuid": "com.plexapp.agents.thetvdb://121361?lang=en",
                "grandparentTitle": "Game of Thrones",
            }
        )
    ).item
    assert item is not None
    assert item.show_ids == MediaIds(tmdb=1399, tvdb=121361)


def test_episode_hama_agent() -> None:
    item = parse_plex(
        new(
            {
                "type": "episode",
                "title": "Ep 1",
                "guid": "com.plexapp.agents.hama://tvdb-81797/1/1?lang=en",
                "grandparentGuid": "com.plexapp.agents.hama://tvdb-81797?lang=en",
                "grandparentTitle": "One Piece",
            }
        )
    ).item
    assert item is not None and item.show_ids == MediaIds(tvdb=81797)


def test_episode_new_agent_with_guid_list() -> None:
    item = parse_plex(
        new(
            {
                "type": "episode",
                "title": "Winter Is Coming",
                "year": "2011",
                "guid": "plex://episode/5d9c1275e98e47001eb84029",
                "grandparentGuid": "plex://show/5d9c086c46115600200aa2fe",
                "grandparentTitle": "Game of Thrones",
                "Guid": [{"id": "tmdb://63056"}, {"id": "tvdb://3254641"}],
            }
        )
    ).item
    assert item is not None
    assert item.ids == MediaIds(tmdb=63056, tvdb=3254641)
    assert item.show_ids == MediaIds()
    assert item.show_guid == "plex://show/5d9c086c46115600200aa2fe"
    assert item.year == 2011


def test_titles_are_cleaned() -> None:
    item = parse_plex(new({"type": "movie", "title": "  Bad\x00 \ud800Title\x1f  "})).item
    assert item is not None and item.title == "Bad Title"


def test_long_titles_are_capped() -> None:
    item = parse_plex(new({"type": "movie", "title": "x" * 10_000})).item
    assert item is not None and len(item.title) == 500
