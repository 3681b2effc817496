"""The SvelteKit web app (web/) as Stellarr serves it: its build, its cache headers, the SPA
fallback that never swallows a server path, the strict CSP holding in a real Chromium, and
the generated API types matching the app's own OpenAPI schema.

`make test` builds the app first (scripts/bootstrap.sh); these tests fail, not skip, when
the build or web/node_modules is missing, and say which command makes them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from e2e.web_app import NewPage, WebServer, require_build

from stellarr.bootstrap import PACKAGED_WEB, packaged_ui
from stellarr_testing.paths import WEB
from stellarr_tools import openapi_dump

SCHEMA_TYPES = WEB / "src" / "lib" / "api" / "schema.d.ts"
GENERATOR = WEB / "node_modules" / ".bin" / "openapi-typescript"
IMMUTABLE = "public, max-age=31536000, immutable"


class _Page(HTMLParser):
    """Script and stylesheet URLs, and anything the CSP would block: inline scripts, inline
    event handlers, style attributes and <style> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.links: list[str] = []
        self.blocked: list[str] = []
        self._inline = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.blocked += [f"{tag}[{n}]" for n in found if n == "style" or n.startswith("on")]
        if tag == "style":
            self.blocked.append("<style>")
        if tag == "script":
            src = found.get("src")
            self._inline = src is None
            if src is not None:
                self.scripts.append(src)
        if tag == "link" and found.get("href"):
            self.links.append(str(found["href"]))

    def handle_data(self, data: str) -> None:
        if self._inline and data.strip():
            self.blocked.append("inline <script>")

    def handle_endtag(self, tag: str) -> None:
        self._inline = False


def _parse(html: str) -> _Page:
    parser = _Page()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def server(web_server: WebServer) -> str:
    return web_server.url


def test_the_build_is_the_packaged_ui() -> None:
    require_build()
    assert packaged_ui() == PACKAGED_WEB


def test_index_and_fallback_are_revalidated_and_carry_no_inline_code(server: str) -> None:
    root = httpx.get(f"{server}/")
    assert root.status_code == 200 and root.headers["cache-control"] == "no-cache"
    assert "script-src 'self';" in root.headers["content-security-policy"]
    page = _parse(root.text)
    assert page.blocked == []
    # The boot script the post-build step moved out, and SvelteKit's own entry points.
    assert [s for s in page.scripts if s.startswith("/_app/immutable/boot.")], page.scripts
    for path in ("/title/movie/13475", "/requests?status=pending", "/login"):
        deep = httpx.get(f"{server}{path}")
        assert deep.status_code == 200 and deep.text == root.text, path
        assert deep.headers["cache-control"] == "no-cache", path


def test_hashed_assets_are_immutable(server: str) -> None:
    page = _parse(httpx.get(f"{server}/").text)
    assets = [u for u in page.scripts + page.links if u.startswith("/_app/immutable/")]
    assert any(u.endswith(".js") for u in assets) and any(u.endswith(".css") for u in assets)
    for url in assets:
        response = httpx.get(f"{server}{url}")
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == IMMUTABLE, url
        kind = "text/css" if url.endswith(".css") else "text/javascript"
        assert response.headers["content-type"].split(";")[0] == kind, url
    # Not content-hashed: revalidated, so that a deploy reaches every browser.
    version = httpx.get(f"{server}/_app/version.json")
    assert version.status_code == 200 and version.headers["cache-control"] == "no-cache"
    # A trick path out of immutable/ is judged by the file it names, not the URL.
    sneaky = httpx.get(f"{server}/_app/immutable/..%2F..%2Findex.html")
    assert sneaky.headers.get("cache-control") != IMMUTABLE


def test_server_paths_never_get_the_page(server: str) -> None:
    for path in (
        "/api/nope",
        "/api",
        "/list/nope",
        "/rss/nope",
        "/webhook/nope",
        "/webhook/plex",  # POST-only
        "/sync/library",  # POST-only
        "/trending-nope-xx.json",
        "/_app/immutable/missing.js",
    ):
        response = httpx.get(f"{server}{path}")
        assert response.status_code in (404, 405), path
        assert response.headers["content-type"] == "application/json", path
        assert "detail" in response.json(), path


def test_favicon_and_api_docs_still_work(server: str) -> None:
    ico = httpx.get(f"{server}/favicon.ico")
    assert ico.status_code == 200 and ico.content[:4] == b"\x00\x00\x01\x00"
    assert httpx.get(f"{server}/favicon.svg").headers["content-type"] == "image/svg+xml"
    docs = httpx.get(f"{server}/api/docs")
    assert docs.status_code == 200 and "swagger-ui" in docs.text
    assert httpx.get(f"{server}/api/docs/init.js").status_code == 200


def test_app_boots_under_the_real_csp(new_page: NewPage) -> None:
    # Any console error, page error or CSP violation fails the test (the `new_page` fixture).
    page = new_page(locale="de-DE")
    for path in ("/", "/title/movie/13475"):
        page.goto(path)
        # Rendered by the app's JavaScript: it booted. German from the browser's languages,
        # and <html lang> follows.
        page.get_by_role("link", name="Stellarr").first.wait_for()
        page.wait_for_function("document.documentElement.lang === 'de'")


def test_generated_api_types_are_current(tmp_path: Path) -> None:
    assert GENERATOR.is_file(), "web/node_modules missing: run `make web` (npm ci)"
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(openapi_dump.schema(), indent=2, ensure_ascii=False) + "\n")
    fresh = tmp_path / "schema.d.ts"
    subprocess.run(
        [str(GENERATOR), str(spec), "-o", str(fresh)],
        cwd=WEB,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert fresh.read_text() == SCHEMA_TYPES.read_text(), (
        "web/src/lib/api/schema.d.ts is stale: run `make api-types` and commit it"
    )


def test_a_first_build_from_a_clean_checkout_prints_no_warnings(tmp_path: Path) -> None:
    # A copy of the app without .svelte-kit (what a fresh clone has), building into the copy;
    # node_modules is the installed one. The first build used to warn that
    # .svelte-kit/tsconfig.json was missing, because vite ran before `svelte-kit sync`.
    assert GENERATOR.is_file(), "web/node_modules missing: run `make web` (npm ci)"
    copy = tmp_path / "web"
    shutil.copytree(WEB, copy, ignore=shutil.ignore_patterns("node_modules", ".svelte-kit"))
    (copy / "node_modules").symlink_to(WEB / "node_modules")

    build = subprocess.run(
        ["npm", "run", "build"], cwd=copy, capture_output=True, text=True, timeout=600
    )

    output = build.stdout + build.stderr
    assert build.returncode == 0, output[-3000:]
    assert (tmp_path / "src" / "stellarr" / "static" / "web" / "index.html").is_file()
    warnings = [line for line in output.splitlines() if "warn" in line.lower()]
    assert warnings == []
