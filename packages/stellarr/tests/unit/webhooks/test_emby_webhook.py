import json
from typing import Any

import pytest

from stellarr.domain.jellyfin_webhook import parse_jellyfin
from stellarr.domain.library_events import BadPayload, ItemKind, LibraryItem
from stellarr.domain.media_ids import MediaIds
from stellarr.domain.webhook_body import payload_json
from stellarr_testing.webhooks import junk_copies


def emby(event: str, item: object, **extra: Any) -> dict[str, Any]:
    """Emby's webhook shape (cf. the playback.stop quoted in McCloudS/subgen issue #17)."""
    payload: dict[str, Any] = {
        "Title": "New item on Emby",
        "Date": "2024-03-01T10:00:00.0000000Z",
        "Event": event,
        "Severity": "Info",
        "Server": {"Name": "Emby Box", "Id": "2965b319f8a849ebb156e4ea01e9a5c5", "Version": "4.8"},
        **extra,
    }
    if item is not None:
        payload["Item"] = item
    return payload


def test_emby_movie() -> None:
    event = parse_jellyfin(
        emby(
            "library.new",
            {
                "Name": "The Matrix",
                "Id": "478",
                "Type": "Movie",
                "ProductionYear": 1999,
                "ProviderIds": {"Tmdb": "603", "Imdb": "tt0133093"},
            },
        )
    )
    assert (event.source, event.event, event.is_new) == ("emby", "library.new", True)
    assert (event.server_name, event.server_uuid) == (
        "Emby Box",
        "2965b319f8a849ebb156e4ea01e9a5c5",
    )
    assert event.item == LibraryItem(
        ItemKind.MOVIE,
        "The Matrix",
        1999,
        MediaIds(tmdb=603, imdb="tt0133093"),
        guid="emby://2965b319f8a849ebb156e4ea01e9a5c5/478",
    )


def test_emby_series_provider_ids_in_any_case() -> None:
    event = parse_jellyfin(
        emby(
            "library.new",
            {
                "Name": "Futurama",
                "Type": "Series",
                "ProductionYear": "1999",
                "ProviderIds": {"TVDB": 73871, "tmdb": "615", "IMDB": "tt0149460"},
            },
        )
    )
    assert event.item is not None
    assert event.item.kind is ItemKind.SHOW
    assert event.item.ids == MediaIds(tmdb=615, tvdb=73871, imdb="tt0149460")
    assert event.item.year == 1999


def test_emby_season() -> None:
    event = parse_jellyfin(
        emby(
            "library.new",
            {
                "Name": "Season 2",
                "Id": "477",
                "Type": "Season",
                "SeriesName": "Billy the Kid",
                "SeriesId": "44",
                "ProviderIds": {},
            },
        )
    )
    item = event.item
    assert item is not None and item.kind is ItemKind.SEASON
    assert (item.show_title, item.show_ids) == ("Billy the Kid", MediaIds())
    assert item.show_guid == "emby://2965b319f8a849ebb156e4ea01e9a5c5/44"


def test_emby_episode_ids_are_the_episodes_and_series_id_is_internal() -> None:
    event = parse_jellyfin(
        emby(
            "library.new",
            {
                "Name": "The Road to Hell",
                "ServerId": "ignored-when-server-has-an-id",
                "Id": "478",
                "ProductionYear": 2023,
                "IndexNumber": 1,
                "ParentIndexNumber": 2,
                "ProviderIds": {"Tvdb": "9944695"},
                "Type": "Episode",
                "SeriesName": "Billy the Kid",
                "SeriesId": "44",
            },
        )
    )
    item = event.item
    assert item is not None and item.kind is ItemKind.EPISODE
    assert item.ids == MediaIds(tvdb=9944695)
    assert item.show_ids == MediaIds()  # SeriesId "44" is not a provider id
    assert item.show_guid == "emby://2965b319f8a849ebb156e4ea01e9a5c5/44"
    assert item.year == 2023 and item.show_year is None


def test_emby_server_id_falls_back_to_the_items() -> None:
    payload = emby("library.new", {"Name": "X", "Type": "Movie", "Id": "9", "ServerId": "abc"})
    del payload["Server"]
    event = parse_jellyfin(payload)
    assert event.server_uuid == "abc" and event.server_name is None
    assert event.item is not None and event.item.guid == "emby://abc/9"


@pytest.mark.parametrize(
    "name",
    [
        "playback.start",
        "playback.stop",
        "playback.pause",
        "item.rate",
        "item.markplayed",
        "library.deleted",
        "user.authenticated",
        "system.notificationtest",
        "Library.New",
    ],
)
def test_emby_other_events_are_ignored(name: str) -> None:
    event = parse_jellyfin(emby(name, {"Name": "X", "Type": "Movie"}))
    assert (event.source, event.event, event.is_new, event.item) == ("emby", name, False, None)
    assert event.server_name == "Emby Box"


def test_emby_test_notification_without_an_item() -> None:
    event = parse_jellyfin(emby("system.notificationtest", None))
    assert not event.is_new


@pytest.mark.parametrize("item_type", ["Audio", "MusicAlbum", "Photo", "Trailer", None, 3])
def test_emby_library_new_of_other_types_is_not_acted_on(item_type: object) -> None:
    event = parse_jellyfin(emby("library.new", {"Name": "x", "Type": item_type}))
    assert not event.is_new and event.item is None and event.reason


@pytest.mark.parametrize("item", [None, "x", [], 5])
def test_emby_library_new_without_an_item_object(item: object) -> None:
    with pytest.raises(BadPayload, match="no Item object"):
        parse_jellyfin(emby("library.new", item))


@pytest.mark.parametrize("value", [None, "", 5, {}])
def test_emby_bad_event(value: object) -> None:
    with pytest.raises(BadPayload, match="Event"):
        parse_jellyfin({"Event": value, "Item": {}})


def test_emby_wrong_types_everywhere() -> None:
    base = emby(
        "library.new",
        {
            "Name": "E",
            "Id": "1",
            "Type": "Episode",
            "ProductionYear": 2020,
            "ProviderIds": {"Tvdb": "1"},
            "SeriesName": "S",
            "SeriesId": "2",
            "ServerId": "s",
        },
    )
    junk: list[object] = [None, 1, True, 2.5, [], {}, ["x"], {"a": 1}, "x"]
    for payload in junk_copies(base, list(base["Item"]), junk, under="Item"):
        event = parse_jellyfin(payload)
        assert event.is_new == (event.item is not None)
    for payload in junk_copies(base, ["Server"], junk):
        assert parse_jellyfin(payload).is_new


def test_emby_multipart_data_field_round_trip() -> None:
    body_payload = emby(
        "library.new", {"Name": "Amélie", "Type": "Movie", "ProviderIds": {"Tmdb": 194}}
    )
    boundary = "emby-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="data"\r\n\r\n'.encode()
        + json.dumps(body_payload, ensure_ascii=False).encode()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    event = parse_jellyfin(payload_json(f"multipart/form-data; boundary={boundary}", body))
    assert event.item is not None and event.item.ids == MediaIds(tmdb=194)
