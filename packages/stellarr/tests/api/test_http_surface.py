"""Headers every response carries, and HEAD answered like GET: the surface monitors and
browsers see whichever route answers."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import httpx

from stellarr.bootstrap import packaged_ui
from stellarr.services.feeds import FEEDS

from .conftest import MakeApi

PACKAGED_STATIC = Path(__file__).resolve().parents[2] / "src" / "stellarr" / "static"
# The UI the app serves: the web app's build (web/, built into static/web/).
PACKAGED_UI = packaged_ui()
# What a HEAD must repeat from GET; Date and the like may differ.
SAME_HEADERS = (
    "content-type",
    "content-length",
    "etag",
    "cache-control",
    "vary",
    "content-security-policy",
)


def directives(response: httpx.Response) -> dict[str, list[str]]:
    policy = response.headers["content-security-policy"]
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


def assert_common(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert directives(response)["frame-ancestors"] == ["'none'"]


async def test_head_answers_like_get_without_a_body(make_api: MakeApi) -> None:
    api = await make_api()
    auth = await api.login()
    added = await api.client.post(
        "/api/request", json={"tmdb_id": 13475, "media_type": "movie"}, headers=auth
    )
    assert added.status_code == 201, added.text
    paths = ["/", "/api/health", "/api/docs", "/favicon.ico", "/api/openapi.json"]
    paths += [feed.path for feed in FEEDS]
    # Same status as GET where GET fails too: unknown API path, POST-only route.
    paths += ["/api/missing", "/api/search", "/api/docs/missing.js"]
    for path in paths:
        get = await api.client.get(path)
        head = await api.client.head(path)
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        for name in SAME_HEADERS:
            assert head.headers.get(name) == get.headers.get(name), (path, name)
    assert (await api.client.head("/api/missing")).status_code == 404


async def test_head_revalidates_and_checks_the_feed_token(make_api: MakeApi) -> None:
    api = await make_api(FEED_TOKEN="feed-token-for-head")
    assert (await api.client.head("/list/radarr")).status_code == 401
    fresh = await api.client.head("/rss/all", params={"token": "feed-token-for-head"})
    assert fresh.status_code == 200 and fresh.headers["etag"]
    cached = await api.client.head(
        "/rss/all",
        params={"token": "feed-token-for-head"},
        headers={"If-None-Match": fresh.headers["etag"]},
    )
    assert cached.status_code == 304 and cached.content == b""


def _local_assets(html: str) -> list[str]:
    """The page's own scripts and stylesheets (src= and href= on this origin)."""
    return re.findall(r'(?:src|href)="(/[^/"][^"]*\.(?:js|css))"', html)


async def test_ui_has_a_strict_content_security_policy(make_api: MakeApi) -> None:
    api = await make_api()
    index = await api.client.get("/")
    assets = _local_assets(index.text)
    assert assets
    for path in ("/", *assets, "/requests"):
        response = await api.client.get(path)
        assert response.status_code == 200, path
        assert_common(response)
        policy = directives(response)
        assert policy["script-src"] == ["'self'"], path
        assert policy["style-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
        assert "'unsafe-inline'" not in str(policy) and "'unsafe-eval'" not in str(policy)
        # Posters are the one thing from elsewhere.
        assert policy["img-src"] == ["'self'", "https://image.tmdb.org"]


async def test_docs_policy_allows_only_local_scripts(make_api: MakeApi) -> None:
    api = await make_api()
    for path in ("/api/docs", "/api/docs/swagger-ui-bundle.js"):
        response = await api.client.get(path)
        assert_common(response)
        policy = directives(response)
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
        assert policy["connect-src"] == ["'self'"] and policy["default-src"] == ["'none'"]


async def test_api_and_feed_answers_carry_the_headers_too(make_api: MakeApi) -> None:
    api = await make_api(FEED_TOKEN="feed-token-for-headers")
    answers = [
        await api.client.get("/api/health"),
        await api.client.get("/api/missing"),
        await api.client.get("/api/requests"),  # 401
        await api.client.post("/api/search", json={"query": ""}),
        await api.client.get("/list/sonarr"),
        await api.client.get("/list/sonarr", params={"token": "feed-token-for-headers"}),
    ]
    assert [a.status_code for a in answers] == [200, 404, 401, 401, 401, 200]
    for answer in answers:
        assert_common(answer)
    assert directives(answers[0])["default-src"] == ["'none'"]


class _InlineCode(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [name for name, _ in attrs]
        self.found += [f"{tag}[{n}]" for n in names if n == "style" or n.startswith("on")]
        if tag == "style":
            self.found.append("<style>")
        self._script = tag == "script" and "src" not in names

    def handle_data(self, data: str) -> None:
        if self._script and data.strip():
            self.found.append("inline <script>")

    def handle_endtag(self, tag: str) -> None:
        self._script = False


def test_packaged_page_has_no_inline_code() -> None:
    # The browser tests prove the policy holds at run time; this names the culprit fast.
    parser = _InlineCode()
    page = (PACKAGED_UI / "index.html").read_text()
    parser.feed(page)
    assert parser.found == []
    # Every script the UI ships (the web app's chunks load each other, not from the page).
    scripts = sorted(PACKAGED_UI.rglob("*.js")) if PACKAGED_UI != PACKAGED_STATIC else []
    scripts += [PACKAGED_UI / a.lstrip("/") for a in _local_assets(page) if a.endswith(".js")]
    scripts.append(PACKAGED_STATIC / "api-docs.js")
    for script in scripts:
        code = script.read_text()
        for needle in ("eval(", "new Function", ".setAttribute('style'", '.setAttribute("style"'):
            assert needle not in code, (script, needle)
