"""`GET /api/title/{type}/{id}`: what the SPA's title page shows, read-only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from stellarr.api.deps import ServicesDep, SessionDep
from stellarr.domain.models import MAX_TMDB_ID, MediaType
from stellarr.domain.title_page import DEFAULT_LANGUAGE, Language, TitlePage

router = APIRouter()

TmdbIdPath = Annotated[int, Path(gt=0, le=MAX_TMDB_ID)]
LanguageQuery = Annotated[
    Language, Query(description="the UI's language, for TMDB's titles, overviews and names")
]


@router.get(
    "/api/title/{media_type}/{tmdb_id}",
    responses={
        404: {"description": "TMDB has no such title"},
        503: {"description": "TMDB is not set up"},
    },
)
async def title(
    media_type: MediaType,
    tmdb_id: TmdbIdPath,
    services: ServicesDep,
    session: SessionDep,
    language: LanguageQuery = DEFAULT_LANGUAGE,
) -> TitlePage:
    return await services.titles.page(media_type, tmdb_id, language)
