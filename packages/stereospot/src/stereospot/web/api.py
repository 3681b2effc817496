"""The JSON API the pages' scripts call. Every route needs a session; writes need the
session's X-CSRF-Token. Errors are `{"detail": ...}`."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from stereospot.errors import InvalidInput, NotFound
from stereospot.ports import UploadedPart
from stereospot.service import MEDIA
from stereospot.web import events
from stereospot.web.body_limits import BodyTooLarge
from stereospot.web.deps import ApiSessionDep, WebDep, json_body
from stereospot.web.schemas import (
    Completion,
    NewJob,
    Rerun,
    detail_json,
    job_json,
    part_json,
    upload_json,
)  # fmt: skip

router = APIRouter(prefix="/api")
_UPLOAD_ID = re.compile(r"[A-Za-z0-9._~-]{1,256}")

JobId = Annotated[str, Path(max_length=64)]
PartNumber = Annotated[int, Path(ge=1, le=10000)]
PartSize = Annotated[int, Query(ge=1, description="the part's exact size in bytes")]
# Read after the session check, never as FastAPI body parameters (read before it).
NewJobBody = Annotated[NewJob, json_body(NewJob)]
CompletionBody = Annotated[Completion, json_body(Completion)]
RerunBody = Annotated[Rerun, json_body(Rerun)]


def upload_id_ok(upload_id: str) -> str:
    if not _UPLOAD_ID.fullmatch(upload_id):
        raise NotFound("no such upload")
    return upload_id


@router.get("/jobs", operation_id="list_jobs")
async def list_jobs(session: ApiSessionDep, web: WebDep) -> dict[str, Any]:
    running = await web.call(web.service.list_in_progress, session.user)
    attention = await web.call(web.service.list_needing_attention, session.user)
    done = await web.call(web.service.list_completed, session.user)
    return {
        "in_progress": [job_json(j) for j in running],
        "needs_attention": [job_json(j) for j in attention],
        "completed": [job_json(j) for j in done],
    }


@router.post("/jobs", status_code=201, operation_id="create_job")
async def create_job(session: ApiSessionDep, body: NewJobBody, web: WebDep) -> dict[str, Any]:
    params = body.model_dump(exclude={"filename"})
    job = await web.call(web.service.create_job, session.user, body.filename, params)
    return job_json(job)


@router.get("/jobs/{job_id}", operation_id="job_detail")
async def job_detail(job_id: JobId, session: ApiSessionDep, web: WebDep) -> dict[str, Any]:
    return detail_json(await web.call(web.service.detail, session.user, job_id))


@router.get("/jobs/{job_id}/events", operation_id="job_events")
async def job_events(
    job_id: JobId, request: Request, session: ApiSessionDep, web: WebDep, after: int = 0
) -> Response:
    # Ask once before streaming, so a foreign or missing job is a plain 404.
    await web.call(web.service.detail, session.user, job_id)
    return events.stream(web, session.user, job_id, after)


@router.get("/jobs/{job_id}/media/{what}", operation_id="media_link")
async def media_link(
    job_id: JobId, what: str, session: ApiSessionDep, web: WebDep
) -> dict[str, Any]:
    if what not in MEDIA:
        raise NotFound("no such media")
    link = await web.call(web.service.media_link, session.user, job_id, what)
    return {"url": link.url, "expires_at": link.expires_at}


@router.post("/jobs/{job_id}/rerun", status_code=201, operation_id="rerun_job")
async def rerun(
    job_id: JobId, session: ApiSessionDep, body: RerunBody, web: WebDep
) -> dict[str, Any]:
    # A null is "leave it as it was", except for the model, where it means "none", and the
    # test render's start, where it means "the whole film".
    sent = body.model_dump(exclude_unset=True)
    changes = {k: v for k, v in sent.items() if v is not None or k in ("model", "trial_start")}
    return job_json(await web.call(web.service.rerun, session.user, job_id, changes))


@router.post("/jobs/{job_id}/retry", operation_id="retry_job")
async def retry(job_id: JobId, session: ApiSessionDep, web: WebDep) -> dict[str, Any]:
    return job_json(await web.call(web.service.retry, session.user, job_id))


@router.post("/jobs/{job_id}/cancel", operation_id="cancel_job")
async def cancel(job_id: JobId, session: ApiSessionDep, web: WebDep) -> dict[str, Any]:
    return job_json(await web.call(web.service.cancel, session.user, job_id))


@router.delete("/jobs/{job_id}", status_code=204, operation_id="delete_job")
async def delete(job_id: JobId, session: ApiSessionDep, web: WebDep) -> Response:
    await web.call(web.service.delete, session.user, job_id)
    return Response(status_code=204)


# uploads -------------------------------------------------------------------------------
@router.post("/jobs/{job_id}/uploads", status_code=201, operation_id="start_upload")
async def start_upload(job_id: JobId, session: ApiSessionDep, web: WebDep) -> dict[str, Any]:
    return upload_json(await web.call(web.service.start_upload, session.user, job_id))


@router.get("/jobs/{job_id}/uploads/{upload_id}/parts", operation_id="uploaded_parts")
async def uploaded_parts(
    job_id: JobId, upload_id: str, session: ApiSessionDep, web: WebDep
) -> dict[str, Any]:
    upload_id_ok(upload_id)
    parts = await web.call(web.service.uploaded_parts, session.user, job_id, upload_id)
    return {"parts": [part_json(p) for p in parts]}


@router.get("/jobs/{job_id}/uploads/{upload_id}/parts/{number}/url", operation_id="part_url")
async def part_url(
    job_id: JobId,
    upload_id: str,
    number: PartNumber,
    size: PartSize,
    session: ApiSessionDep,
    web: WebDep,
) -> dict[str, Any]:
    """A URL for PUTting exactly `size` bytes (S3 refuses any other length), or null."""
    upload_id_ok(upload_id)
    url = await web.call(web.service.part_url, session.user, job_id, upload_id, number, size)
    return {"url": url}


@router.put("/jobs/{job_id}/uploads/{upload_id}/parts/{number}", operation_id="upload_part")
async def upload_part(
    job_id: JobId,
    upload_id: str,
    number: PartNumber,
    request: Request,
    session: ApiSessionDep,
    web: WebDep,
) -> dict[str, Any]:
    upload_id_ok(upload_id)
    # The same 413 as body_limits gives for its cap, declared or counted, whichever
    # notices first (this one follows the service's part size where it is set lower).
    limit = web.service.part_size
    declared = request.headers.get("content-length")
    size = int(declared) if declared is not None and declared.isdigit() else 1
    if size > limit:
        raise BodyTooLarge(limit)
    # A part past the upload's or the user's limit is refused before it is read.
    await web.call(web.service.admit_part, session.user, job_id, number, size)
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise BodyTooLarge(limit)
    if not data:
        raise InvalidInput("the part is empty")
    part = await web.call(
        web.service.upload_part, session.user, job_id, upload_id, number, bytes(data)
    )
    return part_json(part)


@router.post("/jobs/{job_id}/uploads/{upload_id}/complete", operation_id="complete_upload")
async def complete_upload(
    job_id: JobId, upload_id: str, session: ApiSessionDep, body: CompletionBody, web: WebDep
) -> dict[str, Any]:
    upload_id_ok(upload_id)
    parts = None
    if body.parts is not None:
        parts = [UploadedPart(p.number, p.etag, p.size) for p in body.parts]
    job = await web.call(web.service.complete_upload, session.user, job_id, upload_id, parts)
    return job_json(job)
