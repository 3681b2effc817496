import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone

from stellarr.domain import feeds
from stellarr.domain.models import MediaRequest, MediaType

WHEN = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def req(media: MediaType, tmdb_id: int, **kw: object) -> MediaRequest:
    base: dict[str, object] = {
        "title": f"T{tmdb_id}",
        "requested_by": "a",
        "requested_at": WHEN,
        "year": 2020,
    }
    base.update(kw)
    return MediaRequest(media_type=media, tmdb_id=tmdb_id, **base)  # type: ignore[arg-type]


def test_radarr_lists_leave_out_what_radarr_would_guess() -> None:
    items = [
        req(MediaType.MOVIE, 1, imdb_id="tt0000001", poster_path="/p.jpg"),
        req(MediaType.MOVIE, 2),
        req(MediaType.TV, 3, imdb_id="tt3"),
    ]
    assert feeds.radarr_imdb(items) == [
        {
            "title": "T1 (2020)",
            "imdb_id": "tt0000001",
            "poster_url": "https://image.tmdb.org/t/p/w300/p.jpg",
        }
    ]
    assert feeds.radarr_tmdb(items) == [{"id": 1, "title": "T1"}, {"id": 2, "title": "T2"}]


def test_sonarr_omits_missing_ids_instead_of_null() -> None:
    items = [req(MediaType.TV, 5, tvdb_id=77, imdb_id="tt5"), req(MediaType.TV, 6)]
    rendered = json.loads(feeds.dumps(feeds.sonarr(items)))
    assert rendered == [
        {"title": "T5", "tvdbId": 77, "tmdbId": 5, "imdbId": "tt5"},
        {"title": "T6", "tmdbId": 6},
    ]
    assert b"null" not in feeds.dumps(feeds.sonarr(items))


def test_rss_is_valid_xml_with_timezone_dates_and_stable_guids() -> None:
    tz = timezone(timedelta(hours=2))
    items = [
        req(MediaType.MOVIE, 1, imdb_id="tt0000001", title="Fish & <Chips>", overview="a & b"),
        req(MediaType.TV, 2, requested_at=WHEN.astimezone(tz)),
    ]
    root = ET.fromstring(feeds.rss(items, "Stellarr", "https://s.example"))
    entries = root.findall("./channel/item")
    assert [e.findtext("title") for e in entries] == ["Fish & <Chips> (2020)", "T2 (2020)"]
    assert entries[0].findtext("link") == "https://www.imdb.com/title/tt0000001/"
    assert entries[1].findtext("link") == "https://www.themoviedb.org/tv/2"
    assert entries[0].findtext("guid") == "stellarr-movie-1"
    assert entries[0].findtext("pubDate") == "Sun, 01 Nov 2026 12:00:00 +0000"
    assert entries[1].findtext("pubDate") == "Sun, 01 Nov 2026 14:00:00 +0200"
    assert root.find("./channel/lastBuildDate") is not None


def test_empty_rss_is_still_a_channel() -> None:
    root = ET.fromstring(feeds.rss([], "Stellarr", "https://s.example"))
    assert root.find("./channel/title") is not None and root.findall("./channel/item") == []


def test_rss_stays_valid_with_hostile_text_stored_before_cleaning() -> None:
    # Rows written before text was cleaned at the door (or by another Stellarr sharing the
    # table) must not make the whole feed unparseable.
    stored = req(MediaType.MOVIE, 1, title="Old\x0bTitle\x1b", overview="Bad\ufffe\x00 text")
    channel = ET.fromstring(feeds.rss([stored], "t", "https://x")).find("channel")
    assert channel is not None
    item = channel.find("item")
    assert item is not None
    assert item.findtext("title") == "OldTitle (2020)"
    assert item.findtext("description") == "Bad text"
