"""The web UI: built files from the static folder, index.html for client-side routes."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response

from stellarr.domain.errors import NotFound

API_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
# A missing file of these kinds is a 404, not the HTML page: a browser asking for
# /favicon.ico or a stale bundle must not get HTML it cannot use. Other paths, dotted or
# not, may be client-side routes and still get index.html.
ASSET_SUFFIXES = frozenset(
    {".js", ".mjs", ".css", ".map", ".ico", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
    | {".avif", ".woff", ".woff2", ".ttf", ".json", ".webmanifest", ".txt", ".xml", ".wasm"}
)


def _looks_like_asset(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in ASSET_SUFFIXES


def install_spa(app: FastAPI, static_dir: Path | None) -> None:
    # Unknown API paths stay JSON 404s, never the HTML shell.
    @app.api_route("/api/{rest:path}", methods=API_METHODS, include_in_schema=False)
    async def api_not_found(rest: str) -> Response:
        raise NotFound("Not found")

    if static_dir is None or not (static_dir / "index.html").is_file():
        return
    root = static_dir.resolve()
    index = root / "index.html"

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(path: str) -> Response:
        try:
            candidate = (root / path).resolve()
            found = bool(path) and candidate.is_file() and candidate.is_relative_to(root)
        except (OSError, ValueError):  # NUL bytes, names too long for the file system
            found = False
        if found:
            immutable = candidate.parent.name in ("assets", "_app", "immutable")
            cache = "public, max-age=31536000, immutable" if immutable else "no-cache"
            return FileResponse(candidate, headers={"Cache-Control": cache})
        if _looks_like_asset(path):
            raise NotFound("Not found")
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
