"""The application service: ownership, uploads, lists, actions, signed media links."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from stereospot.errors import Conflict, InvalidInput, NotFound
from stereospot.jobs.models import JobStatus
from stereospot.ports import ObjectRef
from stereospot_testing.backends import Harness
from stereospot_testing.pipeline import make_app, submit
from stereospot_testing.videos import make_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("clips") / "clip.mp4", seconds=3, gop=24)


def test_another_users_job_and_media_are_unreachable(harness: Harness, clip: Path) -> None:
    app = make_app(harness)
    service = app.service
    job = submit(app, clip)
    app.drain()
    assert service.detail("ann", job.job_id).job.status == JobStatus.COMPLETED
    for call in (
        lambda: service.detail("bob", job.job_id),
        lambda: service.media_link("bob", job.job_id),
        lambda: service.retry("bob", job.job_id),
        lambda: service.cancel("bob", job.job_id),
        lambda: service.delete("bob", job.job_id),
        lambda: service.start_upload("bob", job.job_id),
        lambda: service.detail("", job.job_id),
    ):
        with pytest.raises(NotFound):
            call()
    assert service.list_completed("bob") == [] and service.list_in_progress("bob") == []
    assert [j.job_id for j in service.list_completed("ann")] == [job.job_id]


@pytest.mark.parametrize(
    "job_id", ["../../etc", "..", "0" * 31, "0" * 32 + "/../x", "A" * 32, "%2e%2e", ""]
)
def test_traversal_job_ids_are_refused(harness: Harness, job_id: str) -> None:
    service = make_app(harness).service
    with pytest.raises(NotFound):
        service.detail("ann", job_id)
    with pytest.raises(NotFound):
        service.open_media(job_id, "final", 2**40, "0" * 64)


def test_create_job_validates_its_input(harness: Harness) -> None:
    service = make_app(harness).service
    job = service.create_job("ann", "../../etc/holiday.MKV", {"format": "full-tb"})
    assert (job.filename, job.source_ext, job.params["format"]) == ("holiday.MKV", "mkv", "full-tb")
    for name, params in [
        ("a.exe", {}),
        ("noext", {}),
        ("a.mp4", {"format": "3d"}),
        ("a.mp4", {"divergence": 0}),
        ("a.mp4", {"convergence": 2}),
    ]:
        with pytest.raises(InvalidInput):
            service.create_job("ann", name, params)
    with pytest.raises(InvalidInput):
        service.create_job("", "a.mp4", {})


def test_resumable_upload_in_parts(harness: Harness, clip: Path) -> None:
    app = make_app(harness)
    service = app.service
    service.part_size = 5 * 1024 * 1024 if harness.kind == "aws" else 4096
    data = clip.read_bytes()
    job = service.create_job("ann", "clip.mp4", {})
    session = service.start_upload("ann", job.job_id)
    size = service.part_size
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    # The first attempt sends the first part, then the connection drops.
    if session.direct:
        url = service.part_url("ann", job.job_id, session.upload_id, 1, len(chunks[0]))
        assert url is not None and httpx.put(url, content=chunks[0]).status_code == 200
    else:
        service.upload_part("ann", job.job_id, session.upload_id, 1, chunks[0])
    done = {p.number for p in service.uploaded_parts("ann", job.job_id, session.upload_id)}
    assert done == {1}
    for number, chunk in enumerate(chunks, start=1):
        if number not in done:
            service.upload_part("ann", job.job_id, session.upload_id, number, chunk)
    queued = service.complete_upload("ann", job.job_id, session.upload_id)
    assert queued.status == JobStatus.QUEUED
    source = app.backend.objects.get_bytes(ObjectRef("input", f"input/{job.job_id}/source.mp4"))
    assert source == data
    with pytest.raises(Conflict):
        service.start_upload("ann", job.job_id)
    app.drain()
    assert service.detail("ann", job.job_id).job.status == JobStatus.COMPLETED


def test_cancel_stops_the_job_and_delete_removes_everything(harness: Harness, clip: Path) -> None:
    app = make_app(harness)
    service = app.service
    job = submit(app, clip)
    media = app.workers("media")
    while media[0].step(0):  # chunked; segments waiting
        pass
    assert service.cancel("ann", job.job_id).status == JobStatus.CANCELLED
    app.drain()  # the workers drop the cancelled job's messages
    assert service.detail("ann", job.job_id).job.status == JobStatus.CANCELLED
    assert app.backend.completions.of_job(job.job_id) == []
    with pytest.raises(Conflict):
        service.cancel("ann", job.job_id)
    done = submit(app, clip)
    app.drain()
    for victim in (job, done):
        service.delete("ann", victim.job_id)
        for bucket, prefix in [("input", "input/"), ("input", "segments/"), ("output", "jobs/")]:
            assert [k for k in app.backend.objects.keys(bucket, prefix) if victim.job_id in k] == []  # type: ignore[arg-type]
        assert app.backend.jobs.get(victim.job_id) is None
        assert app.backend.completions.of_job(victim.job_id) == []
        assert app.backend.triggers.claim(victim.job_id, harness.clock() + 9, harness.clock())
        with pytest.raises(NotFound):
            service.detail("ann", victim.job_id)


def test_retry_only_for_failed_jobs(harness: Harness, clip: Path) -> None:
    app = make_app(harness)
    job = submit(app, clip)
    with pytest.raises(Conflict):
        app.service.retry("ann", job.job_id)


def test_signed_links_open_and_expire(harness: Harness, clip: Path) -> None:
    app = make_app(harness)
    service = app.service
    job = submit(app, clip)
    with pytest.raises(NotFound):
        service.media_link("ann", job.job_id)  # not converted yet
    app.drain()
    link = service.media_link("ann", job.job_id)
    if harness.kind == "aws":
        response = httpx.get(link.url)
        assert response.status_code == 200 and response.content[4:8] == b"ftyp"
        assert "clip_Half_SBS_LR.mp4" in response.headers["content-disposition"]
        return
    path, query = link.url.split("?")
    assert path == f"/media/{job.job_id}/final"
    args = dict(part.split("=") for part in query.split("&"))
    opened = service.open_media(job.job_id, "final", int(args["expires"]), args["signature"])
    assert opened.filename == "clip_Half_SBS_LR.mp4" and opened.content_type == "video/mp4"
    assert opened.path.read_bytes()[4:8] == b"ftyp"
    for what, expires, sig in [
        ("source", int(args["expires"]), args["signature"]),  # signed for another file
        ("final", int(args["expires"]) + 1, args["signature"]),
        ("final", int(args["expires"]), "0" * 64),
    ]:
        with pytest.raises(NotFound):
            service.open_media(job.job_id, what, expires, sig)
    harness.advance(harness.settings.link_seconds + 1)
    with pytest.raises(NotFound):
        service.open_media(job.job_id, "final", int(args["expires"]), args["signature"])


def test_wait_for_change_returns_on_a_new_version(harness: Harness, clip: Path) -> None:
    app = make_app(harness)
    job = submit(app, clip)
    now = app.service.detail("ann", job.job_id)
    same = app.service.wait_for_change(
        "ann", job.job_id, now.job.version, timeout=0, sleep=lambda s: None
    )
    assert same.job.version == now.job.version
    app.drain()
    later = app.service.wait_for_change("ann", job.job_id, now.job.version, timeout=0)
    assert later.job.version > now.job.version and later.progress == 100
