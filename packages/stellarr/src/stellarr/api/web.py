"""Everything a browser sees besides the JSON API: the packaged UI and the API docs page."""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse

from stellarr.api.http_surface import HttpSurfaceMiddleware
from stellarr.api.spa import install_spa
from stellarr.domain.errors import NotFound

# The docs assets come from the package whatever STATIC_DIR says: a custom UI build has
# no reason to carry Swagger UI, and the docs must work with no internet access.
PACKAGED_STATIC = Path(__file__).resolve().parent.parent / "static"
SWAGGER_UI = PACKAGED_STATIC / "vendor" / "swagger-ui"
DOCS_ASSETS = {
    "swagger-ui-bundle.js": SWAGGER_UI / "swagger-ui-bundle.js",
    "swagger-ui.css": SWAGGER_UI / "swagger-ui.css",
    "init.js": PACKAGED_STATIC / "api-docs.js",
    "favicon.svg": PACKAGED_STATIC / "favicon.svg",
}
# The Lambda package leaves Swagger UI out (half its zip): `stellarr deploy` puts the two
# files in the web app's bucket under this path, on the same origin, and the page links
# them there whenever the package lacks them.
FRONTEND_DOCS_ASSETS = "/api-docs/"
SWAGGER_UI_FILES = ("swagger-ui-bundle.js", "swagger-ui.css")

# Scripts as files, not inline, so the docs page's CSP can say script-src 'self'.
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} API</title>
  <link rel="icon" href="/api/docs/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="{swagger_ui}swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
  <script src="{swagger_ui}swagger-ui-bundle.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>
"""


def swagger_ui_base() -> str:
    """Where the docs page loads Swagger UI from: the package, or the web app's bucket."""
    packaged = all((SWAGGER_UI / name).is_file() for name in SWAGGER_UI_FILES)
    return "/api/docs/" if packaged else FRONTEND_DOCS_ASSETS


def install_web(app: FastAPI, static_dir: Path | None) -> None:
    page = DOCS_PAGE.format(
        title=escape(app.title),
        openapi_url=escape(app.openapi_url or "/api/openapi.json"),
        swagger_ui=swagger_ui_base(),
    )

    @app.get("/api/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page, headers={"Cache-Control": "no-cache"})

    @app.get("/api/docs/{name}", include_in_schema=False)
    async def docs_asset(name: str) -> FileResponse:
        path = DOCS_ASSETS.get(name)
        if path is None or not path.is_file():
            raise NotFound("Not found")
        return FileResponse(path, headers={"Cache-Control": "no-cache"})

    install_spa(app, static_dir)
    app.add_middleware(HttpSurfaceMiddleware)
