"""The JSON API and pages over a real local backend: jobs, resumable uploads, actions,
another user's jobs, traversal attempts, errors and security headers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stereospot.jobs.models import JobStatus
from stereospot.ports import ObjectRef
from stereospot.web.app import create_app
from stereospot_testing.backends import make_harness
from stereospot_testing.engine_media import tiny_red_model
from stereospot_testing.pipeline import make_app
from stereospot_testing.web_client import USERS, Browser, browser_as

from .conftest import Site

NEW = {"filename": "holiday.mp4", "format": "full-sbs", "divergence": 3.5}


async def create(browser: Browser, **changes: object) -> dict[str, object]:
    response = await browser.client.post(
        "/api/jobs", json={**NEW, **changes}, headers=browser.writes
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_jobs_are_created_listed_newest_first_and_shown(site: Site, clip: Path) -> None:
    async with browser_as(site.web, "ann") as ann:
        first = await create(ann, filename="first.mp4")
        site.harness.clock.advance(5)
        second = await create(ann, filename="second.mkv")
        done = site.finished_job(clip)
        listing = (await ann.client.get("/api/jobs")).json()
        assert [j["job_id"] for j in listing["in_progress"]] == [second["job_id"], first["job_id"]]
        assert [j["job_id"] for j in listing["completed"]] == [done.job_id]
        detail = (await ann.client.get(f"/api/jobs/{done.job_id}")).json()
        assert detail["status"] == "completed" and detail["progress"] == 100
        assert detail["download_name"] == "clip_Half_SBS_LR.mp4"
        assert len(detail["segments"]) == detail["segment_count"] >= 2
        assert {s["status"] for s in detail["segments"]} == {"done"}
        home = (await ann.client.get("/")).text
        assert home.index("second.mkv") < home.index("first.mp4")
        assert 'id="completed"' in home and "clip.mp4" in home
        page = (await ann.client.get(f"/jobs/{done.job_id}")).text
        assert 'id="player"' in page and "Download clip_Half_SBS_LR.mp4" in page
        assert page.count('data-state="done"') == detail["segment_count"]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"format": "3d-please"}, "format must be one of"),
        ({"divergence": 0}, "strength"),
        ({"filename": "movie.exe"}, "unsupported file type"),
        ({"filename": ""}, "filename"),
        ({"depth": "lidar"}, "depth must be one of classical, onnx, torch"),
        ({"depth": "onnx"}, "depth onnx needs a model"),
        ({"depth": "onnx", "model": "../../etc/passwd"}, "model must be a model's name"),
        ({"depth": "onnx", "model": "/srv/models/a.onnx"}, "no path"),
        ({"model": "depth-small.onnx"}, "a model goes with depth onnx or torch"),
    ],
)
async def test_bad_jobs_are_clear_400s(site: Site, changes: dict[str, object], words: str) -> None:
    async with browser_as(site.web, "ann") as ann:
        response = await ann.client.post("/api/jobs", json={**NEW, **changes}, headers=ann.writes)
        assert response.status_code in (400, 422)
        assert words in response.json()["detail"]


async def test_an_upload_resumes_from_the_parts_the_server_has(site: Site, clip: Path) -> None:
    data = clip.read_bytes()  # noqa: ASYNC240 - a small test file
    site.app.service.part_size = size = len(data) // 4 + 1  # four parts
    pieces = [data[i : i + size] for i in range(0, len(data), size)]
    assert len(pieces) >= 3
    async with browser_as(site.web, "ann") as ann:
        job = await create(ann, filename="clip.mp4")
        base = f"/api/jobs/{job['job_id']}/uploads"
        session = (await ann.client.post(base, headers=ann.writes)).json()
        assert session["part_size"] == size and session["direct"] is False
        upload = f"{base}/{session['upload_id']}"
        url = await ann.client.get(f"{upload}/parts/1/url", params={"size": size})
        assert url.json() == {"url": None}
        # The first try sends parts 1 and 3, then the connection drops.
        for number in (1, 3):
            put = await ann.client.put(
                f"{upload}/parts/{number}", content=pieces[number - 1], headers=ann.writes
            )
            assert put.status_code == 200 and put.json()["size"] == len(pieces[number - 1])
        # The resumed upload asks what is there and sends only the rest.
        have = (await ann.client.get(f"{upload}/parts")).json()["parts"]
        assert [(p["number"], p["size"]) for p in have] == [(1, size), (3, len(pieces[2]))]
        sent = {p["number"]: p for p in have}
        for number in range(1, len(pieces) + 1):
            if number not in sent:
                put = await ann.client.put(
                    f"{upload}/parts/{number}", content=pieces[number - 1], headers=ann.writes
                )
                sent[number] = put.json()
        parts = [sent[n] for n in sorted(sent)]
        done = await ann.client.post(
            f"{upload}/complete", json={"parts": parts}, headers=ann.writes
        )
        assert done.status_code == 200 and done.json()["status"] == "queued"
        # A finished upload takes no more parts.
        again = await ann.client.put(f"{upload}/parts/1", content=b"x", headers=ann.writes)
        assert again.status_code == 409
        site.app.drain()
        detail = site.app.service.detail("ann", str(job["job_id"]))
        assert detail.job.status == JobStatus.COMPLETED


async def test_parts_over_the_limit_or_empty_are_refused(site: Site) -> None:
    site.app.service.part_size = 1024
    async with browser_as(site.web, "ann") as ann:
        job = await create(ann)
        base = f"/api/jobs/{job['job_id']}/uploads"
        upload = f"{base}/{(await ann.client.post(base, headers=ann.writes)).json()['upload_id']}"
        big = await ann.client.put(f"{upload}/parts/1", content=b"x" * 1025, headers=ann.writes)
        assert big.status_code == 413
        assert big.json() == {"detail": "the request body is larger than 1024 bytes"}
        empty = await ann.client.put(f"{upload}/parts/1", content=b"", headers=ann.writes)
        assert empty.status_code == 400
        for number in ("0", "10001", "x"):
            bad = await ann.client.put(f"{upload}/parts/{number}", content=b"x", headers=ann.writes)
            assert bad.status_code == 422 and "detail" in bad.json()


async def test_another_users_job_and_media_are_unreachable(site: Site, clip: Path) -> None:
    job = site.finished_job(clip, user="ann")
    async with browser_as(site.web, "ann") as ann:
        page = (await ann.client.get(f"/jobs/{job.job_id}")).text
        final = re.search(r'id="player" controls preload="metadata" src="([^"]+)"', page)
        assert final is not None
        final_url = final[1].replace("&amp;", "&")
        assert (await ann.client.get(final_url)).status_code == 200
    missing = "f" * 32
    async with browser_as(site.web, "bob") as bob:
        listing = (await bob.client.get("/api/jobs")).json()
        assert listing == {"in_progress": [], "needs_attention": [], "completed": []}
        assert "clip.mp4" not in (await bob.client.get("/")).text
        for target in (job.job_id, missing):
            answers = [
                await bob.client.get(f"/api/jobs/{target}"),
                await bob.client.get(f"/api/jobs/{target}/events"),
                await bob.client.get(f"/api/jobs/{target}/media/final"),
                await bob.client.post(f"/api/jobs/{target}/retry", headers=bob.writes),
                await bob.client.post(f"/api/jobs/{target}/cancel", headers=bob.writes),
                await bob.client.delete(f"/api/jobs/{target}", headers=bob.writes),
                await bob.client.post(f"/api/jobs/{target}/uploads", headers=bob.writes),
            ]
            assert [(a.status_code, a.json()) for a in answers] == [
                (404, {"detail": "no such job"})
            ] * len(answers)
            for path in (f"/jobs/{target}", f"/jobs/{target}/delete"):
                response = await bob.client.get(path)
                assert response.status_code == 404 and "Not found" in response.text
            posted = await bob.client.post(
                f"/jobs/{target}/delete", data={"csrf": bob.csrf, "confirm": "yes"}
            )
            assert posted.status_code == 404
        # Even with ann's signed link in hand.
        stolen = await bob.client.get(final_url)
        assert stolen.status_code == 404 and stolen.json() == {"detail": "no such job"}
    assert site.app.service.detail("ann", job.job_id).job.status == JobStatus.COMPLETED


@pytest.mark.parametrize(
    "path",
    [
        "/api/jobs/..%2F..%2Fetc%2Fpasswd",
        "/api/jobs/%2e%2e",
        "/api/jobs/" + "0" * 32 + "%2F..%2F..",
        "/jobs/..%2f..%2fsigning.key",
        "/media/..%2F..%2Fsigning.key/final?expires=9999999999&signature=00",
        "/media/{job}/..%2F..%2F..%2Fsigning.key?expires=9999999999&signature=00",
        "/media/{job}/source?expires=9999999999&signature=" + "0" * 64,
        "/api/jobs/{job}/uploads/..%2F..%2Fx/parts",
        "/api/jobs/{job}/uploads/....%2Fdb/parts",
        "/api/jobs/{job}/media/..%2Fsigning.key",
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/..%2Fauth.py",
    ],
)
async def test_traversal_attempts_are_refused(site: Site, clip: Path, path: str) -> None:
    job = site.finished_job(clip)
    key = (site.harness.settings.data_dir / "signing.key").read_text()
    async with browser_as(site.web, "ann") as ann:
        response = await ann.client.get(path.replace("{job}", job.job_id))
        assert response.status_code in (404, 422), response.text
        assert key not in response.text and "import" not in response.text


async def test_cancel_retry_and_delete(site: Site, clip: Path) -> None:
    async with browser_as(site.web, "ann") as ann:
        job = await create(ann)
        job_id = str(job["job_id"])
        retry = await ann.client.post(f"/api/jobs/{job_id}/retry", headers=ann.writes)
        assert retry.status_code == 409 and "only a failed job" in retry.json()["detail"]
        cancelled = await ann.client.post(f"/api/jobs/{job_id}/cancel", headers=ann.writes)
        assert cancelled.json()["status"] == "cancelled"
        again = await ann.client.post(f"/jobs/{job_id}/cancel", data={"csrf": ann.csrf})
        assert again.status_code == 409 and "Not possible right now" in again.text
        confirm = await ann.client.get(f"/jobs/{job_id}/delete")
        assert confirm.status_code == 200 and "Delete for good" in confirm.text
        unconfirmed = await ann.client.post(f"/jobs/{job_id}/delete", data={"csrf": ann.csrf})
        assert unconfirmed.status_code == 403
        deleted = await ann.client.post(
            f"/jobs/{job_id}/delete", data={"csrf": ann.csrf, "confirm": "yes"}
        )
        assert deleted.status_code == 303 and deleted.headers["location"] == "/"
        assert (await ann.client.get(f"/api/jobs/{job_id}")).status_code == 404
        done = site.finished_job(clip)
        gone = await ann.client.delete(f"/api/jobs/{done.job_id}", headers=ann.writes)
        assert gone.status_code == 204
        final = ObjectRef("output", f"jobs/{done.job_id}/final.mp4")
        assert site.app.backend.objects.size(final) is None


async def test_security_headers_on_pages_api_media_and_static(site: Site, clip: Path) -> None:
    job = site.finished_job(clip)
    async with browser_as(site.web, "ann") as ann:
        link = (await ann.client.get(f"/api/jobs/{job.job_id}/media/final")).json()["url"]
        answers = {
            "page": await ann.client.get("/"),
            "login": await ann.client.get("/login"),
            "api": await ann.client.get("/api/jobs"),
            "error": await ann.client.get("/api/jobs/nope"),
            "media": await ann.client.get(link),
            "static": await ann.client.get("/static/app.css"),
        }
        for name, response in answers.items():
            headers = response.headers
            assert headers["x-content-type-options"] == "nosniff", name
            assert headers["x-frame-options"] == "DENY", name
            assert headers["referrer-policy"] == "same-origin", name
            assert "frame-ancestors 'none'" in headers["content-security-policy"], name
        page_policy = answers["page"].headers["content-security-policy"]
        assert "script-src 'self';" in page_policy and "unsafe-inline" not in page_policy
        assert answers["page"].headers["cache-control"] == "no-store"
        assert answers["api"].headers["content-security-policy"].startswith("default-src 'none'")
        assert "<script>" not in answers["page"].text and " style=" not in answers["page"].text


async def test_unknown_pages_and_api_routes_answer_in_their_own_kind(site: Site) -> None:
    async with browser_as(site.web, "ann") as ann:
        page = await ann.client.get("/no/such/page")
        assert page.status_code == 404 and "text/html" in page.headers["content-type"]
        assert "Back to your jobs" in page.text
        api = await ann.client.get("/api/nothing")
        assert api.status_code == 404 and api.json() == {"detail": "There is nothing here."}
        wrong = await ann.client.post(
            "/api/jobs", content=b"{", headers={**ann.writes, "Content-Type": "application/json"}
        )
        assert wrong.status_code == 422 and "detail" in wrong.json()


async def test_a_job_carries_its_depth_model_by_name(site: Site) -> None:
    async with browser_as(site.web, "ann") as ann:
        chosen = {**NEW, "depth": "onnx", "model": "depth-anything-v2-small.onnx"}
        response = await ann.client.post("/api/jobs", json=chosen, headers=ann.writes)
        assert response.status_code == 201, response.text
        job = response.json()
        assert (job["depth"], job["model"]) == ("onnx", "depth-anything-v2-small.onnx")
        stored = site.app.service.backend.jobs.get(job["job_id"])
        assert stored is not None
        assert stored.params["model"] == "depth-anything-v2-small.onnx"
        plain = (await ann.client.post("/api/jobs", json=NEW, headers=ann.writes)).json()
        assert (plain["depth"], plain["model"]) == ("classical", None)


async def test_the_form_offers_the_installed_models_first(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    tiny_red_model(models / "depth-small.onnx")
    (models / "notes.txt").write_text("not a model")
    harness = make_harness("local", tmp_path, request, model_dir=models)
    app = make_app(harness)
    try:
        async with browser_as(create_app(app.service, users=USERS), "ann") as ann:
            home = (await ann.client.get("/")).text
    finally:
        app.close()
    options = re.findall(r'<option value="([^"]*)"( selected)?>', home.split('id="depth"')[1])
    assert options[:2] == [("onnx:depth-small.onnx", " selected"), ("classical:", "")]
    assert "models fetch" not in home


async def test_without_models_the_form_says_how_to_get_one(site: Site) -> None:
    async with browser_as(site.web, "ann") as ann:
        home = (await ann.client.get("/")).text
    assert '<option value="classical:">' in home
    assert "stereospot models fetch NAME" in home


async def test_the_job_page_shows_the_comfort_report(site: Site, clip: Path) -> None:
    done = site.finished_job(clip)  # the pass-through: no comfort report
    async with browser_as(site.web, "ann") as ann:
        assert 'id="comfort"' not in (await ann.client.get(f"/jobs/{done.job_id}")).text
        comfort = {
            "frames": 72,
            "parallax_range_pct": [-1.4, 1.3],
            "limits_pct": {"front": 1.0, "behind": 2.0},
            "beyond_share": 0.25,
            "border_violation_share": 0.0,
            "suggested_divergence": 1.5,
            "flicker_pct": 0.01,
        }
        site.app.service.backend.jobs.update(
            done.job_id,
            when={JobStatus.COMPLETED},
            now=site.harness.clock(),
            changes={"report": {"segments": [{"comfort": comfort}]}},
        )
        page = (await ann.client.get(f"/jobs/{done.job_id}")).text
    section = page[page.index('id="comfort"') :]
    assert "25% of frames go past a comfort limit: strength 1.5" in section
    assert "-1.4 to 1.3 % of the width" in section


async def test_a_finished_job_converts_again_with_other_settings_without_an_upload(
    site: Site, clip: Path
) -> None:
    done = site.finished_job(clip)
    objects = site.app.service.backend.objects
    source = ObjectRef("input", f"input/{done.job_id}/source.mp4")
    async with browser_as(site.web, "ann") as ann:
        page = (await ann.client.get(f"/jobs/{done.job_id}")).text
        assert 'id="rerun"' in page and 'id="rerun-format"' in page
        response = await ann.client.post(
            f"/api/jobs/{done.job_id}/rerun",
            json={"format": "full-tb", "divergence": 3.0},
            headers=ann.writes,
        )
        assert response.status_code == 201, response.text
        again = response.json()
        assert (again["format"], again["divergence"], again["status"]) == ("full-tb", 3.0, "queued")
        new_source = ObjectRef("input", f"input/{again['job_id']}/source.mp4")
        assert objects.get_bytes(new_source) == objects.get_bytes(source)
        # The folder store links the bytes: the film is not stored twice.
        old_path, new_path = objects.local_path(source), objects.local_path(new_source)
        assert old_path and new_path and old_path.stat().st_ino == new_path.stat().st_ino
        site.app.drain()
        finished = (await ann.client.get(f"/api/jobs/{again['job_id']}")).json()
        assert finished["status"] == "completed"

        # A null leaves a setting as it was.
        kept = await ann.client.post(
            f"/api/jobs/{done.job_id}/rerun", json={"divergence": None}, headers=ann.writes
        )
        assert kept.status_code == 201 and kept.json()["divergence"] == 2.0, kept.text

        # The page form: the new job's page follows.
        form = {"csrf": ann.csrf, "format": "anaglyph", "depth": "classical:", "divergence": "1.5"}
        moved = await ann.client.post(f"/jobs/{done.job_id}/rerun", data=form)
        assert moved.status_code == 303
        third = site.app.service.backend.jobs.get(moved.headers["location"].rsplit("/", 1)[1])
        assert third is not None and third.params["format"] == "anaglyph"

        # Not before it has finished, not with unknown keys or bad values.
        running = await create(ann, filename="running.mp4")
        for job_id, body, words in (
            (running["job_id"], {}, "re-run it once it has finished"),
            (done.job_id, {"format": "3d-please"}, "format must be one of"),
            (done.job_id, {"depth": "onnx"}, "depth onnx needs a model"),
            (done.job_id, {"divergence": "lots"}, "divergence"),
        ):
            refused = await ann.client.post(
                f"/api/jobs/{job_id}/rerun", json=body, headers=ann.writes
            )
            assert refused.status_code in (400, 409, 422), refused.text
            assert words in refused.json()["detail"]
        # Another user's job is not there at all.
    async with browser_as(site.web, "bob") as bob:
        hidden = await bob.client.post(
            f"/api/jobs/{done.job_id}/rerun", json={}, headers=bob.writes
        )
        assert hidden.status_code == 404
