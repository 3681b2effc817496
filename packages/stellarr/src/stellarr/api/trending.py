"""`GET /trending-{type}-{locale}.json`: the warmed lists of a self-hosted instance, with the
headers a CDN would give the same files from S3 (public, an hour), an ETag and gzip."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from stellarr.api.conditional import conditional_response
from stellarr.domain.errors import NotFound
from stellarr.domain.trending import CACHE_CONTROL, MEDIA_TYPE
from stellarr.services.container import Services

router = APIRouter()


@router.get("/trending-{kind}-{locale}.json", include_in_schema=False)
async def trending(request: Request) -> Response:
    # Public and the same for everyone: no session, no store. Like the feeds, the route
    # reads what it needs from the request itself: FastAPI's dependency solving would be
    # most of a request's cost here.
    services: Services = request.app.state.services
    params = request.path_params
    rendered = services.trending_files.get(params["kind"], params["locale"])
    if rendered is None:
        raise NotFound("No such trending list (types: all, movie, tv; a warmed locale)")
    return conditional_response(request, rendered, MEDIA_TYPE, CACHE_CONTROL)
