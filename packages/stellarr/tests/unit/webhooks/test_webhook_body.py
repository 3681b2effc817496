import json
import random
from urllib.parse import urlencode

import pytest

from stellarr.domain.library_events import BadPayload
from stellarr.domain.webhook_body import payload_json

BOUNDARY = "------------------------ab12CD34ef"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
PAYLOAD = {"event": "library.new", "Metadata": {"type": "movie", "title": "Amélie"}}
# JPEG-ish bytes that contain CRLF, dashes, a near-miss of the delimiter and NULs.
THUMB = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\r\n--\r\n--" + BOUNDARY[:-1].encode() + b"X\r\n\r\n"
) * 5 + bytes(range(256)) * 800


def part(name: str, content: bytes, *, filename: str | None = None, ctype: str = "") -> bytes:
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    headers = f"Content-Disposition: {disposition}\r\n"
    if ctype:
        headers += f"Content-Type: {ctype}\r\n"
    return f"--{BOUNDARY}\r\n{headers}\r\n".encode() + content + b"\r\n"


def multipart(*parts: bytes, preamble: bytes = b"") -> bytes:
    return preamble + b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def payload_part(payload: object = PAYLOAD, name: str = "payload") -> bytes:
    return part(name, json.dumps(payload).encode(), ctype="application/json")


def thumb_part() -> bytes:
    return part("thumb", THUMB, filename="image.jpg", ctype="image/jpeg")


def test_multipart_payload_only() -> None:
    assert payload_json(CONTENT_TYPE, multipart(payload_part())) == PAYLOAD


def test_multipart_thumb_after_payload() -> None:
    assert payload_json(CONTENT_TYPE, multipart(payload_part(), thumb_part())) == PAYLOAD


def test_multipart_thumb_before_payload() -> None:
    assert payload_json(CONTENT_TYPE, multipart(thumb_part(), payload_part())) == PAYLOAD


def test_thumb_really_contains_crlf_dashes_and_a_near_miss_of_the_delimiter() -> None:
    assert b"\r\n--" in THUMB
    assert b"\r\n--" + BOUNDARY[:-1].encode() in THUMB
    assert b"\r\n--" + BOUNDARY.encode() not in THUMB


def test_multipart_with_a_200_kb_thumb_on_both_sides() -> None:
    big = part("thumb", THUMB, filename="a.jpg")
    assert len(big) > 200_000
    body = multipart(big, payload_part(), big)
    assert payload_json(CONTENT_TYPE, body) == PAYLOAD


def test_duplicate_payload_the_first_wins() -> None:
    second = {"event": "media.play"}
    body = multipart(payload_part(), thumb_part(), payload_part(second))
    assert payload_json(CONTENT_TYPE, body) == PAYLOAD
    body = multipart(thumb_part(), payload_part(second), payload_part())
    assert payload_json(CONTENT_TYPE, body) == second


def test_emby_data_field_is_read_when_there_is_no_payload_field() -> None:
    emby = {"Event": "library.new", "Item": {"Type": "Movie"}}
    assert payload_json(CONTENT_TYPE, multipart(payload_part(emby, name="data"))) == emby
    # ...but Plex's `payload` is preferred wherever it comes.
    body = multipart(payload_part(emby, name="data"), payload_part())
    assert payload_json(CONTENT_TYPE, body) == PAYLOAD


@pytest.mark.parametrize(
    "content_type",
    [
        f'multipart/form-data; boundary="{BOUNDARY}"',
        f"Multipart/Form-Data;boundary={BOUNDARY}",
        f"multipart/form-data; charset=utf-8; boundary={BOUNDARY}",
        f'multipart/form-data; boundary = "{BOUNDARY}" ; charset=utf-8',
    ],
)
def test_boundary_quoted_unquoted_and_among_other_parameters(content_type: str) -> None:
    assert payload_json(content_type, multipart(payload_part())) == PAYLOAD


def test_boundary_with_a_quoted_pair() -> None:
    body = multipart(payload_part()).replace(BOUNDARY.encode(), b'a"b')
    assert payload_json('multipart/form-data; boundary="a\\"b"', body) == PAYLOAD


def test_preamble_unquoted_names_and_other_fields() -> None:
    body = multipart(
        part("other", b"x"),
        f"--{BOUNDARY}\r\ncontent-disposition: form-data; name=payload\r\n\r\n".encode()
        + json.dumps(PAYLOAD).encode()
        + b"\r\n",
        preamble=b"This is the preamble.\r\n",
    )
    assert payload_json(CONTENT_TYPE, body) == PAYLOAD


def test_filename_parameter_is_not_taken_for_the_name() -> None:
    body = multipart(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; filename="payload"; name="thumb"\r\n'
        "\r\nnot json\r\n".encode(),
        payload_part(),
    )
    assert payload_json(CONTENT_TYPE, body) == PAYLOAD


def test_urlencoded() -> None:
    body = urlencode({"payload": json.dumps(PAYLOAD), "other": "1"}).encode()
    assert payload_json("application/x-www-form-urlencoded", body) == PAYLOAD
    assert payload_json(None, body) == PAYLOAD


def test_urlencoded_duplicate_payload_the_first_wins() -> None:
    body = urlencode([("payload", json.dumps(PAYLOAD)), ("payload", '{"event": "x"}')]).encode()
    assert payload_json("application/x-www-form-urlencoded", body) == PAYLOAD


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/vnd.example+json",
        "text/plain",
        None,
        "",
        "application/x-www-form-urlencoded",  # what `curl -d '{...}'` sends
    ],
)
def test_raw_json_body(content_type: str | None) -> None:
    assert payload_json(content_type, json.dumps(PAYLOAD).encode()) == PAYLOAD


def test_raw_json_with_bom_and_leading_whitespace() -> None:
    body = b"\xef\xbb\xbf \r\n\t" + json.dumps(PAYLOAD).encode()
    assert payload_json("application/json", body) == PAYLOAD


def test_json_escapes_and_non_ascii_survive() -> None:
    payload = {"event": "library.new", "title": "千と千尋の神隠し", "escaped": "\u00e9"}
    body = json.dumps(payload, ensure_ascii=False).encode()
    assert payload_json("application/json", body) == payload


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        (CONTENT_TYPE, multipart(thumb_part()), "no payload field"),
        (CONTENT_TYPE, multipart(part("payload", b"")), "payload is blank"),
        (CONTENT_TYPE, multipart(part("payload", b"  \r\n ")), "payload is blank"),
        (CONTENT_TYPE, multipart(part("payload", b"{not json")), "not valid JSON"),
        (CONTENT_TYPE, multipart(part("payload", b"\xff\xfe{}")), "not valid JSON"),
        (CONTENT_TYPE, multipart(part("payload", b"[1, 2]")), "not a JSON object"),
        (CONTENT_TYPE, multipart(part("payload", b'"text"')), "not a JSON object"),
        (CONTENT_TYPE, multipart(part("payload", b"1" * 5000)), "not valid JSON"),
        (CONTENT_TYPE, multipart(part("payload", b"[" * 100_000)), "not valid JSON"),
        (CONTENT_TYPE, b"", "does not contain its boundary"),
        (CONTENT_TYPE, json.dumps(PAYLOAD).encode(), "does not contain its boundary"),
        ("multipart/form-data", multipart(payload_part()), "without a boundary"),
        ("multipart/form-data; boundary=", multipart(payload_part()), "without a boundary"),
        ("multipart/form-data; boundary=" + "x" * 201, b"", "boundary is malformed"),
        ("multipart/form-data; boundary=é", b"", "boundary is malformed"),
        ('multipart/form-data; boundary="a\tb"', b"", "boundary is malformed"),
        ("application/x-www-form-urlencoded", b"other=1", "no payload field"),
        ("application/x-www-form-urlencoded", b"payload=", "payload is blank"),
        ("application/x-www-form-urlencoded", b"payload=%7Bbad", "not valid JSON"),
        ("application/x-www-form-urlencoded", b"payload=%5B%5D", "not a JSON object"),
        ("application/json", b"", "body is blank"),
        ("application/json", b"[1]", "not a JSON object"),
        ("application/json", b"null", "not a JSON object"),
        ("application/json", b"{", "not valid JSON"),
        ("application/json", b'{"a": 1} trailing', "not valid JSON"),
        (None, b"", "no payload field"),
        ("image/jpeg", THUMB, "unsupported content type 'image/jpeg'"),
        ("text/plain", b"hello", "unsupported content type"),
    ],
)
def test_bad_bodies_say_what_is_wrong(content_type: str | None, body: bytes, message: str) -> None:
    with pytest.raises(BadPayload, match=message):
        payload_json(content_type, body)


def test_truncated_multipart_bodies_are_bad_payloads() -> None:
    body = multipart(thumb_part(), payload_part())
    for cut in [*range(0, 200, 7), *range(len(body) - 300, len(body) - 1, 11)]:
        truncated = body[:cut]
        try:
            result = payload_json(CONTENT_TYPE, truncated)
        except BadPayload:
            continue
        # Cutting only the closing delimiter's tail may still leave a complete payload part.
        assert result == PAYLOAD, cut


def test_payload_part_missing_its_closing_delimiter() -> None:
    body = (
        f"--{BOUNDARY}\r\n".encode() + b'Content-Disposition: form-data; name="payload"\r\n\r\n{}'
    )
    with pytest.raises(BadPayload, match="truncated"):
        payload_json(CONTENT_TYPE, body)


def test_delimiter_line_with_garbage_after_it() -> None:
    body = multipart(payload_part()).replace(
        f"--{BOUNDARY}\r\n".encode(), f"--{BOUNDARY}zz\r\n".encode()
    )
    with pytest.raises(BadPayload, match="delimiter line is malformed"):
        payload_json(CONTENT_TYPE, body)


def test_part_headers_too_long() -> None:
    body = f"--{BOUNDARY}\r\nX: {'a' * 20_000}\r\n\r\n{{}}\r\n--{BOUNDARY}--".encode()
    with pytest.raises(BadPayload, match="too long"):
        payload_json(CONTENT_TYPE, body)


def test_random_bytes_only_ever_raise_bad_payload() -> None:
    rng = random.Random(6)
    content_types = [
        CONTENT_TYPE,
        "multipart/form-data; boundary=a",
        "application/x-www-form-urlencoded",
        "application/json",
        None,
        "text/plain",
    ]
    valid = multipart(thumb_part(), payload_part())
    for _ in range(400):
        kind = rng.randrange(3)
        if kind == 0:
            body = rng.randbytes(rng.randrange(0, 600))
        elif kind == 1:  # a valid body with a few bytes flipped
            mutated = bytearray(valid)
            for _ in range(rng.randrange(1, 8)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            body = bytes(mutated)
        else:  # a valid body's head, tail or middle
            start = rng.randrange(len(valid))
            body = valid[start : start + rng.randrange(1, 4000)]
        for content_type in content_types:
            try:
                result = payload_json(content_type, body)
            except BadPayload:
                continue
            assert isinstance(result, dict)


# Plex sends two parts; the reader looks at no more than this many (MAX_PARTS).
PARTS_READ = 16


def test_the_payload_among_the_first_16_parts_is_found() -> None:
    others = [part(f"extra{i}", b"x") for i in range(PARTS_READ - 1)]
    assert payload_json(CONTENT_TYPE, multipart(*others, payload_part())) == PAYLOAD
    # Parts after the payload are never looked at.
    after = [part(f"extra{i}", b"x") for i in range(1000)]
    assert payload_json(CONTENT_TYPE, multipart(payload_part(), *after)) == PAYLOAD


@pytest.mark.parametrize("payload", [True, False])
def test_a_body_of_more_than_16_parts_before_its_payload_is_refused(payload: bool) -> None:
    """The payload as part 17, or 17 parts and no payload."""
    others = [part(f"extra{i}", b"") for i in range(PARTS_READ if payload else PARTS_READ + 1)]
    body = multipart(*others, *([payload_part()] if payload else []))
    with pytest.raises(BadPayload, match=f"more than {PARTS_READ} parts"):
        payload_json(CONTENT_TYPE, body)
