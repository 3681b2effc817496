"""Everything a browser sees besides the JSON API: the packaged UI and the API docs page."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from stellarr.api.spa import install_spa


def install_web(app: FastAPI, static_dir: Path | None) -> None:
    @app.get("/api/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/api/openapi.json", title="Stellarr API")

    install_spa(app, static_dir)
