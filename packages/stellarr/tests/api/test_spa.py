from __future__ import annotations

import gzip
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

from .conftest import MakeApi


async def test_built_ui_is_served_with_index_fallback(make_api: MakeApi, tmp_path: Path) -> None:
    ui = tmp_path / "ui"
    (ui / "assets").mkdir(parents=True)
    (ui / "index.html").write_text("<html>stellarr-ui</html>")
    (ui / "assets" / "app-1234.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("outside")
    api = await make_api(STATIC_DIR=str(ui))
    root = await api.client.get("/")
    assert root.status_code == 200 and "stellarr-ui" in root.text
    assert root.headers["cache-control"] == "no-cache"
    deep = await api.client.get("/requests/mine")
    assert "stellarr-ui" in deep.text
    asset = await api.client.get("/assets/app-1234.js")
    assert asset.text == "console.log(1)" and "immutable" in asset.headers["cache-control"]
    escape = await api.client.get("/..%2Fsecret.txt")
    assert "outside" not in escape.text
    assert (await api.client.get("/api/missing")).json() == {"detail": "Not found"}


async def test_packaged_ui_is_the_default(make_api: MakeApi) -> None:
    api = await make_api()
    page = await api.client.get("/")
    assert page.status_code == 200 and "<title>Stellarr</title>" in page.text


async def test_odd_paths_fall_back_to_the_ui(make_api: MakeApi, tmp_path: Path) -> None:
    ui = tmp_path / "ui"
    ui.mkdir()
    (ui / "index.html").write_text("<html>stellarr-ui</html>")
    api = await make_api(STATIC_DIR=str(ui))
    for path in ("/%00", "/a%00b", "/assets/%00x", "/" + "x" * 5000):
        response = await api.client.get(path)
        assert response.status_code == 200 and "stellarr-ui" in response.text


class _Links(HTMLParser):
    """Every src and href of a page, and the text of scripts that have no src."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.urls += [v for k, v in attrs if k in ("src", "href") and v is not None]
        self._in_inline_script = tag == "script" and "src" not in found

    def handle_data(self, data: str) -> None:
        if self._in_inline_script and data.strip():
            self.inline_scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_inline_script = False


def _links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


ASSET_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


async def test_api_docs_load_nothing_from_other_hosts(make_api: MakeApi) -> None:
    api = await make_api()
    page = await api.client.get("/api/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    links = _links(page.text)
    assert links.inline_scripts == []  # so the page's CSP needs no 'unsafe-inline'
    assert len(links.urls) == 4, links.urls
    for url in links.urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = await api.client.get(url)
        assert asset.status_code == 200, url
        expected = ASSET_TYPES[PurePosixPath(url).suffix]
        assert asset.headers["content-type"].split(";")[0] == expected, url
        assert b"https://cdn" not in asset.content and b"<html" not in asset.content[:200]
    assert "SwaggerUIBundle" in (await api.client.get("/api/docs/init.js")).text
    spec = await api.client.get("/api/openapi.json")
    assert spec.json()["info"]["title"] == "Stellarr"


async def test_api_docs_work_with_a_custom_ui_folder(make_api: MakeApi, tmp_path: Path) -> None:
    ui = tmp_path / "ui"
    ui.mkdir()
    (ui / "index.html").write_text("<html>stellarr-ui</html>")
    api = await make_api(STATIC_DIR=str(ui))
    bundle = await api.client.get("/api/docs/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and b"SwaggerUIBundle" in bundle.content
    missing = await api.client.get("/api/docs/swagger-ui.js.map")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not found"}
    escape = await api.client.get("/api/docs/..%2F..%2Fapp.py")
    assert escape.status_code == 404 and escape.json() == {"detail": "Not found"}


async def test_favicon_is_an_image_not_the_page(make_api: MakeApi) -> None:
    api = await make_api()
    index = await api.client.get("/")
    assert {"/favicon.ico", "/favicon.svg"} <= set(_links(index.text).urls)
    ico = await api.client.get("/favicon.ico")
    assert ico.status_code == 200 and ico.headers["content-type"].startswith("image/")
    assert ico.content[:4] == b"\x00\x00\x01\x00"  # ICO header: reserved 0, type 1 (icon)
    assert len(ico.content) < 4096
    svg = await api.client.get("/favicon.svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.startswith("<svg") and "<script" not in svg.text


async def test_missing_files_are_404_but_routes_get_the_page(
    make_api: MakeApi, tmp_path: Path
) -> None:
    ui = tmp_path / "ui"
    ui.mkdir()
    (ui / "index.html").write_text("<html>stellarr-ui</html>")
    api = await make_api(STATIC_DIR=str(ui))
    for path in ("/favicon.ico", "/assets/app-0000.js", "/logo.PNG", "/nope.css"):
        response = await api.client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found"}
    for path in ("/requests/mine", "/title/star.trek", "/"):
        response = await api.client.get(path)
        assert response.status_code == 200 and "stellarr-ui" in response.text, path


async def test_hashed_files_are_immutable_and_server_paths_stay_json(
    make_api: MakeApi, tmp_path: Path
) -> None:
    ui = tmp_path / "ui"
    (ui / "_app" / "immutable" / "entry").mkdir(parents=True)
    (ui / "index.html").write_text("<html>stellarr-ui</html>")
    (ui / "_app" / "version.json").write_text("{}")
    (ui / "_app" / "immutable" / "entry" / "start.abc123.js").write_text("export {}")
    (ui / "sw.js").write_text("self")
    api = await make_api(STATIC_DIR=str(ui))
    hashed = await api.client.get("/_app/immutable/entry/start.abc123.js")
    assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"
    for path in ("/_app/version.json", "/sw.js", "/_app/immutable/..%2F..%2Findex.html"):
        response = await api.client.get(path)
        assert response.headers["cache-control"] == "no-cache", path
    for path in ("/list/nope", "/rss/nope", "/webhook/plex", "/sync/library", "/api"):
        response = await api.client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found"}, path
    # Only whole segments: a client-side route may start with the same letters.
    assert "stellarr-ui" in (await api.client.get("/listings")).text


def _gzip_build(ui: Path) -> dict[str, bytes]:
    """A build with gzip copies as web/scripts/precompress.mjs writes them: the plain bytes
    by URL path."""
    files = {
        "/index.html": b"<!doctype html><title>stellarr-ui</title>" + b"<p>shell</p>" * 200,
        "/_app/immutable/entry/app.abc123.js": b"export const x = 1;\n" * 300,
        "/manifest.webmanifest": b'{"name": "Stellarr", "icons": []}' + b" " * 2000,
        "/plain.css": b"body { color: red }\n" * 100,  # no copy: always the plain bytes
    }
    for url, body in files.items():
        path = ui / url.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        if url != "/plain.css":
            path.with_name(path.name + ".gz").write_bytes(gzip.compress(body, 9, mtime=0))
    return files


GZIP = {"Accept-Encoding": "gzip, deflate, br"}


async def test_gzip_copies_are_sent_to_clients_that_accept_gzip(
    make_api: MakeApi, tmp_path: Path
) -> None:
    ui = tmp_path / "ui"
    files = _gzip_build(ui)
    api = await make_api(STATIC_DIR=str(ui))
    for url, body in files.items():
        plain = await api.client.get(url, headers={"Accept-Encoding": "identity"})
        packed = await api.client.get(url, headers=GZIP)
        # httpx decodes gzip: the decoded bytes are the file's own.
        assert plain.content == body and packed.content == body, url
        assert "content-encoding" not in plain.headers, url
        for header in ("content-type", "cache-control"):
            assert plain.headers[header] == packed.headers[header], (url, header)
        if url == "/plain.css":  # no copy beside it: identity, and nothing to vary on
            assert "content-encoding" not in packed.headers and "vary" not in packed.headers
            continue
        copy = (ui / url.lstrip("/")).with_name(url.rsplit("/", 1)[1] + ".gz").read_bytes()
        assert packed.headers["content-encoding"] == "gzip", url
        assert packed.headers["content-length"] == str(len(copy)), url
        assert plain.headers["vary"] == packed.headers["vary"] == "Accept-Encoding", url
        assert plain.headers["etag"] != packed.headers["etag"], url
    types = {
        "/index.html": "text/html; charset=utf-8",
        "/_app/immutable/entry/app.abc123.js": "text/javascript; charset=utf-8",
    }
    for url, media_type in types.items():
        assert (await api.client.get(url, headers=GZIP)).headers["content-type"] == media_type
    immutable = await api.client.get("/_app/immutable/entry/app.abc123.js", headers=GZIP)
    assert immutable.headers["cache-control"] == "public, max-age=31536000, immutable"
    # The SPA fallback is index.html, copy included.
    route = await api.client.get("/requests/mine", headers=GZIP)
    assert route.headers["content-encoding"] == "gzip"
    assert route.content == files["/index.html"]
    assert route.headers["cache-control"] == "no-cache"


async def test_gzip_is_negotiated_per_rfc_9110(make_api: MakeApi, tmp_path: Path) -> None:
    ui = tmp_path / "ui"
    _gzip_build(ui)
    api = await make_api(STATIC_DIR=str(ui))
    for accept, coded in (
        ("gzip", True),
        ("x-gzip", True),
        ("*", True),
        ("br;q=1, gzip;q=0.5", True),
        ("gzip;q=0", False),
        ("gzip;q=0.5, identity", False),
        ("identity", False),
        ("br, zstd", False),
        ("", False),
    ):
        response = await api.client.get("/index.html", headers={"Accept-Encoding": accept})
        assert ("content-encoding" in response.headers) is coded, accept
        assert response.headers["vary"] == "Accept-Encoding", accept


async def test_head_and_ranges_with_gzip_copies(make_api: MakeApi, tmp_path: Path) -> None:
    ui = tmp_path / "ui"
    files = _gzip_build(ui)
    api = await make_api(STATIC_DIR=str(ui))
    url = "/_app/immutable/entry/app.abc123.js"
    get = await api.client.get(url, headers=GZIP)
    head = await api.client.head(url, headers=GZIP)
    assert head.status_code == 200 and head.content == b""
    for header in ("content-encoding", "content-length", "content-type", "etag", "vary"):
        assert head.headers[header] == get.headers[header], header
    # A range is always over the plain bytes (spa._send_file says why).
    part = await api.client.get(url, headers={**GZIP, "Range": "bytes=0-9"})
    assert part.status_code == 206 and "content-encoding" not in part.headers
    assert part.content == files[url][:10] and part.headers["vary"] == "Accept-Encoding"


async def test_gzip_copies_are_never_served_for_other_paths(
    make_api: MakeApi, tmp_path: Path
) -> None:
    ui = tmp_path / "ui"
    files = _gzip_build(ui)
    outside = b"outside secret " * 100
    (tmp_path / "secret.js").write_bytes(outside)
    (tmp_path / "secret.js.gz").write_bytes(gzip.compress(outside, mtime=0))
    # A link out of the folder is not a copy, and a stale copy (its file edited after the
    # build) is not served either.
    (ui / "linked.js").write_bytes(b"linked;" * 200)
    (ui / "linked.js.gz").symlink_to(tmp_path / "secret.js.gz")
    (ui / "plain.css.gz").write_bytes(gzip.compress(b"old styles " * 100, mtime=0))
    api = await make_api(STATIC_DIR=str(ui))
    for path in (
        "/..%2Fsecret.js",
        "/..%2Fsecret.js.gz",
        "/_app/..%2F..%2Fsecret.js",
        "/index.html.gz",
        "/_app/immutable/entry/app.abc123.js.gz",
        "/missing.js.gz",
    ):
        response = await api.client.get(path, headers=GZIP)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found"}, path
    linked = await api.client.get("/linked.js", headers=GZIP)
    assert linked.content == b"linked;" * 200 and "content-encoding" not in linked.headers
    stale = await api.client.get("/plain.css", headers=GZIP)
    assert stale.content == files["/plain.css"] and "content-encoding" not in stale.headers
