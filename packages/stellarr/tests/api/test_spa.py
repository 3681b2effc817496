from __future__ import annotations

from pathlib import Path

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
