from __future__ import annotations

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
