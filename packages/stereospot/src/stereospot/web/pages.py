"""Server-rendered pages. Forms post urlencoded with the session's CSRF token; actions
answer with a redirect (303) so that reloading never repeats them."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import RedirectResponse

from stereospot.engine.comfort_limits import BEHIND_LIMIT_PCT, FRONT_LIMIT_PCT
from stereospot.engine.model_names import installed
from stereospot.errors import InvalidInput, NotFound
from stereospot.jobs.comfort_summary import comfort_summary
from stereospot.jobs.keys import SOURCE_EXTENSIONS
from stereospot.jobs.models import ACTIVE, FINISHED, FORMATS, TRIAL_SECONDS, JobStatus
from stereospot.service import JobService
from stereospot.web.auth import COOKIE
from stereospot.web.deps import (
    FormDep,
    FormSessionDep,
    LoginClientDep,
    SessionDep,
    Web,
    WebDep,
    check_origin,
    page_context,
)  # fmt: skip
from stereospot.web.errors import Forbidden
from stereospot.web.filters import parse_clock

router = APIRouter()
JobId = Annotated[str, Path(max_length=64)]
FORMAT_LABELS = {
    "half-sbs": "Half side-by-side (most VR players)",
    "full-sbs": "Full side-by-side",
    "half-tb": "Half top-bottom",
    "full-tb": "Full top-bottom",
    "anaglyph": "Anaglyph (red/cyan glasses)",
}
BROWSER_PLAYABLE = frozenset({"mp4", "m4v", "webm", "mov"})
# Where each eye is in a packed frame, for the page's anaglyph and wiggle views.
VIEWER_LAYOUTS = {
    "half-sbs": "sbs-half",
    "full-sbs": "sbs-full",
    "half-tb": "tb-half",
    "full-tb": "tb-full",
}
# The comfort limits the forms warn past: parallax, % of the width, in front and behind.
COMFORT_LIMITS = (FRONT_LIMIT_PCT, BEHIND_LIMIT_PCT)


def _local_target(target: str | None) -> str:
    """Only paths on this site: never `//host`, `/\\host` or a full URL."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    templates = request.app.state.web.templates
    return templates.TemplateResponse(request, name, context, status_code=status)  # type: ignore[no-any-return]


@router.get("/login", operation_id="login_page")
async def login_page(request: Request, web: WebDep, next: str = "/") -> Response:
    if web.auth.verify(request.cookies.get(COOKIE), web.clock()) is not None:
        return RedirectResponse(_local_target(next), status_code=303)
    context = page_context(request, None, next=_local_target(next), token_file=web.token_file)
    return _render(request, "login.html", context)


@router.post("/login", operation_id="login")
async def login(
    request: Request, web: WebDep, client: LoginClientDep, form: FormDep
) -> Response:  # the client before the form: its try is counted before its bytes are read
    check_origin(request)
    name, token = form.get("name", "").strip(), form.get("token", "")
    target = _local_target(form.get("next"))
    user = web.auth.check(name, token)
    if user is None:
        context = page_context(request, None, next=target, name=name, token_file=web.token_file,
                               error="That name and token do not match.")  # fmt: skip
        return _render(request, "login.html", context, status=401)
    web.logins.succeeded(client)  # this try's slot; earlier failures stay counted
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        web.auth.issue(user, web.clock()),
        max_age=web.auth.session_seconds,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout", operation_id="logout")
async def logout(session: FormSessionDep) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")
    return response


async def _lists(web: Web, user: str) -> dict[str, Any]:
    lists = {
        "attention": await web.call(web.service.list_needing_attention, user),
        "running": await web.call(web.service.list_in_progress, user),
        "done": await web.call(web.service.list_completed, user),
    }
    # What the lists show changes only with a job's version: the page compares this before
    # swapping its lists (and so keeps the focus where nothing changed).
    shown = [(j.job_id, j.version) for jobs in lists.values() for j in jobs]
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()[:16]
    return {**lists, "labels": FORMAT_LABELS, "active_statuses": ACTIVE, "lists_digest": digest}


@router.get("/jobs/lists", operation_id="job_lists")
async def job_lists(request: Request, session: SessionDep, web: WebDep) -> Response:
    """The home page's three lists alone, which the page fetches again to stay current."""
    context = page_context(request, session, **await _lists(web, session.user))
    response = _render(request, "_job_lists.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/", operation_id="home")
async def home(request: Request, session: SessionDep, web: WebDep) -> Response:
    lists = await _lists(web, session.user)
    # The models this machine's workers can load; a deployment whose workers run elsewhere
    # lists what its own model folder holds.
    models = installed(web.service.settings.model_dir)
    context = page_context(
        request, session, **lists, formats=FORMATS,
        extensions=",".join(f".{e}" for e in sorted(SOURCE_EXTENSIONS)), models=models,
        limits=COMFORT_LIMITS, trial_seconds=TRIAL_SECONDS,
    )  # fmt: skip
    return _render(request, "index.html", context)


def _link(service: JobService, user: str, job_id: str, what: str) -> str | None:
    try:
        return service.media_link(user, job_id, what).url
    except NotFound:
        return None


def _links(
    service: JobService, user: str, job_id: str, final: bool, uploaded: bool, ext: str
) -> dict[str, str | None]:
    """Signed links for the page: the result, its preview still, and (as a thumbnail while
    there is no preview) the source when a browser can show it."""
    links: dict[str, str | None] = {
        "final": None,
        "download": None,
        "preview": None,
        "depth": None,
        "source": None,
    }
    if final:
        links["final"] = _link(service, user, job_id, "final")
        url = links["final"]
        if url is not None:
            links["download"] = url + "&download=1" if url.startswith("/") else url
    links["preview"] = _link(service, user, job_id, "preview")
    links["depth"] = _link(service, user, job_id, "depth")
    if links["preview"] is None and uploaded and ext in BROWSER_PLAYABLE:
        links["source"] = _link(service, user, job_id, "source")
    return links


@router.get("/jobs/{job_id}", operation_id="job_page")
async def job_page(job_id: JobId, request: Request, session: SessionDep, web: WebDep) -> Response:
    detail = await web.call(web.service.detail, session.user, job_id)
    job = detail.job
    links = await web.call(
        _links, web.service, session.user, job_id, detail.final_ready,
        job.status != JobStatus.CREATED, job.source_ext,
    )  # fmt: skip
    comfort = comfort_summary(job.report, float(job.params.get("divergence", 2.0)))
    context = page_context(
        request, session, detail=detail, job=job, links=links, labels=FORMAT_LABELS,
        finished=job.status in FINISHED, waiting_upload=job.status == JobStatus.CREATED,
        comfort=comfort, formats=FORMATS, models=installed(web.service.settings.model_dir),
        limits=COMFORT_LIMITS, trial_seconds=TRIAL_SECONDS, layout=VIEWER_LAYOUTS.get(
            str(job.params.get("format", ""))),
    )  # fmt: skip
    return _render(request, "job.html", context)


@router.post("/jobs/{job_id}/rerun", operation_id="rerun_page")
async def rerun(job_id: JobId, session: FormSessionDep, form: FormDep, web: WebDep) -> Response:
    depth, _, model = form.get("depth", "classical:").partition(":")
    changes: dict[str, object] = {
        "format": form.get("format", ""),
        "depth": depth,
        "model": model or None,
    }
    try:
        changes["divergence"] = float(form.get("divergence", ""))
        if form.get("convergence"):
            changes["convergence"] = float(form["convergence"])
    except ValueError:
        raise InvalidInput("strength and convergence must be numbers") from None
    try:
        # Empty: the whole film; a time (1:05, or seconds): a test render from there.
        changes["trial_start"] = parse_clock(form.get("trial_start", ""))
    except ValueError:
        raise InvalidInput("a test render starts at a time like 1:05, or in seconds") from None
    again = await web.call(web.service.rerun, session.user, job_id, changes)
    return RedirectResponse(f"/jobs/{again.job_id}", status_code=303)


@router.post("/jobs/{job_id}/retry", operation_id="retry_page")
async def retry(job_id: JobId, session: FormSessionDep, web: WebDep) -> Response:
    await web.call(web.service.retry, session.user, job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.post("/jobs/{job_id}/cancel", operation_id="cancel_page")
async def cancel(job_id: JobId, session: FormSessionDep, web: WebDep) -> Response:
    await web.call(web.service.cancel, session.user, job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.get("/jobs/{job_id}/delete", operation_id="confirm_delete")
async def confirm_delete(
    job_id: JobId, request: Request, session: SessionDep, web: WebDep
) -> Response:
    detail = await web.call(web.service.detail, session.user, job_id)
    return _render(request, "delete.html", page_context(request, session, job=detail.job))


@router.post("/jobs/{job_id}/delete", operation_id="delete_page")
async def delete(job_id: JobId, session: FormSessionDep, web: WebDep, form: FormDep) -> Response:
    if form.get("confirm") != "yes":
        raise Forbidden("deleting needs the confirmation")
    await web.call(web.service.delete, session.user, job_id)
    return RedirectResponse("/", status_code=303)
