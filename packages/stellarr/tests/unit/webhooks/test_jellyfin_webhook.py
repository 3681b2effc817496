import copy
import html
import re
from typing import Any

import pytest

from stellarr.domain.jellyfin_webhook import JELLYFIN_TEMPLATE, parse_jellyfin
from stellarr.domain.library_events import BadPayload, ItemKind, LibraryItem
from stellarr.domain.media_ids import MediaIds
from stellarr.domain.models import MediaType
from stellarr.domain.webhook_body import payload_json

SERVER_ID = "5c8e2a1f0b7d4e3c9a6f1d2b3c4d5e6f"
SERIES_ID = "0d6f4b3e-2c1a-4f5e-9d8c-7b6a5f4e3d2c"
ITEM_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
_VARIABLE = re.compile(r"\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}")


def render(data: dict[str, object]) -> dict[str, Any]:
    """JELLYFIN_TEMPLATE as the plugin renders it: Handlebars HTML-escapes {{x}} but not {{{x}}};
    absent variables render empty; the plugin escapes double quotes in names itself."""

    def value(match: re.Match[str]) -> str:
        name = match[1] or match[2]
        raw = data.get(name)
        text = "" if raw is None else str(raw)
        if name in ("Name", "SeriesName", "ServerName"):
            text = text.replace('"', '\\"')
        return text if match[1] else html.escape(text)

    return payload_json("application/json", _VARIABLE.sub(value, JELLYFIN_TEMPLATE).encode())


def plugin_data(item_type: str, **fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "NotificationType": "ItemAdded",
        "ServerId": SERVER_ID,
        "ServerName": "Jelly",
        "ItemId": ITEM_ID,
        "ItemType": item_type,
    }
    data.update(fields)
    return data


# --- Jellyfin: ItemAdded for each item type, through the documented template ------------


def test_template_movie() -> None:
    event = parse_jellyfin(
        render(
            plugin_data(
                "Movie",
                Name='Amélie "Le Fabuleux"',
                Year=2001,
                Provider_tmdb="194",
                Provider_imdb="tt0211915",
            )
        )
    )
    assert (event.source, event.event, event.is_new) == ("jellyfin", "ItemAdded", True)
    assert (event.server_name, event.server_uuid) == ("Jelly", SERVER_ID)
    assert event.item == LibraryItem(
        ItemKind.MOVIE,
        'Amélie "Le Fabuleux"',
        2001,
        MediaIds(tmdb=194, imdb="tt0211915"),
        guid=f"jellyfin://{SERVER_ID}/{ITEM_ID}",
    )
    assert event.item.media_type is MediaType.MOVIE


def test_template_series() -> None:
    event = parse_jellyfin(
        render(
            plugin_data(
                "Series",
                Name="Tom & Jerry",
                Year=1940,
                Provider_tvdb="72860",
                Provider_tmdb="2559",
                Provider_imdb="tt0032588",
            )
        )
    )
    assert event.item == LibraryItem(
        ItemKind.SHOW,
        "Tom & Jerry",
        1940,
        MediaIds(tmdb=2559, tvdb=72860, imdb="tt0032588"),
        guid=f"jellyfin://{SERVER_ID}/{ITEM_ID}",
    )


def test_template_season() -> None:
    event = parse_jellyfin(
        render(
            plugin_data(
                "Season",
                Name="Season 1",
                Year=2011,  # the plugin puts the series' year here
                Provider_tvdb="364731",
                SeriesName="Game of Thrones",
                SeriesId=SERIES_ID,
            )
        )
    )
    assert event.item == LibraryItem(
        ItemKind.SEASON,
        "Season 1",
        None,
        MediaIds(tvdb=364731),
        guid=f"jellyfin://{SERVER_ID}/{ITEM_ID}",
        show_title="Game of Thrones",
        show_year=2011,
        show_ids=MediaIds(),
        show_guid=f"jellyfin://{SERVER_ID}/{SERIES_ID}",
    )


def test_template_episode_provider_ids_are_the_episodes() -> None:
    event = parse_jellyfin(
        render(
            plugin_data(
                "Episode",
                Name="Winter Is Coming",
                Year=2011,
                Provider_tmdb="63056",
                Provider_tvdb="3254641",
                Provider_imdb="tt1480055",
                SeriesName="Game of Thrones",
                SeriesId=SERIES_ID,
                SeriesPremiereDate="2011-04-17",
            )
        )
    )
    item = event.item
    assert item is not None and item.kind is ItemKind.EPISODE
    assert item.ids == MediaIds(tmdb=63056, tvdb=3254641, imdb="tt1480055")
    assert item.show_ids == MediaIds()  # today's plugin sends no series ids
    assert (item.show_title, item.show_year) == ("Game of Thrones", 2011)
    assert item.show_guid == f"jellyfin://{SERVER_ID}/{SERIES_ID}"
    assert item.media_type is MediaType.TV


def test_template_episode_with_series_provider_ids() -> None:
    event = parse_jellyfin(
        render(
            plugin_data(
                "Episode",
                Name="Pilot",
                Provider_tvdb="349232",
                SeriesName="The Office",
                SeriesProvider_tmdb="2316",
                SeriesProvider_tvdb="73244",
                SeriesProvider_imdb="tt0386676",
            )
        )
    )
    item = event.item
    assert item is not None
    assert item.ids == MediaIds(tvdb=349232)
    assert item.show_ids == MediaIds(tmdb=2316, tvdb=73244, imdb="tt0386676")
    assert item.show_year is None and item.show_guid is None


def test_template_with_every_value_absent_still_parses() -> None:
    event = parse_jellyfin(render({"NotificationType": "ItemAdded", "ItemType": "Movie"}))
    assert event.item == LibraryItem(ItemKind.MOVIE, "", None, MediaIds())
    assert event.server_name is None and event.server_uuid is None


@pytest.mark.parametrize(
    "notification",
    [
        "PlaybackStart",
        "PlaybackProgress",
        "PlaybackStop",
        "ItemDeleted",
        "UserDataSaved",
        "SessionStart",
        "AuthenticationSuccess",
        "Generic",
        "TaskCompleted",
    ],
)
def test_other_notification_types_are_ignored(notification: str) -> None:
    event = parse_jellyfin(render(plugin_data("Movie", NotificationType=notification)))
    assert (event.event, event.is_new, event.item) == (notification, False, None)
    assert event.reason is not None and notification in event.reason


@pytest.mark.parametrize("item_type", ["Audio", "MusicAlbum", "Photo", "Book", "BoxSet", ""])
def test_item_added_of_other_types_is_not_acted_on(item_type: str) -> None:
    event = parse_jellyfin(render(plugin_data(item_type, Name="x")))
    assert not event.is_new and event.item is None and event.reason


# --- Jellyfin: hand-written templates ------------------------------------------------------


def test_hand_written_template_keys_any_case_and_unquoted_numbers() -> None:
    event = parse_jellyfin(
        {
            "notificationType": "itemadded",
            "itemtype": "episode",
            "name": "Tom &amp; Jerry&#x27;s day",  # {{Name}} instead of {{{Name}}}
            "YEAR": 2020,
            "provider_TMDB": 123,
            "Provider_tmdb_Show": 456,
            "seriesname": "Show",
        }
    )
    item = event.item
    assert item is not None and item.kind is ItemKind.EPISODE
    assert item.title == "Tom & Jerry's day"
    assert item.ids == MediaIds(tmdb=123)
    assert item.show_ids == MediaIds(tmdb=456)
    assert item.show_year == 2020


def test_first_spelling_of_a_key_wins() -> None:
    event = parse_jellyfin(
        {"NotificationType": "ItemAdded", "ItemType": "Movie", "Name": "A", "name": "B"}
    )
    assert event.item is not None and event.item.title == "A"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"Name": "x"},
        {"ItemType": "Movie", "Provider_tmdb": "1"},
    ],
)
def test_neither_jellyfin_nor_emby(payload: dict[str, Any]) -> None:
    with pytest.raises(BadPayload, match="neither NotificationType"):
        parse_jellyfin(payload)


@pytest.mark.parametrize("value", [None, "", "  ", 5, [], {}])
def test_bad_notification_type(value: object) -> None:
    with pytest.raises(BadPayload, match="NotificationType"):
        parse_jellyfin({"NotificationType": value, "ItemType": "Movie"})


def test_non_object_payload() -> None:
    with pytest.raises(BadPayload):
        parse_jellyfin("x")  # type: ignore[arg-type]


def test_internal_ids_that_are_not_ids_give_no_key() -> None:
    event = parse_jellyfin(
        render(plugin_data("Episode", SeriesId="../../etc", ItemId="x" * 65, SeriesName="S"))
    )
    assert event.item is not None
    assert event.item.guid is None and event.item.show_guid is None


def test_jellyfin_wrong_types_everywhere() -> None:
    base = render(
        plugin_data(
            "Episode",
            Name="E",
            Year=2011,
            Provider_tmdb="1",
            SeriesName="S",
            SeriesId=SERIES_ID,
            SeriesPremiereDate="2011-04-17",
        )
    )
    junk: list[object] = [None, 1, True, 2.5, [], {}, ["x"], {"a": 1}, "x"]
    for key in list(base):
        for value in junk:
            payload = copy.deepcopy(base)
            payload[key] = value
            try:
                event = parse_jellyfin(payload)
            except BadPayload:
                assert key == "NotificationType"
                continue
            assert event.is_new == (event.item is not None)


def test_the_documented_template_is_the_one_stellarr_reads() -> None:
    from stellarr.domain.jellyfin_webhook import JELLYFIN_TEMPLATE
    from stellarr_testing.paths import DOCS

    doc = (DOCS / "media-servers.md").read_text(encoding="utf-8")
    block = doc.split("```handlebars\n", 1)[1].split("```", 1)[0]
    pasted = "\n".join(line.removeprefix("   ") for line in block.splitlines())
    assert pasted.strip() == JELLYFIN_TEMPLATE.strip()
