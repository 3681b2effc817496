"""Plex payloads that are not a new movie, show, season or episode, or are malformed."""

from typing import Any

import pytest

from stellarr.domain.library_events import BadPayload
from stellarr.domain.plex_webhook import parse_plex
from stellarr_testing.webhooks import as_library_new, junk_copies, plex_event


def new(metadata: object, event: str = "library.new") -> dict[str, Any]:
    return plex_event(metadata, event, server={"title": "Office"}, account=False)


@pytest.mark.parametrize(
    "event",
    [
        "media.play",
        "media.pause",
        "media.resume",
        "media.stop",
        "media.scrobble",
        "media.rate",
        "admin.database.backup",
        "device.new",
        "playback.started",
        "library.on.deck",
    ],
)
def test_other_events_are_ignored_cheaply(event: str) -> None:
    # Metadata is garbage on purpose: ignored events never look at it.
    result = parse_plex(new(5, event))
    assert (result.event, result.is_new, result.item) == (event, False, None)
    assert result.server_name == "Office"


@pytest.mark.parametrize(
    "payload",
    [{}, {"event": None}, {"event": ""}, {"event": "  "}, {"event": 5}, {"Event": "library.new"}],
)
def test_missing_event_is_a_bad_payload(payload: dict[str, Any]) -> None:
    with pytest.raises(BadPayload, match="no event"):
        parse_plex(payload)


def test_non_object_payload_is_a_bad_payload() -> None:
    with pytest.raises(BadPayload):
        parse_plex([1, 2])  # type: ignore[arg-type]


@pytest.mark.parametrize("metadata", [None, "movie", [1], 3])
def test_library_new_without_metadata_is_a_bad_payload(metadata: object) -> None:
    payload: dict[str, Any] = {"event": "library.new"}
    if metadata is not None:
        payload["Metadata"] = metadata
    with pytest.raises(BadPayload, match="Metadata"):
        parse_plex(payload)


@pytest.mark.parametrize("plex_type", ["track", "photo", "clip", "artist", "album", None, 4, ""])
def test_library_new_of_other_types_is_not_acted_on(plex_type: object) -> None:
    event = parse_plex(new({"type": plex_type, "title": "x"}))
    assert not event.is_new and event.item is None and event.reason


@pytest.mark.parametrize("year", ["abc", "", None, True, 0, -1, 99999, "2024.5", [2024], 2024.0])
def test_junk_years_are_none(year: object) -> None:
    item = parse_plex(new({"type": "movie", "title": "X", "year": year})).item
    assert item is not None and item.year is None


def test_wrong_types_everywhere_never_raise_anything_but_bad_payload() -> None:
    base = as_library_new("media.scrobble_episode_real__jxxghp_MoviePilot.json")
    junk: list[object] = [None, 1, "s", [], {}, [None], [{"id": 1}], True, 1.5]
    keys = [
        "title",
        "guid",
        "Guid",
        "grandparentGuid",
        "grandparentTitle",
        "parentGuid",
        "parentTitle",
        "year",
        "parentYear",
        "grandparentYear",
        "type",
    ]
    for payload in junk_copies(base, keys, junk, under="Metadata"):
        event = parse_plex(payload)
        assert event.is_new == (event.item is not None)
    for payload in junk_copies(base, ["Server"], junk):
        server = payload["Server"]
        assert parse_plex(payload).server_name is None or isinstance(server, dict)


def test_a_long_guid_is_kept_whole_so_cache_keys_never_collide() -> None:
    long_guid = "plex://show/" + "a" * 400
    other = "plex://show/" + "a" * 399 + "b"
    episode = {"type": "episode", "title": "Pilot", "grandparentTitle": "Show", "Guid": []}
    first = parse_plex(new({**episode, "grandparentGuid": long_guid})).item
    second = parse_plex(new({**episode, "grandparentGuid": other})).item
    assert first is not None and second is not None
    assert first.show_guid == long_guid
    assert first.show_guid != second.show_guid
