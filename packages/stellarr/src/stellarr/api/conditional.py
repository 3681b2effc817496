"""Answers from pre-rendered bytes, with ETag / If-None-Match revalidation."""

from __future__ import annotations

from fastapi import Request, Response

from stellarr.services.snapshot import Rendered


def etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    candidates = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in candidates or etag in candidates


def conditional_response(
    request: Request, rendered: Rendered, media_type: str, cache_control: str
) -> Response:
    headers = {"ETag": rendered.etag, "Cache-Control": cache_control}
    if etag_matches(request.headers.get("if-none-match"), rendered.etag):
        return Response(status_code=304, headers=headers)
    return Response(rendered.body, media_type=media_type, headers=headers)
