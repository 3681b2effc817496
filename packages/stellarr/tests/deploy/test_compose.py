"""deploy/docker-compose.yml, docker-compose.prod.yml and .env.example: what they publish,
keep and pass, read from the files, and `podman-compose config` where podman runs (it
interpolates `.env` the way Compose does)."""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from stellarr.bootstrap import configure
from stellarr.environment import read_env_file
from stellarr.settings import KNOWN_VARIABLES
from stellarr_testing.paths import PACKAGE_ROOT

DEPLOY = PACKAGE_ROOT / "deploy"
ENV_EXAMPLE = DEPLOY / ".env.example"
LOCAL = DEPLOY / "docker-compose.yml"
PROD = DEPLOY / "docker-compose.prod.yml"
# Read by the compose files only.
COMPOSE_VARIABLES = {"DOMAIN", "STELLARR_IMAGE", "STELLARR_PORT"}
# Set by the image (deploy/Dockerfile): an empty line in .env would override them.
SET_BY_THE_IMAGE = {"DATABASE_PATH", "STORE"}
PODMAN_COMPOSE = Path(sys.executable).with_name("podman-compose")


def compose(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text())
    assert isinstance(loaded, dict)
    return loaded


def documented(path: Path) -> dict[str, bool]:
    """Each variable .env.example names, and whether its line is read (not a comment)."""
    names: dict[str, bool] = {}
    for line in path.read_text().splitlines():
        text = line.removeprefix("# ").strip()
        name, equals, _ = text.partition("=")
        if equals and name.isupper() and name.replace("_", "").isalnum():
            names[name] = names.get(name, False) or not line.startswith("#")
    return names


def test_env_example_lists_every_variable_stellarr_reads_and_no_other() -> None:
    names = set(documented(ENV_EXAMPLE))
    assert sorted(set(KNOWN_VARIABLES) - names) == []
    assert sorted(names - set(KNOWN_VARIABLES) - COMPOSE_VARIABLES) == []


def test_env_example_sets_no_value_and_leaves_the_images_paths_alone() -> None:
    values = read_env_file(ENV_EXAMPLE)
    assert values, "no variable is read from .env.example"
    assert {name: value for name, value in values.items() if value} == {}
    read = {name for name, active in documented(ENV_EXAMPLE).items() if active}
    assert not read & SET_BY_THE_IMAGE


def test_env_example_copied_as_it_is_starts_stellarr(tmp_path: Path) -> None:
    """Empty values count as unset: the secrets are generated into the data folder."""
    env = {
        **read_env_file(ENV_EXAMPLE),
        "ENV_FILE": str(tmp_path / "none"),
        "DATABASE_PATH": str(tmp_path / "data" / "stellarr.db"),
    }
    deployment = configure(env)
    assert deployment.config.database_path == tmp_path / "data" / "stellarr.db"
    for generated in ("app_secret_key", "preshared_password", "vapid_private_key"):
        assert (tmp_path / "data" / generated).is_file()


def test_local_compose_publishes_on_loopback_only_and_keeps_data_in_a_volume() -> None:
    spec = compose(LOCAL)
    assert spec["name"] == "stellarr"  # the volume is stellarr_stellarr-data
    assert set(spec["services"]) == {"stellarr"}
    app = spec["services"]["stellarr"]
    assert app["image"] == "${STELLARR_IMAGE:-stellarr:latest}"
    assert app["pull_policy"] == "never"  # made by `make image`, in no registry
    assert app["env_file"] == ".env"
    assert app["ports"] == ["127.0.0.1:${STELLARR_PORT:-8000}:8000"]
    assert app["volumes"] == ["stellarr-data:/data"]
    assert set(spec["volumes"]) == {"stellarr-data"}
    assert app["restart"] == "unless-stopped"


def test_prod_compose_publishes_caddy_alone_and_trusts_only_its_address() -> None:
    spec = compose(PROD)
    assert spec["name"] == "stellarr"  # the same volume as docker-compose.yml's
    app, caddy = spec["services"]["stellarr"], spec["services"]["caddy"]
    assert "ports" not in app
    assert app["env_file"] == ".env"
    assert app["volumes"] == ["stellarr-data:/data"]
    assert app["environment"]["PUBLIC_URL"] == "https://${DOMAIN:?set DOMAIN in .env}"
    caddy_address = caddy["networks"]["stellarr"]["ipv4_address"]
    assert app["environment"]["TRUSTED_PROXIES"] == f"{caddy_address}/32"
    (subnet,) = (entry["subnet"] for entry in spec["networks"]["stellarr"]["ipam"]["config"])
    assert ipaddress.ip_address(caddy_address) in ipaddress.ip_network(subnet)
    assert app["networks"]["stellarr"]["ipv4_address"] != caddy_address

    assert caddy["image"] == "caddy:2"
    assert sorted(caddy["ports"]) == ["443:443", "443:443/udp", "80:80"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    assert {"caddy-data:/data", "caddy-config:/config"} <= set(caddy["volumes"])
    assert caddy["environment"]["DOMAIN"] == "${DOMAIN:?set DOMAIN in .env}"
    assert caddy["depends_on"] == {"stellarr": {"condition": "service_healthy"}}
    assert set(spec["volumes"]) == {"stellarr-data", "caddy-data", "caddy-config"}


def podman_compose_config(folder: Path, file: str) -> subprocess.CompletedProcess[str]:
    if not PODMAN_COMPOSE.is_file():
        pytest.skip(f"podman-compose is not installed beside {sys.executable}")
    if shutil.which("podman") is None:
        pytest.skip("podman is not installed: podman-compose asks it for its version")
    return subprocess.run(
        [str(PODMAN_COMPOSE), "-f", file, "config"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def deploy_copy(tmp_path: Path) -> Path:
    """The deploy folder as a person uses it: .env made from .env.example."""
    for name in ("docker-compose.yml", "docker-compose.prod.yml", "Caddyfile"):
        shutil.copy(DEPLOY / name, tmp_path / name)
    shutil.copy(ENV_EXAMPLE, tmp_path / ".env")
    return tmp_path


def test_podman_compose_reads_both_files_with_the_example_env(deploy_copy: Path) -> None:
    env = deploy_copy / ".env"
    env.write_text(env.read_text().replace("\nDOMAIN=\n", "\nDOMAIN=requests.example.com\n"))

    local = podman_compose_config(deploy_copy, "docker-compose.yml")
    assert local.returncode == 0, local.stderr
    app = yaml.safe_load(local.stdout)["services"]["stellarr"]
    assert app["image"] == "stellarr:latest"
    assert app["ports"] == ["127.0.0.1:8000:8000"]

    prod = podman_compose_config(deploy_copy, "docker-compose.prod.yml")
    assert prod.returncode == 0, prod.stderr
    services = yaml.safe_load(prod.stdout)["services"]
    assert services["stellarr"]["environment"]["PUBLIC_URL"] == "https://requests.example.com"
    assert services["caddy"]["environment"]["DOMAIN"] == "requests.example.com"


def test_prod_compose_refuses_to_start_without_a_domain(deploy_copy: Path) -> None:
    result = podman_compose_config(deploy_copy, "docker-compose.prod.yml")
    assert result.returncode != 0
    assert "set DOMAIN in .env" in result.stdout + result.stderr
