"""Signed media links: byte ranges for the player, an attachment named for VR players,
expiry, and the owner's session as well as the signature."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from stereospot.ports import ObjectRef
from stereospot_testing.web_client import browser_as, client_for

from .conftest import Site


async def test_media_is_served_with_ranges_and_a_player_friendly_name(
    site: Site, clip: Path
) -> None:
    job = site.finished_job(clip)
    final = site.app.backend.objects.get_bytes(ObjectRef("output", f"jobs/{job.job_id}/final.mp4"))
    async with browser_as(site.web, "ann") as ann:
        link = (await ann.client.get(f"/api/jobs/{job.job_id}/media/final")).json()
        assert link["url"].startswith(f"/media/{job.job_id}/final?expires=")
        whole = await ann.client.get(link["url"])
        assert whole.status_code == 200 and whole.content == final
        assert whole.headers["content-type"] == "video/mp4"
        assert whole.headers["accept-ranges"] == "bytes"
        assert whole.headers["content-disposition"].startswith("inline;")
        part = await ann.client.get(link["url"], headers={"Range": "bytes=100-1123"})
        assert part.status_code == 206 and part.content == final[100:1124]
        assert part.headers["content-range"] == f"bytes 100-1123/{len(final)}"
        tail = await ann.client.get(link["url"], headers={"Range": "bytes=-500"})
        assert tail.status_code == 206 and tail.content == final[-500:]
        beyond = await ann.client.get(link["url"], headers={"Range": f"bytes={len(final) + 10}-"})
        assert beyond.status_code == 416
        download = await ann.client.get(link["url"] + "&download=1")
        assert (
            download.headers["content-disposition"] == 'attachment; filename="clip_Half_SBS_LR.mp4"'
        )
        assert download.content == final
        source = (await ann.client.get(f"/api/jobs/{job.job_id}/media/source")).json()["url"]
        assert (await ann.client.get(source)).content == clip.read_bytes()  # noqa: ASYNC240
        missing = await ann.client.get(f"/api/jobs/{job.job_id}/media/preview")
        assert missing.status_code == 404 and "no preview file yet" in missing.json()["detail"]
        other = await ann.client.get(f"/api/jobs/{job.job_id}/media/secrets")
        assert other.status_code == 404


async def test_links_need_a_good_signature_an_unexpired_time_and_a_session(
    site: Site, clip: Path
) -> None:
    job = site.finished_job(clip)
    async with browser_as(site.web, "ann") as ann:
        url = (await ann.client.get(f"/api/jobs/{job.job_id}/media/final")).json()["url"]
        query = parse_qs(urlsplit(url).query)
        expires, signature = query["expires"][0], query["signature"][0]
        base = f"/media/{job.job_id}"
        forged = [
            f"{base}/final?expires={expires}&signature={'0' * 64}",
            f"{base}/final?expires={int(expires) + 3600}&signature={signature}",
            f"{base}/source?expires={expires}&signature={signature}",  # a link is for one file
            f"{base}/final?expires={expires}",
        ]
        for bad in forged:
            response = await ann.client.get(bad)
            assert response.status_code in (404, 422) and "detail" in response.json(), bad
        assert (await ann.client.get(url)).status_code == 200
        site.harness.clock.advance(site.app.settings.link_seconds + 1)
        expired = await ann.client.get(url)
        assert expired.status_code == 404
        assert expired.json() == {"detail": "the link is invalid or has expired"}
    async with client_for(site.web) as anonymous:
        assert (await anonymous.get(url)).status_code == 401


async def test_the_job_page_shows_a_thumbnail_before_the_result(site: Site, clip: Path) -> None:
    job = site.app.service.create_job("ann", "clip.mp4", {})
    async with browser_as(site.web, "ann") as ann:
        waiting = (await ann.client.get(f"/jobs/{job.job_id}")).text
        assert 'id="resume-form"' in waiting and 'id="thumbnail"' not in waiting
        site.app.service.upload_file("ann", job.job_id, clip)
        queued = (await ann.client.get(f"/jobs/{job.job_id}")).text
        assert 'id="thumbnail"' in queued and "/source?expires=" in queued
        assert 'id="player"' not in queued and 'id="cancel"' in queued
