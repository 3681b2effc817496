"""The JSON object inside a webhook body, whichever way the sender wrapped it.

Plex posts `multipart/form-data` with a `payload` field (JSON) and often a JPEG `thumb` part,
in either order. Emby's multipart option names the field `data`. People testing with curl
send urlencoded forms or bare JSON. All of these are read here, and anything else is a
`BadPayload` that says what is wrong; no other exception escapes, whatever the bytes.

The multipart reader only searches for delimiters (`bytes.find`) and slices out the JSON
part, so a large thumb is skipped over without being copied or decoded. It reads at most
`MAX_PARTS` parts: Plex sends two, and each part costs a turn of a Python loop, so a body of
a few hundred thousand empty parts would otherwise hold the event loop for seconds.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any
from urllib.parse import parse_qsl

from stellarr.domain.library_events import BadPayload

# Field names in order of preference: Plex's, then Emby's multipart option.
PAYLOAD_FIELDS = ("payload", "data")
MAX_PARTS = 16
_MAX_BOUNDARY = 200
_MAX_PART_HEADERS = 16 * 1024
_MAX_SHOWN = 60
_PARAM_NAME = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_PARAM = re.compile(rf';\s*({_PARAM_NAME})\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)', re.S)
_QUOTED_PAIR = re.compile(r"\\(.)", re.S)
_LEADING_SPACE = re.compile(rb"[ \t\r\n]*")


def payload_json(content_type: str | None, body: bytes) -> dict[str, Any]:
    """The webhook's JSON object; `BadPayload` when there is none to be had."""
    media_type, params = _parse_header_value(content_type or "")
    if media_type == "multipart/form-data":
        return _json_object(_multipart_field(params.get("boundary"), body), "payload")
    if _looks_like_json_object(body):
        # Covers application/json, no content type, and `curl -d '{...}'` (sent urlencoded).
        return _json_object(body, "body")
    if media_type in ("", "application/x-www-form-urlencoded"):
        return _json_object(_form_field(body), "payload")
    if media_type in ("application/json", "text/json") or media_type.endswith("+json"):
        return _json_object(body, "body")
    raise BadPayload(f"unsupported content type {_shown(media_type)}")


def _shown(text: str) -> str:
    """User input quoted in an error message: printable and short."""
    return repr(text[:_MAX_SHOWN])


def _parse_header_value(value: str) -> tuple[str, dict[str, str]]:
    """("multipart/form-data", {"boundary": "x"}) from a Content-Type-like header value."""
    head, _, _ = value.partition(";")
    params: dict[str, str] = {}
    for match in _PARAM.finditer(value, len(head)):
        raw = match[2].strip()
        if raw.startswith('"'):
            raw = _QUOTED_PAIR.sub(r"\1", raw[1:-1])
        params.setdefault(match[1].lower(), raw)
    return head.strip().lower(), params


def _looks_like_json_object(body: bytes) -> bool:
    start = len(codecs.BOM_UTF8) if body.startswith(codecs.BOM_UTF8) else 0
    end = _LEADING_SPACE.match(body, start)
    offset = end.end() if end else start
    return body[offset : offset + 1] == b"{"


def _json_object(raw: bytes | str, what: str) -> dict[str, Any]:
    if isinstance(raw, str):
        raw = raw.removeprefix("\ufeff")
    if not raw.strip():
        raise BadPayload(f"{what} is blank")
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        # ValueError covers JSONDecodeError, bad UTF-8 and over-long integers.
        raise BadPayload(f"{what} is not valid JSON") from None
    if not isinstance(value, dict):
        raise BadPayload(f"{what} is not a JSON object")
    return value


def _form_field(body: bytes) -> str:
    fields = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    for wanted in PAYLOAD_FIELDS:
        for name, value in fields:
            if name == wanted:
                return value
    raise BadPayload("form has no payload field")


def _multipart_field(boundary: str | None, body: bytes) -> bytes:
    if not boundary:
        raise BadPayload("multipart body without a boundary")
    if len(boundary) > _MAX_BOUNDARY or not boundary.isascii() or not boundary.isprintable():
        raise BadPayload("multipart boundary is malformed")
    delimiter = b"--" + boundary.encode("ascii")
    next_delimiter = b"\r\n" + delimiter
    if body.startswith(delimiter):
        position = 0
    else:
        position = body.find(next_delimiter)
        if position < 0:
            raise BadPayload("multipart body does not contain its boundary")
        position += 2
    fallback: tuple[int, int] | None = None
    parts = 0
    while True:
        after = position + len(delimiter)
        if body.startswith(b"--", after):
            break  # the closing delimiter
        parts += 1
        if parts > MAX_PARTS:
            raise BadPayload(f"multipart body has more than {MAX_PARTS} parts")
        line_end = body.find(b"\r\n", after)
        if line_end < 0:
            raise BadPayload("multipart body is truncated")
        if body[after:line_end].strip(b" \t"):
            raise BadPayload("multipart delimiter line is malformed")
        headers_end = body.find(b"\r\n\r\n", line_end, line_end + _MAX_PART_HEADERS)
        if headers_end < 0:
            raise BadPayload("multipart part headers are truncated or too long")
        content_start = headers_end + 4
        content_end = body.find(next_delimiter, content_start)
        if content_end < 0:
            raise BadPayload("multipart body is truncated")
        name = _part_name(body[line_end + 2 : headers_end])
        if name == PAYLOAD_FIELDS[0]:
            return body[content_start:content_end]  # first one wins
        if name in PAYLOAD_FIELDS and fallback is None:
            fallback = (content_start, content_end)
        position = content_end + 2
    if fallback is not None:
        return body[fallback[0] : fallback[1]]
    raise BadPayload("multipart body has no payload field")


def _part_name(headers: bytes) -> str | None:
    for line in headers.decode("utf-8", "replace").split("\r\n"):
        header, colon, value = line.partition(":")
        if colon and header.strip().lower() == "content-disposition":
            return _parse_header_value(value)[1].get("name")
    return None
