import gzip
import os

import pytest

from stellarr.domain import content_coding
from stellarr.domain.content_coding import GZIP, IDENTITY, negotiate
from stellarr.services.snapshot import Rendered, Snapshot


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        (None, IDENTITY),  # no header: old clients may not decode anything
        ("", IDENTITY),  # empty: identity only (RFC 9110 §12.5.3)
        ("gzip", GZIP),
        ("GZip", GZIP),
        ("x-gzip", GZIP),
        ("gzip, deflate, br, zstd", GZIP),  # what browsers send
        ("gzip, br", GZIP),  # what Sonarr v4 sends
        (" gzip ; q=0.5 ", GZIP),
        (",,gzip,", GZIP),
        ("gzip;level=9", GZIP),  # parameters other than q do not change the weight
        ("*", GZIP),
        ("*;q=0.2", GZIP),
        ("identity", IDENTITY),
        ("identity, gzip", GZIP),  # equal weights: the smaller body
        ("gzip;q=0.5, identity", IDENTITY),  # the client prefers the plain body
        ("gzip;q=0.8, identity;q=0.5", GZIP),
        ("gzip;q=0", IDENTITY),
        ("gzip;Q=0.000", IDENTITY),
        ("gzip; q=0, identity", IDENTITY),
        ("*, gzip;q=0", IDENTITY),  # a refusal by name beats the wildcard
        ("gzip, gzip;q=0", IDENTITY),  # listed twice: the refusal holds
        ("*;q=0, gzip", GZIP),
        ("identity;q=0, gzip", GZIP),
        ("br, zstd, compress, deflate", IDENTITY),  # nothing we offer
        ("identity;q=0", IDENTITY),  # nothing acceptable: a plain body rather than a 406
        ("*;q=0", IDENTITY),
        ("gzip;q=2", IDENTITY),  # malformed weights drop the entry, never read as q=1
        ("gzip;q=abc", IDENTITY),
        ("gzip;q=0.0001", IDENTITY),
        ("gzip;q=", IDENTITY),
        ("gzip;q=0.001", GZIP),
        ("gzip;q=1.000", GZIP),
    ],
)
def test_negotiation_follows_rfc_9110(header: str | None, chosen: str) -> None:
    assert negotiate(header) == chosen


def test_gzip_is_deterministic_so_its_etag_can_be_strong() -> None:
    body = b'{"title": "Requested title"}' * 200
    once = content_coding.encode(GZIP, body)
    assert once == content_coding.encode(GZIP, body)
    assert gzip.decompress(once) == body


def test_unknown_coding_is_refused_loudly() -> None:
    with pytest.raises(ValueError):
        content_coding.encode("br", b"x" * 2000)


def rendered(body: bytes) -> Rendered:
    return Snapshot(1, [], {}).rendered("test", lambda _s: body)


def test_large_bodies_are_compressed_once_with_their_own_etag() -> None:
    body = b'{"imdb_id": "tt0000001", "title": "Requested title"},' * 100
    r = rendered(body)
    plain, zipped = r.encoded(IDENTITY), r.encoded(GZIP)
    assert (plain.body, plain.etag, plain.coding) == (body, r.etag, IDENTITY)
    assert zipped.coding == GZIP and gzip.decompress(zipped.body) == body
    assert zipped.etag == r.etag[:-1] + '-gzip"' and zipped.etag != plain.etag
    assert r.encoded(GZIP) is zipped  # cached on the rendering, not compressed per request


def test_small_or_incompressible_bodies_stay_plain() -> None:
    for body in (b"[]", b"x" * (content_coding.MIN_COMPRESS_BYTES - 1), os.urandom(4096)):
        r = rendered(body)
        chosen = r.encoded(GZIP)
        assert (chosen.body, chosen.etag, chosen.coding) == (body, r.etag, IDENTITY)
