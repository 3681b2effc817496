"""The web app's budget: the initial load's gzipped size, and the time to a usable search
page in headless Chromium, through a real `stellarr serve` process.

- Size: for each route, index.html and every JS/CSS file a first visit downloads (what
  index.html links, the boot script's imports, the route's page nodes and their
  preloads, all static imports; see stellarr_testing/web_budget.py), each gzipped on its
  own at level 9 (a CDN's pre-compressed copies) and level 6 (Stellarr's own gzip and most
  servers' default), against the 80 KB (80,000 bytes) budget.
- Time: Debian's Chromium (headless) opens /login?next=/ with a session already in
  localStorage, so it lands on Discover; timed from navigation start (the page's own
  performance clock) until the search box is there and the trending grid shows its cards.
  Baseline, the floor: a blank static page served by the same server from the same folder,
  timed until its document is parsed. Each run uses a fresh browser context (empty cache,
  no service worker: a first visit); "repeat visit" navigates again in that context
  (immutable assets from the cache). Median of --runs, the two pages interleaved.

    .venv/bin/python packages/stellarr/bench/web_budget.py [--runs 5]

Needs the build (`cd web && npm run build`) and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from _harness import stellarr_server
from playwright.sync_api import Browser, sync_playwright

from stellarr.bootstrap import PACKAGED_WEB
from stellarr_testing.fake_tmdb import API_KEY, running_fake_tmdb
from stellarr_testing.login import login_body
from stellarr_testing.web_budget import BUDGET_BYTES, LEVELS, Build, total

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "bench password 123"
BLANK = "<!doctype html><html lang=en><meta charset=utf-8><title>blank</title><p>blank</p>\n"
# Usable: the search box is on the page and the trending grid has its cards (not skeletons).
SEARCH_READY = """() => {
  const box = document.querySelector('#search-query');
  const grid = document.querySelector('#trending[aria-busy="false"]');
  const usable = box && !box.disabled && grid && grid.querySelector('li');
  return usable ? performance.now() : false;
}"""
BLANK_READY = "() => document.readyState !== 'loading' ? performance.now() : false"


def sizes(build: Build) -> list[tuple[str, int, int, dict[int, int]]]:
    """(route, files, raw bytes, gzipped bytes by level) for every route."""
    rows = []
    for route in build.routes:
        assets = build.assets(build.initial_load(route))
        rows.append((route, len(assets), total(assets), {lv: total(assets, lv) for lv in LEVELS}))
    return rows


def session(url: str) -> dict[str, Any]:
    body = login_body(PASSWORD, name="bench", origin=url, timestamp=int(time.time()) - 30)
    answer = httpx.post(f"{url}/api/auth/verify", json=body, timeout=10)
    answer.raise_for_status()
    verified = answer.json()
    return {k: verified[k] for k in ("token", "name", "role")}


def wait_for_trending(url: str) -> None:
    for _ in range(300):
        if httpx.get(f"{url}/trending-all-en.json", timeout=10).status_code == 200:
            return
        time.sleep(0.1)
    raise RuntimeError("stellarr serve never wrote the trending lists")


def timed_visit(
    browser: Browser, url: str, path: str, ready: str, storage: Any
) -> tuple[float, float]:
    """(first visit ms, repeat visit ms) from navigation start until `ready` says so."""
    context = browser.new_context(
        storage_state=storage, viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    context.route("https://image.tmdb.org/**", lambda route: route.abort())  # offline posters
    try:
        page = context.new_page()
        figures = []
        for _ in range(2):
            page.goto(f"{url}{path}", wait_until="commit")
            found = page.wait_for_function(ready, polling="raf", timeout=30_000)
            figures.append(float(found.json_value()))
        return figures[0], figures[1]
    finally:
        context.close()


def timings(runs: int) -> dict[str, list[tuple[float, float]]]:
    with tempfile.TemporaryDirectory() as tmp, running_fake_tmdb() as tmdb:
        folder = Path(tmp)
        # A copy of the build with the blank page beside it: one server, one folder.
        static = folder / "web"
        shutil.copytree(PACKAGED_WEB, static)
        (static / "blank.html").write_text(BLANK)
        env = {
            "DATABASE_PATH": str(folder / "stellarr.db"),
            "APP_SECRET_KEY": "w" * 48,
            "PRESHARED_PASSWORD": PASSWORD,
            "TMDB_API_KEY": API_KEY,
            "TMDB_BASE_URL": tmdb.url,
            "STATIC_DIR": str(static),
            "ENV_FILE": str(folder / "no.env"),
        }
        with stellarr_server(env, folder) as url, sync_playwright() as playwright:
            wait_for_trending(url)
            stored = {
                "cookies": [],
                "origins": [
                    {
                        "origin": url,
                        "localStorage": [
                            {"name": "stellarr.session", "value": json.dumps(session(url))}
                        ],
                    }
                ],
            }
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                # One untimed round of each first: the server's and the OS's caches warm up.
                timed_visit(browser, url, "/login?next=/", SEARCH_READY, stored)
                timed_visit(browser, url, "/blank.html", BLANK_READY, stored)
                found: dict[str, list[tuple[float, float]]] = {"app": [], "blank": []}
                for _ in range(runs):
                    found["app"].append(
                        timed_visit(browser, url, "/login?next=/", SEARCH_READY, stored)
                    )
                    found["blank"].append(
                        timed_visit(browser, url, "/blank.html", BLANK_READY, stored)
                    )
                return found
            finally:
                browser.close()


def kb(size: int) -> str:
    return f"{size / 1000:.1f} KB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    assert (PACKAGED_WEB / "index.html").is_file(), "not built: run `cd web && npm run build`"
    build = Build(PACKAGED_WEB)
    print(
        f"Taken on {datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, "
        f"{__import__('os').cpu_count()} cores, Chromium headless.\n"
    )
    print("| route | files | raw | gzip -9 | gzip -6 | of the 80 KB budget (gzip -6) |")
    print("|---|---|---|---|---|---|")
    for route, files, raw, gzipped in sizes(build):
        share = gzipped[6] / BUDGET_BYTES
        print(
            f"| `{route}` | {files} | {kb(raw)} | {kb(gzipped[9])} | {kb(gzipped[6])} "
            f"| {share:.0%} |"
        )

    found = timings(args.runs)
    app_first = statistics.median(first for first, _ in found["app"])
    app_repeat = statistics.median(repeat for _, repeat in found["app"])
    blank_first = statistics.median(first for first, _ in found["blank"])
    blank_repeat = statistics.median(repeat for _, repeat in found["blank"])
    print(f"\nTime to a usable search page, median of {args.runs} (ms):\n")
    print("| visit | Discover usable | blank page (floor) | ratio | above the floor |")
    print("|---|---|---|---|---|")
    for name, app, blank in (
        ("first (empty cache)", app_first, blank_first),
        ("repeat (cached assets)", app_repeat, blank_repeat),
    ):
        print(f"| {name} | {app:.0f} | {blank:.0f} | {app / blank:.1f}x | +{app - blank:.0f} |")
    print("\nall runs (first, repeat) ms:", json.dumps(found))


if __name__ == "__main__":
    main()
