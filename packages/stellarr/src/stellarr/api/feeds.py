"""Import lists for Radarr and Sonarr. No bearer auth: *arr apps only know a URL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response

from stellarr.api.conditional import conditional_response
from stellarr.api.deps import (
    SessionDep,
    SettingsDep,
    check_query_token,
    get_services,
    get_settings,
    query_parameter,
    site_url,
)
from stellarr.domain.feeds import TMDB_WEB
from stellarr.services.feeds import FEEDS, Feed
from stellarr.settings import Settings

router = APIRouter()


def check_feed_token(request: Request, settings: Settings) -> None:
    if settings.feed_token:
        check_query_token(
            request, settings.feed_token, "This feed needs ?token=", "Wrong feed token"
        )


def _endpoint(feed: Feed) -> Callable[..., Awaitable[Response]]:
    async def serve(request: Request) -> Response:
        # The dependencies called directly, not declared: FastAPI's dependency solving was a
        # quarter of a poll's CPU (docs/benchmarks.md), and the feeds are the hot path.
        services = await get_services(request)
        settings = await get_settings(services)
        check_feed_token(request, settings)
        # A failure here must be a 5xx: an empty 200 makes Radarr unmonitor everything.
        snapshot = await services.snapshots.current()
        # Never the Host header: each new Host would render and keep another copy.
        site = settings.public_url or TMDB_WEB
        rendered = snapshot.rendered(f"{feed.key}|{site}", lambda s: feed.build(s, site))
        return conditional_response(request, rendered, feed.media_type, "no-cache")

    serve.__name__ = f"feed_{feed.key}"
    return serve


# Read by hand in the route (the dependencies cost a quarter of a poll), so declared here for
# the schema.
FEED_DOCS: dict[str, object] = {
    "parameters": [query_parameter("token", "FEED_TOKEN, when it is set", required=False)]
}
for _feed in FEEDS:
    router.add_api_route(_feed.path, _endpoint(_feed), methods=["GET"], openapi_extra=FEED_DOCS)


@router.get("/api/feeds")
async def list_feeds(
    request: Request, settings: SettingsDep, session: SessionDep
) -> dict[str, object]:
    base = site_url(request, settings)
    query = ""
    if settings.feed_token:
        # Only admins see the real token; anyone else sees where it goes.
        query = "?token=" + (settings.feed_token if session.is_admin else "YOUR_FEED_TOKEN")
    return {
        "token_required": bool(settings.feed_token),
        "feeds": {
            feed.key: {
                "name": feed.name,
                "description": feed.description,
                "url": f"{base}{feed.path}{query}",
                "format": feed.format,
                "setup": feed.setup,
            }
            for feed in FEEDS
        },
    }
