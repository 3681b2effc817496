"""A first login needs nothing but what StereoSpot says: `stereospot serve` prints the
address, the user name and the token file's path (never the token), and the login page
says where the token is."""

from __future__ import annotations

from pathlib import Path

import httpx

from stereospot.web.app import create_app
from stereospot.web.auth import TOKEN_FILE
from stereospot_testing.web_client import USERS, client_for
from stereospot_testing.web_server import stereospot_serve

from .conftest import Site


def test_serve_prints_where_to_go_and_how_to_log_in(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {
        "STEREOSPOT_BACKEND": "local",
        "STEREOSPOT_DATA_DIR": str(data),
        "STEREOSPOT_USERS": "",  # the generated `local` user, as on a first start
        "STEREOSPOT_CONVERTER": "passthrough",
    }
    errors = tmp_path / "serve.stderr"
    with stereospot_serve(env, tmp_path, tmp_path / "serve.stdout", errors) as url:
        token = (data / TOKEN_FILE).read_text().strip()
        with httpx.Client(base_url=url) as client:  # the printed facts are enough to log in
            answer = client.post("/login", data={"name": "local", "token": token})
            assert answer.status_code == 303, answer.text
    printed = errors.read_text()  # read once the process has ended and flushed
    token_file = data / TOKEN_FILE
    assert f"StereoSpot is ready: open {url}/\n" in printed
    assert "  Name:  local\n" in printed
    assert f"  Token: in {token_file} (on this machine: cat {token_file})\n" in printed
    assert token not in printed


def test_serve_with_configured_users_points_at_the_setting(tmp_path: Path) -> None:
    env = {
        "STEREOSPOT_BACKEND": "local",
        "STEREOSPOT_DATA_DIR": str(tmp_path / "data"),
        "STEREOSPOT_USERS": ",".join(f"{name}:{token}" for name, token in USERS.items()),
        "STEREOSPOT_CONVERTER": "passthrough",
    }
    errors = tmp_path / "serve.stderr"
    with stereospot_serve(env, tmp_path, tmp_path / "serve.stdout", errors) as url:
        pass
    printed = errors.read_text()
    assert f"StereoSpot is ready: open {url}/\n" in printed
    assert "  Log in with a name and token from STEREOSPOT_USERS.\n" in printed
    assert not (tmp_path / "data" / TOKEN_FILE).exists()
    assert all(token not in printed for token in USERS.values())


async def test_the_login_page_says_where_the_local_token_is(site: Site) -> None:
    web = create_app(site.app.service)  # no users given: the local backend's generated one
    token_file = site.harness.settings.data_dir / TOKEN_FILE
    token = token_file.read_text().strip()
    async with client_for(web) as client:
        for page in [await client.get("/login"), await client.post("/login", data={})]:
            assert "Name: <code>local</code>" in page.text
            assert f"the token is in <code>{token_file.absolute()}</code>" in page.text
            assert token not in page.text
    async with client_for(site.web) as client:  # users configured: there is no such file
        page = await client.get("/login")
    assert "Use the name and token your administrator gave you." in page.text
    assert TOKEN_FILE not in page.text
