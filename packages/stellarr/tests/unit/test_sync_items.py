"""The /sync/library body: both validation paths give the same entries, and errors name the
first bad item."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stellarr.domain.sync_items import (
    MAX_SYNC_ITEMS,
    InvalidSyncItems,
    SyncBodyCount,
    _clean,
    _item_by_item,
    parse_sync_items,
)

PLAIN: list[Any] = [
    {"tmdb_id": 603, "imdb_id": "tt0133093", "title": "The Matrix"},
    {"tmdb_id": 66732, "tvdb_id": 305288, "imdb_id": None, "title": None},
    {"tmdb_id": 2**31, "extra": "ignored"},
]


def test_plain_bodies_take_the_fast_path_with_the_same_result() -> None:
    expected = [(603, None, "tt0133093"), (66732, 305288, None), (2**31, None, None)]
    clean = _clean(PLAIN)
    assert clean is not None and clean.rows() == expected
    assert _item_by_item(PLAIN).rows() == expected
    assert parse_sync_items(PLAIN).rows() == expected


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([{"tmdb_id": "603"}], [(603, None, None)]),
        ([{"tmdb_id": 603, "tvdb_id": "", "imdb_id": ""}], [(603, None, None)]),
        ([{"tmdb_id": 603, "tvdb_id": "169"}], [(603, 169, None)]),
        (
            [{"tmdb_id": 1}, {"tmdb_id": 2}, {"tmdb_id": 1, "tvdb_id": 7, "imdb_id": "tt0000001"}],
            [(1, 7, "tt0000001"), (2, None, None)],
        ),
        (
            [{"tmdb_id": 1, "imdb_id": "tt0000001"}, {"tmdb_id": 1, "imdb_id": "tt0000002"}],
            [(1, None, "tt0000001")],
        ),
        ([], []),
    ],
)
def test_lenient_forms_and_duplicates_go_item_by_item(
    items: list[Any], expected: list[tuple[int, int | None, str | None]]
) -> None:
    assert _clean(items) is None or items == []
    assert parse_sync_items(items).rows() == expected


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([{"tmdb_id": 1}, {"tmdb_id": 1, "imdb_id": "tt1\ntt2"}], "item 1: imdb_id"),
        ([{"tmdb_id": 1}, {"tmdb_id": False}], "item 1: tmdb_id"),
        ([{"tmdb_id": 1, "tvdb_id": True}], "item 0: tvdb_id"),
        ([{"tmdb_id": 1, "tvdb_id": 0}], "item 0: tvdb_id"),
        ([{"tmdb_id": 1, "title": "x" * 1001}], "item 0: title"),
        ([{"tmdb_id": 1}, {"tmdb_id": 2}, 3], "item 2: must be an object"),
        ([{"tmdb_id": 1, "tvdb_id": None}, {"tmdb_id": 2, "tvdb_id": 0}], "item 1: tvdb_id"),
        ([{"tmdb_id": 1, "imdb_id": None}, {"tmdb_id": 2, "imdb_id": "tt"}], "item 1: imdb_id"),
        ([{"tmdb_id": 1, "title": None}, {"tmdb_id": 2, "title": 5}], "item 1: title"),
        ([{"tmdb_id": 1}] * (MAX_SYNC_ITEMS + 1), "at most"),
    ],
)
def test_the_first_bad_item_is_named(items: list[Any], message: str) -> None:
    with pytest.raises(InvalidSyncItems, match=message):
        parse_sync_items(items)


def test_the_largest_valid_body_passes_the_count_as_it_arrives() -> None:
    """100,000 items of every field, titles with commas, in 64 KiB chunks as a server hands
    them over."""
    items = [
        {
            "tmdb_id": i,
            "tvdb_id": i,
            "imdb_id": f"tt{i:07d}",
            "title": f"Crouching Tiger, Hidden Dragon [{i}], {{part}} 2",
        }
        for i in range(1, MAX_SYNC_ITEMS + 1)
    ]
    body = json.dumps(items).encode()
    count = SyncBodyCount()
    for start in range(0, len(body), 65536):
        count.add(body[start : start + 65536])
    assert parse_sync_items(json.loads(body)).tmdb_ids[-1] == MAX_SYNC_ITEMS


def test_the_count_refuses_once_the_values_could_be_more_than_the_items() -> None:
    count = SyncBodyCount(limit=10)
    count.add(b"[{},{},{")
    with pytest.raises(InvalidSyncItems, match="at most 100000 items per sync"):
        count.add(b"},{},{},{}")
