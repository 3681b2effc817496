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
from stellarr.domain.errors import BadRequest, NotFound
from stellarr.domain.feeds import TMDB_WEB
from stellarr.domain.models import Monitor
from stellarr.services.feeds import FEEDS, SONARR_MONITOR_OPTION, Edition, Feed
from stellarr.settings import Settings

router = APIRouter()


def check_feed_token(request: Request, settings: Settings) -> None:
    if settings.feed_token:
        check_query_token(
            request, settings.feed_token, "This feed needs ?token=", "Wrong feed token"
        )


def season_list(request: Request, lists: tuple[Monitor, ...]) -> Monitor:
    """The `?monitor=` list asked for. One the admin has not set up is a 404, never an empty
    list: Sonarr shows the error, where an empty list would look like nothing to add."""
    raw = request.query_params.get("monitor")
    if raw is None or raw == Monitor.ALL:
        return Monitor.ALL
    try:
        monitor = Monitor(raw)
    except ValueError:
        raise BadRequest("monitor must be one of first, latest, future (or left out)") from None
    if monitor not in lists:
        raise NotFound(
            f"The {monitor.value!r} list is not set up: add {monitor.value} to "
            "SONARR_SEASON_LISTS, or use /list/sonarr"
        )
    return monitor


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
        edition = Edition(site)
        if feed.by_season:
            lists = settings.sonarr_season_lists
            edition = Edition(site, season_list(request, lists), lists)
        rendered = snapshot.rendered(edition.cache_key(feed.key), lambda s: feed.build(s, edition))
        return conditional_response(request, rendered, feed.media_type, "no-cache")

    serve.__name__ = f"feed_{feed.key}"
    return serve


# Read by hand in the route (the dependencies cost a quarter of a poll), so declared here for
# the schema.
_TOKEN = query_parameter("token", "FEED_TOKEN, when it is set", required=False)
_MONITOR = query_parameter(
    "monitor",
    "The season choice's list (one of SONARR_SEASON_LISTS); left out, shows requested whole",
    tuple(m.value for m in Monitor),
    required=False,
)
FEED_DOCS: dict[str, object] = {"parameters": [_TOKEN]}
SEASON_FEED_DOCS: dict[str, object] = {"parameters": [_TOKEN, _MONITOR]}
for _feed in FEEDS:
    router.add_api_route(
        _feed.path,
        _endpoint(_feed),
        methods=["GET"],
        openapi_extra=SEASON_FEED_DOCS if _feed.by_season else FEED_DOCS,
    )


def _listed(feed: Feed, lists: tuple[Monitor, ...]) -> list[tuple[str, str, str, str, str]]:
    """(key, path, name, description, setup) of each list a feed publishes."""
    if not (feed.by_season and lists):
        return [(feed.key, feed.path, feed.name, feed.description, feed.setup)]
    return [
        (
            f"{feed.key}_{monitor.value}",
            feed.path if monitor is Monitor.ALL else f"{feed.path}?monitor={monitor.value}",
            f"{feed.name}: {monitor.value}",
            "Pending shows requested whole"
            if monitor is Monitor.ALL
            else f"Pending shows requested with the {monitor.value!r} season choice",
            f"{feed.setup} Monitor: {SONARR_MONITOR_OPTION[monitor]}.",
        )
        for monitor in (Monitor.ALL, *lists)
    ]


@router.get("/api/feeds")
async def list_feeds(
    request: Request, settings: SettingsDep, session: SessionDep
) -> dict[str, object]:
    base = site_url(request, settings)
    token = ""
    if settings.feed_token:
        # Only admins see the real token; anyone else sees where it goes.
        token = "token=" + (settings.feed_token if session.is_admin else "YOUR_FEED_TOKEN")
    lists = settings.sonarr_season_lists

    def url(path: str) -> str:
        if not token:
            return f"{base}{path}"
        return f"{base}{path}{'&' if '?' in path else '?'}{token}"

    return {
        "token_required": bool(settings.feed_token),
        "season_lists": [m.value for m in lists],
        "feeds": {
            key: {
                "name": name,
                "description": description,
                "url": url(path),
                "format": feed.format,
                "setup": setup,
            }
            for feed in FEEDS
            for key, path, name, description, setup in _listed(feed, lists)
        },
    }
