from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from stellarr.api.deps import ServicesDep, SessionDep
from stellarr.api.schemas import SearchBody

router = APIRouter()


def _language(request: Request) -> str | None:
    header = request.headers.get("accept-language", "")
    first = header.split(",", 1)[0].split(";", 1)[0].strip()
    return first if first and first != "*" and len(first) <= 35 and first.isascii() else None


@router.post("/api/search")
async def search(
    body: SearchBody, request: Request, services: ServicesDep, session: SessionDep
) -> dict[str, Any]:
    language = body.language or _language(request)
    return await services.search.search(body.query.strip(), body.media_type, body.page, language)
