"""The /sync/library body: both validation paths give the same entries, and errors name the
first bad item."""

from __future__ import annotations

from typing import Any

import pytest

from stellarr.domain.sync_items import (
    MAX_SYNC_ITEMS,
    InvalidSyncItems,
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
