"""`GET /{trending,popular,upcoming}-{type}-{locale}.json`: the warmed home lists of a
self-hosted instance, with the headers a CDN would give the same files from S3 (public, an
hour), an ETag and gzip."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response

from stellarr.api.conditional import conditional_response
from stellarr.domain.errors import NotFound
from stellarr.domain.trending import CACHE_CONTROL, LISTS, MEDIA_TYPE
from stellarr.services.container import Services

router = APIRouter()


def _route(list_name: str) -> Callable[[Request], Awaitable[Response]]:
    kinds = ", ".join(kind for name, kind in LISTS if name == list_name)

    async def serve(request: Request) -> Response:
        # Public and the same for everyone: no session, no store. Like the feeds, the route
        # reads what it needs from the request itself: FastAPI's dependency solving would
        # be most of a request's cost here.
        services: Services = request.app.state.services
        params = request.path_params
        rendered = services.trending_files.get(list_name, params["kind"], params["locale"])
        if rendered is None:
            raise NotFound(f"No such {list_name} list (types: {kinds}; a warmed locale)")
        return conditional_response(request, rendered, MEDIA_TYPE, CACHE_CONTROL)

    serve.__name__ = f"{list_name}_list"
    return serve


for _name in dict.fromkeys(name for name, _ in LISTS):
    router.add_api_route(
        f"/{_name}-{{kind}}-{{locale}}.json",
        _route(_name),
        methods=["GET"],
        include_in_schema=False,
    )
