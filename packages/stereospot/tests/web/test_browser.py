"""The web UI in Debian's Chromium against the app on a real port, with local workers on a
temp folder and a (slowed) pass-through converter: log in, create a job, upload a clip with
the progress bar moving, watch the job complete live, play and download the result, and a
second user cannot see it. Screenshots of each page are kept as artefacts.

Everything lives in this module, so that other tests never need Playwright.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
    expect,
    sync_playwright,
)

from stereospot.bootstrap import App, build
from stereospot.jobs.models import Job, JobStatus, SegmentState, SegmentStatus
from stereospot.ports import ObjectRef
from stereospot_testing.axe import violations
from stereospot_testing.backends import local_settings
from stereospot_testing.videos import make_video
from stereospot_testing.web_client import USERS
from stereospot_testing.web_server import SlowPassThrough, serving, stereospot_serve

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
    "--autoplay-policy=no-user-gesture-required",
]
# Screenshots are test artefacts in the test's tmp folder; to collect them elsewhere (for
# docs/screenshots, say) name a folder here. The test run never writes into the repository.
SHOTS = os.environ.get("STEREOSPOT_SCREENSHOTS")
# A progress bar part of the way: above `low` and below 100.
BAR_BETWEEN = "([id, low]) => (v => v > low && v < 100)(document.getElementById(id).value)"

# Records every value the progress bars and the status badge take, across page loads.
OBSERVE = """
document.addEventListener("DOMContentLoaded", () => {
  for (const id of ["upload-progress", "job-progress", "job-status"]) {
    const node = document.getElementById(id);
    if (!node) continue;
    const report = () => window.recordUi(id, id === "job-status" ? node.textContent : node.value);
    report();
    const what = {attributes: true, childList: true, characterData: true, subtree: true};
    new MutationObserver(report).observe(node, what);
  }
});
"""


@dataclass
class Site:
    url: str
    app_data: Path
    app: App
    final_ref: ObjectRef | None = None


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Four seconds at 320x180 with a keyframe every second: four one-second segments.
    folder = tmp_path_factory.mktemp("browser-clip")
    return make_video(folder / "holiday clip.mp4", seconds=4, size=(320, 180), gop=24)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, clip: Path) -> Iterator[Site]:
    data = tmp_path_factory.mktemp("browser-site") / "data"
    settings = local_settings(data, segment_seconds=1.0, poll_seconds=0.05)
    app = build(settings, converter=SlowPassThrough(0.6))
    # Small parts, so a small clip still goes up in several and the bar moves per part.
    app.service.part_size = clip.stat().st_size // 5 + 1
    try:
        with serving(app, USERS) as url:
            yield Site(url, data, app)
    finally:
        app.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope, never session: while sync Playwright runs, its asyncio loop counts as
    # running, and async tests after this module could not start their own loop.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Watched:
    context: BrowserContext
    problems: list[str]
    ui: list[tuple[str, object]]


def watched(browser: Browser, expected: tuple[str, ...] = (), **options: object) -> Watched:
    """A context whose page errors and console errors (CSP violations among them) are
    collected, and whose progress bars are recorded. `expected`: console errors the test
    causes on purpose (a failed load's status or network error)."""
    context = browser.new_context(accept_downloads=True, **options)  # type: ignore[arg-type]
    problems: list[str] = []
    ui: list[tuple[str, object]] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if any(text in message.text for text in expected):
            return
        problems.append(f"console: {message.text} at {message.location.get('url', '')}")

    context.on("console", on_console)
    context.on("weberror", lambda error: problems.append(f"page error: {error.error}"))
    context.expose_function("recordUi", lambda key, value: ui.append((key, value)))
    context.add_init_script(OBSERVE)
    return Watched(context, problems, ui)


def shot(page: Page, tmp_path: Path, name: str, full_page: bool = True) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(SHOTS) / path.name)
    return path


def log_in(page: Page, url: str, name: str) -> None:
    page.goto(f"{url}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    page.get_by_label("Name").fill(name)
    page.get_by_label("Token").fill(USERS[name])
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#current-user")).to_have_text(name)


def test_upload_watch_play_download_and_privacy(
    browser: Browser, site: Site, clip: Path, tmp_path: Path
) -> None:
    ann = watched(browser, expected=("status of 401 ",), viewport={"width": 1100, "height": 800})
    page = ann.context.new_page()
    page.goto(f"{site.url}/login")
    page.get_by_label("Name").fill("ann")
    page.get_by_label("Token").fill("not-the-right-token-000")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-error")).to_have_text("That name and token do not match.")
    shot(page, tmp_path, "01-login")
    log_in(page, site.url, "ann")
    expect(page.locator("#in-progress")).to_have_text("Nothing is converting right now.")

    # Create the job and upload: every part is held back a moment so the bar's steps show.
    def slow_part(route: object) -> None:
        page.wait_for_timeout(250)
        route.continue_()  # type: ignore[attr-defined]

    page.route(re.compile(r"/api/jobs/\w+/uploads/\w+/parts/\d+$"), slow_part)
    page.set_input_files("#file", clip)
    page.select_option("#format", "full-sbs")
    page.locator("#divergence").fill("3.5")
    expect(page.locator("#divergence-value")).to_have_text("3.5")
    page.get_by_role("button", name="Upload and convert").click()
    page.wait_for_function(BAR_BETWEEN, arg=["upload-progress", 0])
    expect(page.locator("#upload-status")).to_contain_text("part")
    shot(page, tmp_path, "02-uploading", full_page=False)
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f]{32}$"))
    job_id = page.url.rsplit("/", 1)[1]
    uploads = [v for k, v in ann.ui if k == "upload-progress"]
    steps = sorted({int(str(v)) for v in uploads})
    assert len(steps) >= 5 and steps[-1] == 100, uploads  # 0, then one step per part

    # The job page follows the job live (server-sent events) until it completes.
    expect(page.locator("#job-status")).not_to_have_text("queued", timeout=15_000)
    expect(page.locator("#segments tr").first).to_be_visible(timeout=15_000)
    page.wait_for_function(
        BAR_BETWEEN,
        arg=["job-progress", 5],
        timeout=20_000,
    )
    shot(page, tmp_path, "03-job-converting")
    expect(page.locator("#player")).to_be_visible(timeout=60_000)
    expect(page.locator("#job-status")).to_have_text("completed")
    statuses = [str(v) for k, v in ann.ui if k == "job-status"]
    assert "converting" in statuses and statuses[-1] == "completed", statuses
    bars = [int(str(v)) for k, v in ann.ui if k == "job-progress"]
    assert len(set(bars)) >= 3 and max(bars) == 100, bars
    expect(page.locator("#segments tr")).to_have_count(4)
    expect(page.locator("#segments tr[data-state='done']")).to_have_count(4)

    # Play in the browser: the player gets frames and its clock runs.
    page.wait_for_function(
        "() => document.getElementById('player').readyState >= 2", timeout=20_000
    )
    page.evaluate(
        "() => { const v = document.getElementById('player'); v.muted = true; return v.play(); }"
    )
    page.wait_for_function(
        "() => document.getElementById('player').currentTime > 0.5", timeout=20_000
    )
    page.evaluate("() => document.getElementById('player').pause()")
    shot(page, tmp_path, "04-job-completed")

    # Download with the name VR players recognise.
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("^Download")).click()
    download = info.value
    assert download.suggested_filename == "holiday clip_Full_SBS_LR.mp4"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    final = site.app_data / "objects" / "output" / "jobs" / job_id / "final.mp4"
    if final.exists():  # the local store's layout; the byte check is the point when it is
        assert saved.read_bytes() == final.read_bytes()
    assert saved.stat().st_size > 10_000
    media_url = page.locator("#player").get_attribute("src")
    assert media_url is not None

    page.goto(f"{site.url}/")
    expect(page.locator("#completed")).to_contain_text("holiday clip.mp4")
    expect(page.locator("#in-progress")).to_have_text("Nothing is converting right now.")
    shot(page, tmp_path, "05-home")

    # A phone-sized screen gets the same page, laid out in one column.
    phone = ann.context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(f"{site.url}/jobs/{job_id}")
    expect(phone.locator("#player")).to_be_visible()
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    shot(phone, tmp_path, "06-job-phone")
    phone.close()

    # Bob sees none of it: not in his lists, not the page, not even with ann's media link.
    bob = watched(browser, expected=("status of 404 ",), viewport={"width": 1100, "height": 800})
    other = bob.context.new_page()
    log_in(other, site.url, "bob")
    expect(other.locator("#completed")).to_have_text("No finished conversions yet.")
    expect(other.locator("body")).not_to_contain_text("holiday clip")
    response = other.goto(f"{site.url}/jobs/{job_id}")
    assert response is not None and response.status == 404
    expect(other.get_by_role("heading", name="Not found")).to_be_visible()
    shot(other, tmp_path, "07-other-user-404")
    stolen = other.request.get(f"{site.url}{media_url}")
    assert stolen.status == 404 and stolen.json() == {"detail": "no such job"}
    bob.context.close()
    assert bob.problems == [], bob.problems

    # Delete asks for confirmation first.
    page.goto(f"{site.url}/jobs/{job_id}")
    page.get_by_role("link", name="Delete…").click()
    expect(page.get_by_role("heading", name="Delete this job?")).to_be_visible()
    shot(page, tmp_path, "08-confirm-delete")
    page.get_by_role("button", name="Delete for good").click()
    expect(page).to_have_url(f"{site.url}/")
    expect(page.locator("#completed")).to_have_text("No finished conversions yet.")
    assert httpx.get(f"{site.url}{media_url}").status_code == 401  # no session, no media
    ann.context.close()
    assert ann.problems == [], ann.problems


def test_stereospot_serve_runs_the_ui_with_local_workers(tmp_path: Path, clip: Path) -> None:
    """The real command: settings from the environment, the app from create_app, workers
    as threads. Through plain HTTP: log in, upload, and the job completes."""
    env = {
        "STEREOSPOT_DATA_DIR": str(tmp_path / "data"),
        "STEREOSPOT_CONVERTER": "passthrough",
        "STEREOSPOT_SEGMENT_SECONDS": "1",
        "STEREOSPOT_POLL_SECONDS": "0.05",
        "STEREOSPOT_VIDEO_WORKERS": "1",
        "STEREOSPOT_USERS": ",".join(f"{name}:{token}" for name, token in USERS.items()),
    }
    with (
        stereospot_serve(env, tmp_path, tmp_path / "serve.log") as url,
        httpx.Client(base_url=url) as client,
    ):
        assert client.get("/").headers["location"] == "/login?next=/"
        assert client.post("/login", data={"name": "ann", "token": USERS["ann"]}).status_code == 303
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text)
        assert csrf is not None
        writes = {"X-CSRF-Token": csrf[1]}
        job = client.post("/api/jobs", json={"filename": clip.name}, headers=writes).json()
        upload = client.post(f"/api/jobs/{job['job_id']}/uploads", headers=writes).json()
        base = f"/api/jobs/{job['job_id']}/uploads/{upload['upload_id']}"
        assert (
            client.put(f"{base}/parts/1", content=clip.read_bytes(), headers=writes).status_code
            == 200
        )
        assert client.post(f"{base}/complete", json={}, headers=writes).status_code == 200
        with client.stream("GET", f"/api/jobs/{job['job_id']}/events", timeout=60) as stream:
            text = "".join(stream.iter_text())
        assert text.rstrip().endswith('data: {"status":"completed"}')
    log = (tmp_path / "serve.log").read_text()
    assert USERS["ann"] not in log and USERS["bob"] not in log


def test_an_interrupted_upload_resumes_with_the_missing_parts(
    browser: Browser, site: Site, clip: Path, tmp_path: Path
) -> None:
    ann = watched(
        browser, expected=("ERR_CONNECTION_RESET",), viewport={"width": 1100, "height": 800}
    )
    page = ann.context.new_page()
    log_in(page, site.url, "ann")
    sent: list[int] = []
    part = re.compile(r"/api/jobs/\w+/uploads/\w+/parts/(\d+)$")

    def network_drops_part_3(route: Route) -> None:
        number = int(part.search(route.request.url)[1])  # type: ignore[index]
        if number == 3:
            route.abort("connectionreset")
            return
        sent.append(number)
        route.continue_()

    page.route(part, network_drops_part_3)
    page.set_input_files("#file", clip)
    page.get_by_role("button", name="Upload and convert").click()
    expect(page.locator("#upload-status")).to_contain_text("Upload stopped")
    expect(page.get_by_role("button", name="Upload and convert")).to_be_disabled()
    shot(page, tmp_path, "09-upload-interrupted", full_page=False)
    assert sent == [1, 2]

    page.unroute(part)

    def network_fine(route: Route) -> None:
        sent.append(int(part.search(route.request.url)[1]))  # type: ignore[index]
        route.continue_()

    page.route(part, network_fine)
    page.get_by_role("button", name="Resume upload").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f]{32}$"))
    assert sent == [1, 2, 3, 4, 5]  # parts 1 and 2 were not sent again
    expect(page.locator("#player")).to_be_visible(timeout=60_000)
    ann.context.close()
    assert ann.problems == [], ann.problems


def test_several_files_become_one_job_each_in_one_go(
    browser: Browser, site: Site, clip: Path, tmp_path: Path
) -> None:
    second = tmp_path / "second-film.mp4"
    shutil.copyfile(clip, second)
    ann = watched(browser, viewport={"width": 1100, "height": 800}, timezone_id="Asia/Tokyo")
    page = ann.context.new_page()

    # The page's script arrives late: a click before it runs must wait, not submit the
    # form as a plain GET (which uploaded nothing, on a slower machine).
    def late_script(route: Route) -> None:
        page.wait_for_timeout(800)
        route.continue_()

    page.route(re.compile(r"/static/upload\.js"), late_script)
    log_in(page, site.url, "bob")
    page.set_input_files("#file", [clip, second])
    page.select_option("#format", "full-tb")
    # Both uploaded, the home page (not one job's) opens again with both jobs on it.
    with page.expect_navigation(url=f"{site.url}/", timeout=30_000):
        page.get_by_role("button", name="Upload and convert").click()
    listed = " ".join(page.locator("#in-progress, #completed").all_inner_texts())
    assert clip.name in listed and second.name in listed
    # Formats by their labels, as on the job page, not their ids; times in the reader's
    # zone, not UTC.
    assert listed.count("Full top-bottom") >= 2 and "full-tb" not in listed, listed
    assert "UTC" not in listed, listed
    # The lists follow the jobs without a reload: both move to Completed by themselves.
    page.evaluate("() => { window.notReloaded = true; }")
    completed = page.locator("#completed")
    expect(completed).to_contain_text(clip.name, timeout=30_000)
    expect(completed).to_contain_text(second.name, timeout=30_000)
    expect(page.locator("#in-progress")).to_have_text("Nothing is converting right now.")
    assert page.evaluate("() => window.notReloaded === true")
    ann.context.close()
    assert ann.problems == [], ann.problems


# The anaglyph canvas against the player's own frame, eye by eye: red from the left eye,
# green and blue from the right. Pixels are compared at a grid of points.
ANAGLYPH_MATCHES = """
() => {
  const video = document.getElementById("player");
  const canvas = document.getElementById("viewer-canvas");
  const [w, h] = [canvas.width, canvas.height];
  const eye = (x) => {
    const c = document.createElement("canvas");
    [c.width, c.height] = [w, h];
    const ctx = c.getContext("2d");
    ctx.drawImage(video, x, 0, video.videoWidth / 2, video.videoHeight, 0, 0, w, h);
    return ctx.getImageData(0, 0, w, h).data;
  };
  const left = eye(0), right = eye(video.videoWidth / 2);
  const shown = canvas.getContext("2d").getImageData(0, 0, w, h).data;
  let worst = 0, lit = 0;
  for (let y = 5; y < h; y += 17) for (let x = 5; x < w; x += 13) {
    const i = 4 * (y * w + x);
    worst = Math.max(worst, Math.abs(shown[i] - left[i]), Math.abs(shown[i + 1] - right[i + 1]),
      Math.abs(shown[i + 2] - right[i + 2]));
    lit += shown[i] + shown[i + 1] + shown[i + 2];
  }
  return {worst, lit};
}
"""


def test_a_test_render_seen_as_anaglyph_and_wiggle_then_the_whole_film(
    browser: Browser, site: Site, tmp_path: Path
) -> None:
    longer = make_video(tmp_path / "beach.mp4", seconds=6, size=(320, 180), gop=24)
    ann = watched(browser, viewport={"width": 1100, "height": 900})
    page = ann.context.new_page()
    log_in(page, site.url, "ann")
    # Strength past the comfort limits is called out before anything is converted.
    hint = page.locator("#comfort-hint")
    expect(hint).to_contain_text("comfortable: 1")
    expect(hint).not_to_have_class(re.compile("alert"))
    page.locator("#divergence").fill("6")
    expect(hint).to_have_class(re.compile("alert"))
    expect(hint).to_contain_text("above strength 2.0")
    page.locator("#convergence").fill("0.25")
    expect(hint).to_contain_text("above strength 1.3")
    page.locator("#divergence").fill("1")
    expect(hint).not_to_have_class(re.compile("alert"))

    page.set_input_files("#file", longer)
    page.check("#trial")
    page.fill("#trial-start", "0:02")
    page.get_by_role("button", name="Upload and convert").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f]{32}$"), timeout=30_000)
    trial_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("#player")).to_be_visible(timeout=60_000)
    expect(page.locator("#trial-note")).to_contain_text("10 s from 0:02, no sound")
    expect(page.locator("h1.job-title")).to_have_text("beach.mp4")

    # No headset: the anaglyph view, red from the left eye and cyan from the right.
    page.wait_for_function("() => document.getElementById('player').readyState >= 2")
    page.get_by_role("button", name=re.compile("^Anaglyph")).click()
    expect(page.locator("#viewer-canvas")).to_be_visible()
    expect(page.locator("#player")).to_be_hidden()
    page.wait_for_function(
        "() => Number(document.getElementById('viewer-canvas').dataset.drawn) > 3"
    )
    page.evaluate("() => document.getElementById('player').pause()")
    # Two more draws after the pause: the canvas now shows the paused frame.
    count = "() => Number(document.getElementById('viewer-canvas').dataset.drawn)"
    after = page.evaluate(count) + 2
    page.wait_for_function(f"() => ({count})() >= {after}")
    seen = page.evaluate(ANAGLYPH_MATCHES)
    assert seen["worst"] <= 3 and seen["lit"] > 0, seen
    shot(page, tmp_path, "09-trial-anaglyph")

    # Wiggle: the canvas shows one eye, then the other, a few times a second.
    page.get_by_role("button", name="Wiggle").click()
    # On a paused frame only the eyes' alternation can change the canvas: sampled until
    # it has shown two different pictures (or Playwright's timeout).
    page.evaluate("() => document.getElementById('player').pause()")
    after = page.evaluate(count) + 2
    page.wait_for_function(f"() => ({count})() >= {after}")
    page.wait_for_function(
        """(seen) => {
          seen = window.wiggleSeen || (window.wiggleSeen = new Set());
          seen.add(document.getElementById("viewer-canvas").toDataURL());
          return seen.size >= 2;
        }""",
        polling=50,
    )
    page.get_by_role("button", name="As it is").click()
    expect(page.locator("#player")).to_be_visible()
    expect(page.locator("#viewer-canvas")).to_be_hidden()

    # Happy with it: the whole film with the same settings, without uploading again.
    page.get_by_role("button", name="Convert the whole film like this").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f]{32}$"))
    assert page.url.rsplit("/", 1)[1] != trial_id
    expect(page.locator("#player")).to_be_visible(timeout=60_000)
    expect(page.locator("#trial-note")).to_have_count(0)
    expect(page.locator("#job-status")).to_have_text("completed")
    ann.context.close()
    assert ann.problems == [], ann.problems


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_is_axe_clean_in_light_and_dark(
    browser: Browser, site: Site, clip: Path, tmp_path: Path, scheme: str
) -> None:
    ann = watched(
        browser,
        expected=("status of 404 ",),
        viewport={"width": 1100, "height": 800},
        color_scheme=scheme,
    )
    page = ann.context.new_page()
    scanned: dict[str, list[str]] = {}
    page.goto(f"{site.url}/login")
    scanned["login"] = violations(page)
    log_in(page, site.url, "ann")
    page.set_input_files("#file", clip)
    page.get_by_role("button", name="Upload and convert").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f]{32}$"))
    job = page.url
    # The page reloads itself when the job ends: scan the reloaded, finished page.
    expect(page.locator("#job")).to_have_attribute("data-finished", "true", timeout=30_000)
    page.wait_for_load_state()
    scanned["job"] = violations(page)
    shot(page, tmp_path, f"job-{scheme}")
    page.goto(f"{site.url}/")
    expect(page.locator("#completed")).to_contain_text(clip.name)
    scanned["home"] = violations(page)
    shot(page, tmp_path, f"home-{scheme}")
    page.goto(f"{job}/delete")
    scanned["delete"] = violations(page)
    page.goto(f"{site.url}/jobs/{'0' * 32}")
    scanned["not found"] = violations(page)
    # The page really is in the asked-for theme, not light with a dark flag.
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (background == "rgb(17, 20, 27)") == (scheme == "dark"), background
    ann.context.close()
    assert {name: found for name, found in scanned.items() if found} == {}
    assert ann.problems == [], ann.problems


def test_rough_edges_a_wrong_file_an_unreadable_one_a_missing_page_and_small_targets(
    browser: Browser, site: Site, tmp_path: Path
) -> None:
    ann = watched(
        browser,
        expected=("status of 404 ", "status of 422 ", "status of 400 ", "status of 415 "),
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    page = ann.context.new_page()
    log_in(page, site.url, "ann")

    # A file of a type StereoSpot does not take: said plainly, with no word of resuming.
    notes = tmp_path / "notes.txt"
    notes.write_text("not a film\n")
    page.set_input_files("#file", notes)
    page.get_by_role("button", name="Upload and convert").click()
    status = page.locator("#upload-status")
    expect(status).to_contain_text("Upload stopped")
    expect(status).not_to_contain_text("Resume")
    expect(page.locator("#resume-upload")).to_be_hidden()

    # A film the browser cannot read: its job page says so rather than a black box.
    garbage = tmp_path / "broken.mp4"
    garbage.write_bytes(os.urandom(64 * 1024))
    page.set_input_files("#file", garbage)
    page.get_by_role("button", name="Upload and convert").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f]{32}$"))
    expect(page.locator("#thumbnail-note")).to_be_visible(timeout=15_000)
    expect(page.locator("#thumbnail")).to_be_hidden()

    # Small targets on a phone are at least 24 px each way (WCAG 2.2).
    all_jobs = page.get_by_role("link", name="← All jobs")
    targets = (all_jobs, page.get_by_role("button", name="Log out"))
    for target in targets:
        box = target.bounding_box()
        assert box is not None and box["width"] >= 24 and box["height"] >= 24, box

    # A page that does not exist keeps the header of whoever is logged in.
    page.goto(f"{site.url}/jobs/{'f' * 32}")
    expect(page.locator("#current-user")).to_have_text("ann")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    ann.context.close()
    assert ann.problems == [], ann.problems


def test_a_converting_job_says_how_fast_it_goes_and_when_it_will_be_done(
    browser: Browser, site: Site, tmp_path: Path
) -> None:
    jobs = site.app.backend.jobs
    now = time.time()
    film, chunking = uuid.uuid4().hex, uuid.uuid4().hex
    common = {"owner": "ann", "created_at": now - 60, "updated_at": now, "source_ext": "mp4"}
    # Four segments of a 2,400-frame film; one done and one half way 30 s in: 150 of 400
    # units in 30 s, so 30 frames a second and 50 s left.
    jobs.create(
        Job(
            job_id=film,
            status=JobStatus.CONVERTING,
            filename="long film.mp4",
            params={"format": "half-sbs", "divergence": 2.0, "convergence": 0.5},
            segment_count=4,
            frames=2400,
            converting_since=now - 30,
            chunked=100,
            **common,  # type: ignore[arg-type]
        )
    )
    jobs.set_segment(film, SegmentState(0, SegmentStatus.DONE, 100), now)
    jobs.set_segment(film, SegmentState(1, SegmentStatus.CONVERTING, 50), now)
    jobs.create(
        Job(
            job_id=chunking,
            status=JobStatus.CHUNKING,
            filename="another film.mp4",
            params={"format": "half-sbs"},
            chunked=60,
            **common,  # type: ignore[arg-type]
        )
    )
    ann = watched(browser, viewport={"width": 1280, "height": 800})
    page = ann.context.new_page()
    try:
        log_in(page, site.url, "ann")
        page.goto(f"{site.url}/jobs/{film}")
        line = page.locator("#job-pace")
        expect(line).to_have_text(re.compile(r"^\d+\.\d frames/s · about \d+ s left$"))
        fps = float(line.inner_text().split(" ")[0])
        assert 27 <= fps <= 30, fps  # 30 when drawn at once; less as the clock runs on
        shot(page, tmp_path, "10-job-pace", full_page=False)
        assert violations(page) == []
        phone = ann.context.new_page()
        phone.set_viewport_size({"width": 360, "height": 740})
        phone.goto(f"{site.url}/jobs/{film}")
        expect(phone.locator("#job-pace")).to_contain_text("frames/s")
        assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360
        shot(phone, tmp_path, "10-job-pace-phone", full_page=False)
        phone.close()

        # Live: the next report moves the line without a reload.
        jobs.set_segment(film, SegmentState(1, SegmentStatus.DONE, 100), time.time())
        jobs.set_segment(film, SegmentState(2, SegmentStatus.CONVERTING, 50), time.time())
        expect(page.locator("#job-percent")).to_have_text(f"{8 + 87 * 250 // 400}%")
        expect(line).not_to_have_text(re.compile("about 50 s"))

        # Chunking moves the bar too, before any segment exists.
        page.goto(f"{site.url}/jobs/{chunking}")
        expect(page.locator("#job-pace")).to_have_text("Preparing the segments: 60%")
        expect(page.locator("#job-percent")).to_have_text("5%")
        jobs.update(chunking, when={JobStatus.CHUNKING}, now=time.time(), changes={"chunked": 90})
        expect(page.locator("#job-pace")).to_have_text("Preparing the segments: 90%")
        expect(page.locator("#job-percent")).to_have_text("7%")
    finally:
        ann.context.close()
        for job_id in (film, chunking):
            jobs.delete(job_id)
    assert ann.problems == [], ann.problems
