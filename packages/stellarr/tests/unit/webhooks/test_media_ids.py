import pytest

from stellarr.domain.media_ids import (
    MediaIds,
    coerce_id,
    coerce_imdb,
    ids_from_guids,
    ids_from_legacy_guid,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (603, 603),
        ("603", 603),
        (" 603 ", 603),
        ("0603", 603),
        (0, None),
        (-5, None),
        (2**31 + 1, None),
        (True, None),
        (6.0, None),
        ("6e2", None),
        ("", None),
        ("abc", None),
        ("²", None),  # a Unicode digit int() would choke on
        ("١٢", None),  # Arabic-Indic digits are not ids
        ("12345678901", None),
        (None, None),
        ([603], None),
    ],
)
def test_coerce_id(value: object, expected: int | None) -> None:
    assert coerce_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("tt0133093", "tt0133093"),
        ("TT0133093", "tt0133093"),
        (" tt14765720 ", "tt14765720"),
        ("0133093", None),
        ("tt", None),
        ("tt12", None),
        ("nm0000206", None),
        (133093, None),
        (None, None),
    ],
)
def test_coerce_imdb(value: object, expected: str | None) -> None:
    assert coerce_imdb(value) == expected


def test_merged_fills_only_missing_ids() -> None:
    mine = MediaIds(tmdb=1, imdb=None)
    other = MediaIds(tmdb=2, tvdb=3, imdb="tt0000004")
    assert mine.merged(other) == MediaIds(tmdb=1, tvdb=3, imdb="tt0000004")
    assert MediaIds().merged(other) == other
    assert other.merged(MediaIds()) == other


def test_empty() -> None:
    assert MediaIds().empty
    assert not MediaIds(tvdb=1).empty
    assert not MediaIds(imdb="tt0133093").empty


def test_json_round_trip_and_damaged_values() -> None:
    ids = MediaIds(tmdb=1399, tvdb=121361, imdb="tt0944947")
    assert ids.to_json() == {"tmdb": 1399, "tvdb": 121361, "imdb": "tt0944947"}
    assert MediaIds.from_json(ids.to_json()) == ids
    assert MediaIds.from_json({"tmdb": "1399", "tvdb": "x", "imdb": 5}) == MediaIds(tmdb=1399)
    assert MediaIds.from_json(None) == MediaIds()
    assert MediaIds.from_json("[1]") == MediaIds()
    assert MediaIds.from_json({}) == MediaIds()


@pytest.mark.parametrize(
    ("guid", "expected"),
    [
        ("com.plexapp.agents.themoviedb://603?lang=en", MediaIds(tmdb=603)),
        ("com.plexapp.agents.themoviedb://1399/1/2?lang=en", MediaIds(tmdb=1399)),
        ("com.plexapp.agents.imdb://tt0133093?lang=en", MediaIds(imdb="tt0133093")),
        ("com.plexapp.agents.thetvdb://75159/1/2?lang=en", MediaIds(tvdb=75159)),
        ("com.plexapp.agents.thetvdb://75159/1?lang=en", MediaIds(tvdb=75159)),
        ("com.plexapp.agents.thetvdb://75159?lang=en", MediaIds(tvdb=75159)),
        ("COM.PLEXAPP.AGENTS.THETVDB://75159", MediaIds(tvdb=75159)),
        ("com.plexapp.agents.thetvdbdvdorder://75159/1/2", MediaIds(tvdb=75159)),
        ("com.plexapp.agents.hama://tvdb-75159?lang=en", MediaIds(tvdb=75159)),
        ("com.plexapp.agents.hama://tvdb2-75159/1/3?lang=en", MediaIds(tvdb=75159)),
        ("com.plexapp.agents.hama://tmdb-603", MediaIds(tmdb=603)),
        ("com.plexapp.agents.hama://imdb-tt0133093", MediaIds(imdb="tt0133093")),
        ("com.plexapp.agents.hama://anidb-4896?lang=en", MediaIds()),
        ("com.plexapp.agents.hama://tvdb", MediaIds()),
        ("tmdb://603", MediaIds(tmdb=603)),
        ("tvdb://75159", MediaIds(tvdb=75159)),
        ("imdb://tt0133093", MediaIds(imdb="tt0133093")),
        ("plex://movie/5d776a24cbf1f1001f592899", MediaIds()),
        ("plex://episode/615580a9fa828e7f1a0caabd", MediaIds()),
        ("local://12345", MediaIds()),
        ("com.plexapp.agents.none://569747/2026?lang=xn", MediaIds()),
        ("com.plexapp.agents.themoviedb://abc?lang=en", MediaIds()),
        ("com.plexapp.agents.imdb://0133093", MediaIds()),
        ("tmdb:603", MediaIds()),
        ("", MediaIds()),
        ("://", MediaIds()),
    ],
)
def test_ids_from_legacy_guid(guid: str, expected: MediaIds) -> None:
    assert ids_from_legacy_guid(guid) == expected


def test_ids_from_legacy_guid_tolerates_non_strings() -> None:
    assert ids_from_legacy_guid(None) == MediaIds()  # type: ignore[arg-type]
    assert ids_from_legacy_guid(603) == MediaIds()  # type: ignore[arg-type]


def test_ids_from_guids_reads_every_form_and_keeps_the_first_of_each() -> None:
    guids = [
        {"id": "imdb://tt14765720"},
        {"id": "tmdb://3087250"},
        {"id": "tvdb://8530933"},
        {"id": "tmdb://999"},
    ]
    assert ids_from_guids(guids) == MediaIds(tmdb=3087250, tvdb=8530933, imdb="tt14765720")


def test_ids_from_guids_skips_junk() -> None:
    guids: list[object] = [
        None,
        42,
        {"id": None},
        {"id": 603},
        {"nope": "tmdb://1"},
        {"id": "tmdb://not-a-number"},
        {"id": "plex://movie/abc"},
        "tvdb://75159",  # a bare string entry is read too
        ["tmdb://1"],
        {"id": "imdb://tt0133093"},
    ]
    assert ids_from_guids(guids) == MediaIds(tvdb=75159, imdb="tt0133093")


@pytest.mark.parametrize("guids", ["tmdb://603", b"tmdb://603", {"id": "tmdb://603"}, []])
def test_ids_from_guids_of_a_non_list_is_empty(guids: object) -> None:
    assert ids_from_guids(guids) == MediaIds()  # type: ignore[arg-type]
