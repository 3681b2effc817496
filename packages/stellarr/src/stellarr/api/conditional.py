"""Answers from pre-rendered bytes: content coding from Accept-Encoding, then ETag /
If-None-Match revalidation against the chosen representation.

This is the whole per-poll cost of a feed besides routing and the revision read, so the
response is assembled from header lines built once per representation.
"""

from __future__ import annotations

from functools import lru_cache

from fastapi import Request, Response
from starlette.types import Scope

from stellarr.domain.content_coding import IDENTITY, negotiate
from stellarr.services.snapshot import Rendered

RawHeaders = tuple[tuple[bytes, bytes], ...]


def etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    candidates = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in candidates or etag in candidates


def _conditional_headers(scope: Scope) -> tuple[str | None, str | None]:
    """(Accept-Encoding, If-None-Match), each with repeated lines joined as one list."""
    accept: bytes | None = None
    if_none_match: bytes | None = None
    for name, value in scope["headers"]:
        if name == b"accept-encoding":
            accept = value if accept is None else accept + b"," + value
        elif name == b"if-none-match":
            if_none_match = value if if_none_match is None else if_none_match + b"," + value
    return (
        None if accept is None else accept.decode("latin-1"),
        None if if_none_match is None else if_none_match.decode("latin-1"),
    )


@lru_cache(maxsize=256)
def _head(
    etag: str, coding: str, length: int | None, media_type: str, cache_control: str
) -> RawHeaders:
    # Vary on every answer, the plain ones and 304s included: a shared cache must not hand
    # a plain body it stored to a client that asked for gzip, or the reverse.
    lines = [
        (b"etag", etag.encode("latin-1")),
        (b"cache-control", cache_control.encode("latin-1")),
        (b"vary", b"Accept-Encoding"),
    ]
    if length is not None:  # None: a 304, which carries neither body nor its metadata
        lines.append((b"content-length", str(length).encode("latin-1")))
        lines.append((b"content-type", media_type.encode("latin-1")))
        if coding != IDENTITY:
            lines.append((b"content-encoding", coding.encode("latin-1")))
    return tuple(lines)


class _Prepared(Response):
    """A Response from finished header lines; Starlette's constructor would rebuild them."""

    def __init__(self, status_code: int, body: bytes, head: RawHeaders) -> None:
        self.status_code = status_code
        self.body = body
        self.background = None
        # A fresh list each time: middleware may append to a response's header list.
        self.raw_headers = list(head)


def conditional_response(
    request: Request, rendered: Rendered, media_type: str, cache_control: str
) -> Response:
    accept, if_none_match = _conditional_headers(request.scope)
    chosen = rendered.encoded(negotiate(accept))
    # Only the chosen representation's ETag counts (RFC 9110 §13.1.2): a client holding the
    # plain body must not get a 304 that tells it to keep serving that as gzip.
    if etag_matches(if_none_match, chosen.etag):
        head = _head(chosen.etag, chosen.coding, None, media_type, cache_control)
        return _Prepared(304, b"", head)
    head = _head(chosen.etag, chosen.coding, len(chosen.body), media_type, cache_control)
    return _Prepared(200, chosen.body, head)
