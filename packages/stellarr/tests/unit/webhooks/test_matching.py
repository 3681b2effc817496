# ruff: noqa: RUF001, RUF003  (look-alike letters of other scripts are the point of these tests)
from datetime import UTC, datetime

import pytest

from stellarr.domain.matching import match_by_ids, match_by_title, normalise_title
from stellarr.domain.media_ids import MediaIds
from stellarr.domain.models import MediaRequest, MediaType, RequestStatus

WHEN = datetime(2024, 1, 1, tzinfo=UTC)


def request(
    tmdb_id: int,
    title: str,
    *,
    media_type: MediaType = MediaType.MOVIE,
    year: int | None = None,
    tvdb_id: int | None = None,
    imdb_id: str | None = None,
    status: RequestStatus = RequestStatus.PENDING,
) -> MediaRequest:
    return MediaRequest(
        media_type=media_type,
        tmdb_id=tmdb_id,
        title=title,
        requested_by="alice",
        requested_at=WHEN,
        year=year,
        tvdb_id=tvdb_id,
        imdb_id=imdb_id,
        status=status,
    )


# --- normalise_title -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("The Matrix", "the matrix"),
        ("  Dune:  Part   Two!! ", "dune part two"),
        ("Schindler's List", "schindlers list"),
        ("Schindler’s List", "schindlers list"),
        ("Amélie", "amelie"),
        ("Pokémon: Detective Pikachu", "pokemon detective pikachu"),
        ("Straße", "strasse"),
        ("ＭＡＴＲＩＸ", "matrix"),  # full-width (NFKC)
        ("Se7en", "se7en"),
        ("Tom & Jerry", "tom and jerry"),
        ("WALL·E", "wall e"),
        ("Ёлки", "елки"),  # Cyrillic accents fold too (yo -> ie)
        ("Брат 2", "брат 2"),
        ("千と千尋の神隠し", "千と千尋の神隠し"),
        ("ガンダム", "ガンダム"),  # kana voicing marks are kept
        ("ｶﾞﾝﾀﾞﾑ", "ガンダム"),  # half-width kana (NFKC)
        ("기생충", "기생충"),  # Hangul survives decomposition and recomposition
        ("दंगल", "दंगल"),  # Devanagari vowel signs and anusvara are kept
        ("Ἰλιάς", "ιλιασ"),  # Greek accents fold; casefold makes final sigma σ
        ("Ⅻ Monkeys", "xii monkeys"),
        ("٣ Idiots", "3 idiots"),  # digits of any script become ASCII
        ("...", ""),
        ("", ""),
    ],
)
def test_normalise_title(title: str, expected: str) -> None:
    assert normalise_title(title) == expected


def test_kana_with_and_without_voicing_stay_distinct() -> None:
    assert normalise_title("ガンダム") != normalise_title("カンタム")


# --- match_by_ids --------------------------------------------------------------------------


def test_match_by_tmdb() -> None:
    pending = [request(1, "A"), request(603, "The Matrix")]
    assert match_by_ids(pending, MediaType.MOVIE, MediaIds(tmdb=603)) == (pending[1], "tmdb")


def test_order_is_tmdb_then_tvdb_then_imdb() -> None:
    by_tmdb = request(1, "A", media_type=MediaType.TV)
    by_tvdb = request(2, "B", media_type=MediaType.TV, tvdb_id=75159)
    by_imdb = request(3, "C", media_type=MediaType.TV, imdb_id="tt0000003")
    pending = [by_imdb, by_tvdb, by_tmdb]
    ids = MediaIds(tmdb=1, tvdb=75159, imdb="tt0000003")
    assert match_by_ids(pending, MediaType.TV, ids) == (by_tmdb, "tmdb")
    assert match_by_ids(pending, MediaType.TV, MediaIds(tmdb=99, tvdb=75159, imdb="tt0000003")) == (
        by_tvdb,
        "tvdb",
    )
    assert match_by_ids(pending, MediaType.TV, MediaIds(tmdb=99, imdb="TT0000003")) == (
        by_imdb,
        "imdb",
    )


def test_imdb_comparison_ignores_case_and_spaces_in_stored_ids() -> None:
    stored = request(3, "C", imdb_id=" TT0133093 ")
    assert match_by_ids([stored], MediaType.MOVIE, MediaIds(imdb="tt0133093")) == (stored, "imdb")


def test_only_pending_requests_of_that_media_type_count() -> None:
    added = request(603, "The Matrix", status=RequestStatus.ADDED)
    tv = request(603, "Some show", media_type=MediaType.TV)
    assert match_by_ids([added, tv], MediaType.MOVIE, MediaIds(tmdb=603)) is None
    assert match_by_ids([added, tv], MediaType.TV, MediaIds(tmdb=603)) == (tv, "tmdb")


def test_no_ids_or_no_requests_match_nothing() -> None:
    assert match_by_ids([request(1, "A")], MediaType.MOVIE, MediaIds()) is None
    assert match_by_ids([], MediaType.MOVIE, MediaIds(tmdb=1)) is None
    # A request without a tvdb/imdb id is not matched by an absent one.
    assert (
        match_by_ids([request(1, "A")], MediaType.MOVIE, MediaIds(tvdb=5, imdb="tt0000001")) is None
    )


# --- match_by_title ------------------------------------------------------------------------


def test_title_match_normalises_both_sides() -> None:
    wanted = request(1, "Amélie", year=2001)
    pending = [request(2, "Amelia", year=2001), wanted]
    assert match_by_title(pending, MediaType.MOVIE, "AMELIE!", 2001) is wanted


@pytest.mark.parametrize(
    ("stored", "incoming"),
    [
        ("千と千尋の神隠し", "千と千尋の神隠し"),
        ("Брат 2", "брат 2"),
        ("Ирония судьбы, или С лёгким паром!", "Ирония судьбы или С легким паром"),
        ("기생충", "기생충"),
    ],
)
def test_non_latin_titles(stored: str, incoming: str) -> None:
    wanted = request(1, stored)
    assert match_by_title([wanted, request(2, "Other")], MediaType.MOVIE, incoming, None) is wanted


def test_year_must_agree_when_both_are_known() -> None:
    remake = request(1, "Dune", year=2021)
    assert match_by_title([remake], MediaType.MOVIE, "Dune", 1984) is None
    assert match_by_title([remake], MediaType.MOVIE, "Dune", 2022) is None  # no ±1 tolerance
    assert match_by_title([remake], MediaType.MOVIE, "Dune", 2021) is remake
    assert match_by_title([remake], MediaType.MOVIE, "Dune", None) is remake
    unknown = request(2, "Dune", year=None)
    assert match_by_title([unknown], MediaType.MOVIE, "Dune", 1984) is unknown


def test_the_year_picks_one_of_two_same_titled_requests() -> None:
    old, new = request(1, "Dune", year=1984), request(2, "Dune", year=2021)
    assert match_by_title([old, new], MediaType.MOVIE, "Dune", 2021) is new


def test_two_candidates_match_nothing() -> None:
    pending = [request(1, "Dune", year=1984), request(2, "Dune", year=2021)]
    assert match_by_title(pending, MediaType.MOVIE, "Dune", None) is None
    pending = [request(1, "Dune"), request(2, "DUNE")]
    assert match_by_title(pending, MediaType.MOVIE, "Dune", 2021) is None


def test_title_match_counts_only_pending_requests_of_that_media_type() -> None:
    added = request(1, "Dune", status=RequestStatus.ADDED)
    show = request(2, "Dune", media_type=MediaType.TV)
    movie = request(3, "Dune")
    assert match_by_title([added, show, movie], MediaType.MOVIE, "Dune", None) is movie
    assert match_by_title([added, show, movie], MediaType.TV, "Dune", None) is show
    assert match_by_title([added], MediaType.MOVIE, "Dune", None) is None


def test_blank_or_punctuation_only_titles_match_nothing() -> None:
    pending = [request(1, "..."), request(2, "")]
    assert match_by_title(pending, MediaType.MOVIE, "", None) is None
    assert match_by_title(pending, MediaType.MOVIE, "...", None) is None


def test_different_titles_do_not_match() -> None:
    assert match_by_title([request(1, "The Matrix")], MediaType.MOVIE, "Matrix", None) is None
