"""The scan's progress bar: drawn in place on a terminal, one line per section elsewhere."""

from __future__ import annotations

import io

from stellarr.domain.media_ids import MediaIds
from stellarr.domain.models import MediaType
from stellarr.plex_library import PlexItem, item_ids
from stellarr.plex_sync import ProgressBar, Scan


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_the_bar_redrawn_in_place() -> None:
    screen = Terminal()
    bar = ProgressBar("Scanning Movies", 200, screen, fancy=False)
    bar.update(100)
    bar.update(100)
    bar.close()
    frames = screen.getvalue().split("\r")[1:]
    assert frames[0] == "Scanning Movies [" + "." * 30 + "] 0/200"
    assert frames[1] == "Scanning Movies [" + "#" * 15 + "." * 15 + "] 100/200"
    assert frames[2] == "Scanning Movies [" + "#" * 30 + "] 200/200\n"


def test_a_log_gets_one_line_per_section() -> None:
    log = io.StringIO()
    bar = ProgressBar("Scanning TV Shows", 0, log)
    bar.close()
    assert log.getvalue() == "Scanning TV Shows: 0/0\n"


def test_an_empty_section_draws_a_full_bar() -> None:
    screen = Terminal()
    ProgressBar("Scanning 4K", 0, screen, fancy=False).close()
    assert screen.getvalue() == "\rScanning 4K [" + "#" * 30 + "] 0/0\n"


def test_ids_come_from_guid_children_then_the_legacy_guid() -> None:
    assert item_ids(["imdb://tt0133093", "tmdb://603"], "plex://movie/5d7768") == MediaIds(
        tmdb=603, imdb="tt0133093"
    )
    assert item_ids([], "com.plexapp.agents.themoviedb://550?lang=en") == MediaIds(tmdb=550)
    assert item_ids(["tvdb://81189"], "com.plexapp.agents.thetvdb://1/1") == MediaIds(tvdb=81189)
    assert item_ids([], "local://12").empty


def test_a_scan_sends_each_tmdb_id_once_and_counts_the_rest() -> None:
    scan = Scan(MediaType.MOVIE)
    scan.add(PlexItem("The Matrix", 1999, MediaIds(tmdb=603, tvdb=169, imdb="tt0133093")))
    scan.add(PlexItem("The Matrix (4K)", 1999, MediaIds(tmdb=603)))
    scan.add(PlexItem("", None, MediaIds(tmdb=550)))
    scan.add(PlexItem("Holiday", None, MediaIds(imdb="tt0111161")))
    assert list(scan.items.values()) == [
        {"tmdb_id": 603, "tvdb_id": 169, "imdb_id": "tt0133093", "title": "The Matrix"},
        {"tmdb_id": 550},
    ]
    assert scan.counts() == "scanned 4, skipped 1 (no TMDB id)"
    assert [i.title for i in scan.skipped] == ["Holiday"]


def test_titles_added_while_reading_grow_the_total() -> None:
    log = io.StringIO()
    bar = ProgressBar("Scanning Movies", 100, log)
    bar.update(100)
    bar.update(3)
    bar.close()
    assert log.getvalue() == "Scanning Movies: 103/103\n"
