"""The web UI: built files from the static folder, index.html for client-side routes.

The build writes a gzip copy next to each text file (web/scripts/precompress.mjs); a
client that accepts gzip gets those bytes, so nothing is compressed per request.
"""

from __future__ import annotations

import hashlib
import os
import stat
from functools import lru_cache
from mimetypes import guess_type
from pathlib import Path, PurePosixPath

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response

from stellarr.domain.content_coding import GZIP, negotiate
from stellarr.domain.errors import NotFound

API_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
# A missing file of these kinds is a 404, not the HTML page: a browser asking for
# /favicon.ico or a stale bundle must not get HTML it cannot use. Other paths, dotted or
# not, may be client-side routes and still get index.html.
ASSET_SUFFIXES = frozenset(
    {".js", ".mjs", ".css", ".map", ".ico", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
    | {".avif", ".woff", ".woff2", ".ttf", ".json", ".webmanifest", ".txt", ".xml", ".wasm"}
    | {".gz"}
)
# The kinds the build keeps a gzip copy of; keep in step with web/scripts/precompress.mjs.
COMPRESSIBLE = frozenset({".js", ".css", ".html", ".json", ".svg", ".webmanifest"})
# A copy is a coding of its file, not a resource of its own: asked for by name it is a 404,
# never gzip bytes labelled as JavaScript without a Content-Encoding.
PRECOMPRESSED = ".gz"
# The server's own machine-facing paths: an unknown one (a typo in Radarr's list URL, a GET
# on a POST-only webhook) is a JSON 404 that its caller can read, never the HTML shell.
SERVER_PREFIXES = ("api", "list", "rss", "webhook", "sync")
# Content-hashed names: SvelteKit's _app/immutable/ (and the boot script the post-build
# step writes there) and a Vite-style assets/ folder. Anything else, index.html and sw.js
# above all, must be revalidated so that a deploy reaches every browser.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def _looks_like_asset(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in ASSET_SUFFIXES


def _is_server_path(path: str) -> bool:
    return path.split("/", 1)[0] in SERVER_PREFIXES


def _is_hashed(relative: PurePosixPath) -> bool:
    parts = relative.parts
    return parts[:2] == ("_app", "immutable") or parts[:1] == ("assets",)


@lru_cache(maxsize=1024)
def _copy_is_current(copy: Path, size: int, mtime_ns: int, plain_size: int) -> bool:
    # gzip's trailer ends with the uncompressed length mod 2**32 (RFC 1952 §2.3.1): a copy
    # left beside a file edited after the build almost always names another length, and a
    # truncated one is too short to have a trailer. Cached per (copy, its stat, plain size).
    if size < 18:  # header (10) + trailer (8)
        return False
    try:
        with copy.open("rb") as file:
            file.seek(-4, os.SEEK_END)
            return int.from_bytes(file.read(4), "little") == plain_size % 2**32
    except OSError:
        return False


def _gzip_copy(plain: Path, root: Path) -> tuple[Path, os.stat_result] | None:
    """The build's gzip copy of `plain` (a file inside `root`) and its stat, when there is
    a current one inside `root` too: a link out of the folder is no copy."""
    if plain.suffix.lower() not in COMPRESSIBLE:
        return None
    try:
        copy = plain.with_name(plain.name + PRECOMPRESSED).resolve()
        if not copy.is_relative_to(root):
            return None
        found = copy.stat()
        plain_size = plain.stat().st_size
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    if not _copy_is_current(copy, found.st_size, found.st_mtime_ns, plain_size):
        return None
    return copy, found


def _gzip_etag(found: os.stat_result) -> str:
    # Starlette's own ETag for a file, from the copy's stat, marked so that it can never
    # equal the plain file's: a cache must not revalidate one coding with the other's tag.
    base = f"{found.st_mtime}-{found.st_size}".encode()
    return f'"{hashlib.md5(base, usedforsecurity=False).hexdigest()}-gzip"'


def _send_file(request: Request, plain: Path, root: Path, cache_control: str) -> Response:
    """`plain`, or its gzip copy when the client accepts gzip; same Cache-Control either way.

    A Range request always gets the plain file: its byte offsets then mean what a client
    resuming a download expects whatever it sent as Accept-Encoding before. Browsers never
    ask for ranges of scripts and pages, so nothing is lost.
    """
    headers = {"Cache-Control": cache_control}
    copy = _gzip_copy(plain, root)
    if copy is None:
        return FileResponse(plain, headers=headers)
    # On both answers: a shared cache must not hand a stored gzip body to a client that
    # cannot decode it, nor the plain body to every client after one that did not ask.
    headers["Vary"] = "Accept-Encoding"
    accept = ", ".join(request.headers.getlist("accept-encoding")) or None
    if negotiate(accept) != GZIP or "range" in request.headers:
        return FileResponse(plain, headers=headers)
    path, found = copy
    headers["Content-Encoding"] = GZIP
    headers["ETag"] = _gzip_etag(found)
    # The plain file's type (what Starlette would send for it), not the copy's .gz name.
    media_type = guess_type(plain)[0] or "application/octet-stream"
    return FileResponse(path, headers=headers, media_type=media_type, stat_result=found)


def install_spa(app: FastAPI, static_dir: Path | None) -> None:
    # Unknown API paths stay JSON 404s, never the HTML shell, even with no UI folder.
    @app.api_route("/api/{rest:path}", methods=API_METHODS, include_in_schema=False)
    async def api_not_found(rest: str) -> Response:
        raise NotFound("Not found")

    if static_dir is None or not (static_dir / "index.html").is_file():
        return
    root = static_dir.resolve()
    index = root / "index.html"

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(request: Request, path: str) -> Response:
        if _is_server_path(path):
            raise NotFound("Not found")
        try:
            candidate = (root / path).resolve()
            found = bool(path) and candidate.is_file() and candidate.is_relative_to(root)
        except (OSError, ValueError):  # NUL bytes, names too long for the file system
            found = False
        if found and candidate.suffix.lower() == PRECOMPRESSED:
            raise NotFound("Not found")
        if found:
            # The resolved name, not the URL's: "_app/immutable/../../index.html" is index.html.
            relative = PurePosixPath(candidate.relative_to(root).as_posix())
            cache = IMMUTABLE if _is_hashed(relative) else REVALIDATE
            return _send_file(request, candidate, root, cache)
        if _looks_like_asset(path):
            raise NotFound("Not found")
        return _send_file(request, index, root, REVALIDATE)
