from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from stellarr.api.conditional import conditional_response
from stellarr.api.deps import ServicesDep, SessionDep, SettingsDep
from stellarr.api.schemas import RequestBody, RequestChange
from stellarr.domain import feeds
from stellarr.domain.models import MAX_TMDB_ID, MediaType, Monitor
from stellarr.services.snapshot import Snapshot

router = APIRouter()

TmdbIdPath = Annotated[int, Path(gt=0, le=MAX_TMDB_ID)]


@router.post("/api/request", status_code=201)
async def add_request(
    body: RequestBody, services: ServicesDep, session: SessionDep, settings: SettingsDep
) -> dict[str, object]:
    created = await services.media_requests.add(
        body.media_type,
        body.tmdb_id,
        session,
        body.monitor or Monitor.ALL,
        settings.season_choices,
    )
    return {"success": True, "message": f"Added {created.title} to requests"}


@router.get("/api/request/options")
async def request_options(settings: SettingsDep, session: SessionDep) -> dict[str, object]:
    """What a requester may choose; `season_choices` is empty while shows go whole."""
    return {"season_choices": [m.value for m in settings.season_choices]}


@router.patch("/api/request/{media_type}/{tmdb_id}")
async def change_request(
    media_type: MediaType,
    tmdb_id: TmdbIdPath,
    body: RequestChange,
    services: ServicesDep,
    session: SessionDep,
    settings: SettingsDep,
) -> dict[str, object]:
    changed = await services.media_requests.change_monitor(
        media_type, tmdb_id, body.monitor, session, settings.season_choices
    )
    return {"success": True, "request": changed.to_json()}


@router.delete("/api/request/{media_type}/{tmdb_id}")
async def remove_request(
    media_type: MediaType, tmdb_id: TmdbIdPath, services: ServicesDep, session: SessionDep
) -> dict[str, object]:
    await services.media_requests.remove(media_type, tmdb_id, session)
    return {"success": True, "message": "Request removed"}


@router.get("/api/requests")
async def list_requests(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    media_type: MediaType | None = None,
) -> Response:
    snapshot = await services.snapshots.current()
    key = f"requests:{media_type.value if media_type else 'all'}"
    rendered = snapshot.rendered(
        key,
        lambda s: feeds.dumps(
            {"requests": [r.to_json() for r in s.requests if media_type in (None, r.media_type)]}
        ),
    )
    return conditional_response(request, rendered, "application/json", "private, no-cache")


def _library_status(s: Snapshot) -> bytes:
    return feeds.dumps(
        {
            "library": {t.value: ids for t, ids in s.library.items()},
            "requests": [r.to_json() for r in s.pending],
        }
    )


@router.get("/api/library-status")
async def library_status(request: Request, services: ServicesDep, session: SessionDep) -> Response:
    snapshot = await services.snapshots.current()
    rendered = snapshot.rendered("library-status", _library_status)
    return conditional_response(request, rendered, "application/json", "private, no-cache")
