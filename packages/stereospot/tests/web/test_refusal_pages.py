"""A job whose file can never convert shows why and offers no Retry; the retry routes
answer 409 with the reason. A job that failed for another reason still offers Retry."""

from __future__ import annotations

from pathlib import Path

from stereospot.workers.dead_letters import fail_job
from stereospot_testing.hostile import text_named_mp4
from stereospot_testing.pipeline import submit
from stereospot_testing.web_client import browser_as

from .conftest import Site

REASON = "chunking: the file is not a readable video"


async def test_an_unconvertible_job_shows_its_reason_and_no_retry(
    site: Site, clip: Path, tmp_path: Path
) -> None:
    refused = submit(site.app, text_named_mp4(tmp_path))
    site.app.drain()
    poisoned = submit(site.app, clip)  # fails like a dead-lettered segment: retrying may help
    fail_job(site.app.ctx, poisoned.job_id, "segment 2: decoder choked on frame 7")
    async with browser_as(site.web, "ann") as ann:
        page = (await ann.client.get(f"/jobs/{refused.job_id}")).text
        assert REASON in page and 'id="no-retry"' in page
        assert 'id="retry"' not in page and f"/jobs/{refused.job_id}/retry" not in page
        other = (await ann.client.get(f"/jobs/{poisoned.job_id}")).text
        assert 'id="retry"' in other and 'id="no-retry"' not in other
        api = await ann.client.post(f"/api/jobs/{refused.job_id}/retry", headers=ann.writes)
        assert api.status_code == 409
        answer = f"retrying cannot help: its file cannot be converted ({REASON})"
        assert api.json()["detail"] == answer
        form = await ann.client.post(f"/jobs/{refused.job_id}/retry", data={"csrf": ann.csrf})
        assert form.status_code == 409 and "retrying cannot help" in form.text
        listing = (await ann.client.get("/")).text
        assert f"/jobs/{refused.job_id}/retry" not in listing
        job = (await ann.client.get(f"/api/jobs/{refused.job_id}")).json()
        assert (job["status"], job["error"], job["retryable"]) == ("failed", REASON, False)
        other_job = (await ann.client.get(f"/api/jobs/{poisoned.job_id}")).json()
        assert (other_job["status"], other_job["retryable"]) == ("failed", True)
