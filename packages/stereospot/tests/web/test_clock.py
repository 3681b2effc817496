"""Times into a video, as the forms take them and the pages show them."""

from __future__ import annotations

import pytest

from stereospot.web.filters import clock, parse_clock


def test_times_read_as_a_player_shows_them() -> None:
    assert parse_clock("") is None and parse_clock("  ") is None
    assert parse_clock("65") == 65 and parse_clock("1:05") == 65
    assert parse_clock("1:02:03") == 3723 and parse_clock("75:00") == 4500
    assert parse_clock("0:02.5") == 2.5
    for bad in ("0:90", "1:60", "1::2", "a:10", "-1", "1:2:3:4", "inf", "nan", "1:-5"):
        with pytest.raises(ValueError):
            parse_clock(bad)


def test_times_shown_as_a_player_shows_them() -> None:
    assert clock(None) == "" and clock(0) == "0:00" and clock(65.9) == "1:05"
    assert clock(3723) == "1:02:03"
