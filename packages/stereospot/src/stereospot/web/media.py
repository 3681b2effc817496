"""Signed local media links (the service makes them; S3 presigns its own).

A link works only with the owner's session as well as a valid, unexpired signature: a link
that leaks is useless to anyone else. Files are served with byte ranges (Starlette's
FileResponse), so the browser's player can seek; `?download=1` makes it an attachment
named for VR players (`clip_Half_SBS_LR.mp4`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from stereospot.web.deps import SessionDep, WebDep

router = APIRouter()


@router.get("/media/{job_id}/{what}", operation_id="media_file")
async def media_file(
    job_id: str,
    what: str,
    session: SessionDep,
    web: WebDep,
    expires: Annotated[int, Query()],
    signature: Annotated[str, Query(max_length=128)],
    download: bool = False,
) -> FileResponse:
    # Ownership first: another user's job is a 404, like one that does not exist.
    await web.call(web.service.detail, session.user, job_id)
    media = await web.call(web.service.open_media, job_id, what, expires, signature)
    return FileResponse(
        media.path,
        media_type=media.content_type,
        filename=media.filename,
        content_disposition_type="attachment" if download else "inline",
        headers={"cache-control": "private, max-age=300"},
    )
