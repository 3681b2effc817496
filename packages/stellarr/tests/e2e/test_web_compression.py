"""The web app's gzip copies: what the post-build step (web/scripts/precompress.mjs) writes,
and `stellarr serve` sending those bytes, unchanged, to a client that accepts gzip.

Like test_web_build.py these fail, not skip, without the build: `make web` makes it.
"""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path, PurePosixPath

import httpx

from stellarr.api.spa import COMPRESSIBLE
from stellarr.bootstrap import PACKAGED_WEB
from stellarr_testing.paths import WEB
from stellarr_testing.web_budget import BUDGET_BYTES, Build

from .web_app import WebServer, require_build

PRECOMPRESS = WEB / "scripts" / "precompress.mjs"


def _precompress(folder: Path) -> None:
    subprocess.run(["node", str(PRECOMPRESS), str(folder)], check=True, capture_output=True)


def test_precompress_writes_level_9_copies_of_text_files(tmp_path: Path) -> None:
    (tmp_path / "_app" / "immutable").mkdir(parents=True)
    texts = {
        "index.html": b"<!doctype html><p>page</p>" * 100,
        "_app/immutable/app.x1.js": b"export const a = 1;\n" * 100,
        "_app/immutable/app.x1.css": b"p { margin: 0 }\n" * 100,
        "_app/version.json": b'{"version": "1"}' + b" " * 500,
        "favicon.svg": b"<svg xmlns='http://www.w3.org/2000/svg'></svg>" + b" " * 500,
        "manifest.webmanifest": b'{"name": "Stellarr"}' + b" " * 500,
    }
    for name, body in texts.items():
        (tmp_path / name).write_bytes(body)
    (tmp_path / "icon.png").write_bytes(b"\x89PNG" + bytes(2000))  # compressed already
    (tmp_path / "tiny.json").write_bytes(b"{}")  # gzip would only make it bigger
    (tmp_path / "gone.js.gz").write_bytes(gzip.compress(b"an earlier build", mtime=0))

    _precompress(tmp_path)
    copies = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.gz")}
    assert copies == {f"{name}.gz" for name in texts}
    for name, body in texts.items():
        packed = (tmp_path / f"{name}.gz").read_bytes()
        assert gzip.decompress(packed) == body, name
        assert packed[4:8] == bytes(4), name  # mtime 0: the same bytes on every build
        assert packed[8] == 2, name  # XFL 2: the slowest, smallest level (9)
    first = {name: (tmp_path / name).read_bytes() for name in copies}
    _precompress(tmp_path)  # a second run changes nothing
    assert first == {name: (tmp_path / name).read_bytes() for name in copies}


def test_the_build_has_a_current_copy_of_every_text_file() -> None:
    require_build()
    texts = [p for p in PACKAGED_WEB.rglob("*") if p.suffix in COMPRESSIBLE and p.is_file()]
    assert texts
    for plain in texts:
        copy = plain.with_name(plain.name + ".gz")
        body = plain.read_bytes()
        if copy.is_file():
            assert gzip.decompress(copy.read_bytes()) == body, plain
        else:  # only where gzip would not be smaller
            assert len(gzip.compress(body, 9)) >= len(body), plain


def test_stellarr_serves_the_builds_copies(web_server: WebServer) -> None:
    build = Build(PACKAGED_WEB)
    index = (PACKAGED_WEB / "index.html").read_bytes()
    with httpx.Client(base_url=web_server.url, timeout=30) as client:
        for path in ("/", "/requests", "/index.html"):  # the SPA fallback included
            answer, raw = _fetch(client, path)
            assert answer.headers["content-type"] == "text/html; charset=utf-8", path
            assert answer.headers["cache-control"] == "no-cache", path
            assert raw == (PACKAGED_WEB / "index.html.gz").read_bytes(), path
        plain = client.get("/", headers={"Accept-Encoding": "identity"})
        assert plain.content == index and "content-encoding" not in plain.headers
        assert plain.headers["vary"] == "Accept-Encoding"
        # What a first visit downloads travels as the build's copies, within the budget.
        for route in build.routes:
            sent = 0
            for url in build.initial_load(route):
                answer, raw = _fetch(client, url)
                built = build.file(url)
                assert raw == built.with_name(built.name + ".gz").read_bytes(), url
                media_type = answer.headers["content-type"].split(";")[0]
                assert media_type == _TYPES[PurePosixPath(url).suffix], url
                sent += len(raw)
            assert sent <= BUDGET_BYTES, (route, sent)


_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}


def _fetch(client: httpx.Client, url: str) -> tuple[httpx.Response, bytes]:
    """The answer to a gzip-accepting GET of `url`, and its body as sent (not decoded)."""
    with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as answer:
        raw = b"".join(answer.iter_raw())
    assert answer.status_code == 200, url
    assert answer.headers["content-encoding"] == "gzip", url
    assert answer.headers["vary"] == "Accept-Encoding", url
    assert answer.headers["content-length"] == str(len(raw)), url
    return answer, raw
