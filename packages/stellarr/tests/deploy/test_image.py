"""The container image for real, where podman runs: deploy/Dockerfile built from a wheelhouse
made by tools/image_context.py on a local Debian 12 base (no registry is reachable), then run
with a volume as a person runs it.

The base image is made once per machine (stellarr_testing/containers.py); after that this
module costs the wheelhouse (cached downloads), a build whose layers are cached while nothing
changed, and three short-lived containers. The containers use the host's network, so each
listens on 127.0.0.1 at a free port instead of the image's 0.0.0.0:8000 (the image's command
and health check are otherwise run as the image declares them).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from stellarr_testing import containers
from stellarr_testing.fake_tmdb import API_KEY, FakeTMDB
from stellarr_testing.login import login_body
from stellarr_testing.paths import PACKAGE_ROOT
from stellarr_testing.processes import free_port
from stellarr_tools import image_context

DOCKERFILE = PACKAGE_ROOT / "deploy" / "Dockerfile"
TAG = "localhost/stellarr-test:latest"
IMAGE_PORT = "8000"
# The goal for what Stellarr adds to its base image, uncompressed.
MAX_ADDED_BYTES = 100 * 1000 * 1000
# Written by Stellarr into the data folder on first start.
GENERATED = {"stellarr.db", "preshared_password", "app_secret_key", "vapid_private_key"}
# Shameless (US), a show the fake TMDB knows.
SHOW = {"tmdb_id": 66732, "media_type": "tv"}
SIGKILLED = 137


@dataclass(frozen=True)
class Image:
    tag: str
    base: str
    config: dict[str, Any]

    def command(self, port: int) -> list[str]:
        """The image's own command, on 127.0.0.1:`port` (the containers share the host's
        network)."""
        command = list(self.config["Cmd"])
        assert command[-4:] == ["--host", "0.0.0.0", "--port", IMAGE_PORT]
        return [*command[:-4], "--host", "127.0.0.1", "--port", str(port)]

    def health_command(self, port: int) -> str:
        """The image's own health check (exec form, as podman takes it), on `port`."""
        kind, *test = self.config["Healthcheck"]["Test"]
        assert kind == "CMD"
        return json.dumps([part.replace(f":{IMAGE_PORT}/", f":{port}/") for part in test])


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Image:
    try:
        containers.check_podman()
        base = containers.ensure_base_image()
    except containers.Unavailable as exc:
        pytest.skip(f"no container test here: {exc}")
    if not image_context.WEB_INDEX.is_file():
        pytest.skip("the web app is not built (make web): the image serves it")
    context = tmp_path_factory.mktemp("image-context")
    target = image_context.Target.parse(
        containers.python_version(base), platform.machine(), image_context.DEFAULT_GLIBC
    )
    image_context.make_wheelhouse(context, target)
    containers.build(context, DOCKERFILE, TAG, {"BASE": base})
    inspected = containers.inspect("image", TAG)
    return Image(TAG, base, inspected["Config"] | {"Healthcheck": _healthcheck(inspected)})


def _healthcheck(inspected: dict[str, Any]) -> Any:
    # podman reports a docker-format image's health check beside Config, not in it.
    return inspected["Config"].get("Healthcheck") or inspected.get("Healthcheck")


@pytest.fixture
def volumes() -> Iterator[Callable[[], str]]:
    """Makes named volumes, each removed after the test."""
    made: list[str] = []

    def make() -> str:
        name = f"stellarr-test-data-{time.monotonic_ns()}"
        containers.podman("volume", "create", name)
        made.append(name)
        return name

    yield make
    for name in made:
        containers.podman("volume", "rm", "--force", name, check=False)


@pytest.fixture
def volume(volumes: Callable[[], str]) -> str:
    return volumes()


def app_env(fake_tmdb: FakeTMDB) -> dict[str, str]:
    return {"TMDB_API_KEY": API_KEY, "TMDB_BASE_URL": fake_tmdb.url}


def wait_healthy(
    base: str, name: str, timeout: float = 60.0, headers: dict[str, str] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/health", headers=headers, timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if not containers.inspect("container", name)["State"]["Running"]:
            break
        time.sleep(0.2)
    logs = containers.podman("logs", name, check=False)
    pytest.fail(f"{name} never answered /api/health with 200:\n{logs.stdout}{logs.stderr}")


def data_file(name: str, path: str) -> str:
    return containers.podman("exec", name, "cat", f"/data/{path}").stdout.strip()


def test_the_image_declares_a_user_a_volume_a_health_check_and_its_size(image: Image) -> None:
    config = image.config
    assert config["User"] == "stellarr"
    assert config["Cmd"] == ["stellarr", "serve", "--host", "0.0.0.0", "--port", IMAGE_PORT]
    assert not config.get("Entrypoint")  # exec form: the server itself is process 1
    assert set(config["Volumes"]) == {"/data"}
    assert "DATABASE_PATH=/data/stellarr.db" in config["Env"]
    assert f"{IMAGE_PORT}/tcp" in config["ExposedPorts"]
    assert config["StopSignal"] == "SIGTERM"
    assert config["Healthcheck"]["Test"][:3] == ["CMD", "python", "-c"]
    added = containers.added_bytes(image.tag, image.base)
    assert 0 < added <= MAX_ADDED_BYTES, f"the image adds {added / 1e6:.1f} MB to its base"


def tar_in_base(image: Image, volume: str, folder: Path, *tar: str) -> None:
    """tar as docs/self-hosting.md runs it for a backup and a restore: in a throwaway
    container of the base image (root there), the volume at /data, `folder` at /backup."""
    containers.podman(
        "run", "--rm", "--network", "host", "-v", f"{volume}:/data", "-v", f"{folder}:/backup",
        image.base, "tar", "-C", "/data", *tar,
    )  # fmt: skip


def test_runs_as_a_user_keeps_its_data_in_the_volume_and_survives_a_restart(
    image: Image, volumes: Callable[[], str], fake_tmdb: FakeTMDB, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    volume = volumes()

    def start(volume: str) -> AbstractContextManager[str]:
        return containers.container(
            image.tag,
            volume=volume,
            env=app_env(fake_tmdb),
            command=image.command(port),
            health_command=image.health_command(port),
        )

    with start(volume) as name:
        wait_healthy(base, name)
        assert containers.podman("healthcheck", "run", name, check=False).returncode == 0
        status = containers.podman("exec", name, "cat", "/proc/1/status").stdout
        uids = next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1:]
        assert "0" not in uids and set(uids) == {"10001"}, status
        kept = set(containers.podman("exec", name, "ls", "-A", "/data").stdout.split())
        assert kept >= GENERATED

        password = data_file(name, "preshared_password")
        login = httpx.post(f"{base}/api/auth/verify", json=login_body(password, origin=base))
        assert login.status_code == 200, login.text
        auth = {"Authorization": f"Bearer {login.json()['token']}"}
        added = httpx.post(f"{base}/api/request", json=SHOW, headers=auth)
        assert added.status_code == 201, added.text
        # The trending lists go to the volume too, written at start-up from TMDB.
        deadline = time.monotonic() + 30
        while "trending" not in kept and time.monotonic() < deadline:
            time.sleep(0.2)
            kept = set(containers.podman("exec", name, "ls", "-A", "/data").stdout.split())
        assert "trending" in kept

        containers.podman("restart", "--time", "10", name)
        wait_healthy(base, name)
        # The same session key (the token still works), password and request.
        listed = httpx.get(f"{base}/api/requests", headers=auth)
        assert listed.status_code == 200, listed.text
        assert [item["tmdb_id"] for item in listed.json()["requests"]] == [SHOW["tmdb_id"]]
        assert data_file(name, "preshared_password") == password

        # A backup of the stopped app's volume, restored into a new one, serves the same.
        containers.podman("stop", "--time", "10", name)
        tar_in_base(image, volume, tmp_path, "-czf", "/backup/stellarr-data.tgz", ".")
    restored = volumes()
    tar_in_base(image, restored, tmp_path, "-xzf", "/backup/stellarr-data.tgz")
    with start(restored) as name:
        wait_healthy(base, name)
        listed = httpx.get(f"{base}/api/requests", headers=auth)
        assert [item["tmdb_id"] for item in listed.json()["requests"]] == [SHOW["tmdb_id"]]


def test_stop_ends_the_server_with_sigterm_not_sigkill(
    image: Image, volume: str, fake_tmdb: FakeTMDB
) -> None:
    port = free_port()
    with containers.container(
        image.tag, volume=volume, env=app_env(fake_tmdb), command=image.command(port)
    ) as name:
        wait_healthy(f"http://127.0.0.1:{port}", name)
        started = time.monotonic()
        containers.podman("stop", "--time", "10", name, timeout=60)
        print(f"podman stop returned after {time.monotonic() - started:.2f} s")  # pytest -s
        state = containers.inspect("container", name)["State"]
        printed = containers.podman("logs", name)
        logs = printed.stdout + printed.stderr
    # 0 (a clean exit) or 143 (128 + SIGTERM); podman's SIGKILL after 10 s would be 137.
    assert state["ExitCode"] in (0, 143), state
    assert state["ExitCode"] != SIGKILLED
    assert "Finished server process" in logs, logs


def test_the_health_check_passes_the_origin_check_it_is_behind(
    image: Image, volume: str, fake_tmdb: FakeTMDB
) -> None:
    # ORIGIN_VERIFY_SECRET makes every path want X-Origin-Verify, /api/health included.
    secret = "origin-" + "x" * 40
    port = free_port()
    env = app_env(fake_tmdb) | {"ORIGIN_VERIFY_SECRET": secret}
    with containers.container(
        image.tag,
        volume=volume,
        env=env,
        command=image.command(port),
        health_command=image.health_command(port),
    ) as name:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, name, headers={"X-Origin-Verify": secret})
        assert httpx.get(f"{base}/api/health").status_code == 403
        assert containers.podman("healthcheck", "run", name, check=False).returncode == 0


def test_the_local_compose_file_runs_as_self_hosting_md_says(image: Image, tmp_path: Path) -> None:
    """docs/self-hosting.md, section 3, with podman-compose for `docker compose`: the
    published port on 127.0.0.1, the generated password in the logs and in /data, and a
    volume that outlives `down` until `down -v`."""
    compose = shutil.which("podman-compose", path=str(Path(sys.executable).parent))
    if compose is None:
        pytest.skip("podman-compose is not installed (a development dependency)")
    folder = tmp_path / "deploy"
    folder.mkdir()
    shutil.copy(PACKAGE_ROOT / "deploy" / "docker-compose.yml", folder)
    example = (PACKAGE_ROOT / "deploy" / ".env.example").read_text()
    # .env.example as it is, but for the image this test built (its bridge network cannot
    # reach a stand-in TMDB on the host's loopback; nothing here needs one).
    line = "\n# STELLARR_IMAGE=stellarr:latest\n"
    assert line in example
    example = example.replace(line, f"\nSTELLARR_IMAGE={image.tag}\n")
    (folder / ".env").write_text(example)
    port = free_port()
    # The engine settings of this machine's podman, which podman-compose cannot pass itself.
    conf = tmp_path / "containers.conf"
    conf.write_text(
        "[containers]\ndefault_ulimits = []\npids_limit = 0\n"
        '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n'
    )
    project = f"stellarr-compose-{port}"
    env = os.environ | {"CONTAINERS_CONF": str(conf), "STELLARR_PORT": str(port)}

    def run(*args: str) -> str:
        done = subprocess.run(
            [compose, "-p", project, *args],
            cwd=folder, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    base = f"http://127.0.0.1:{port}"
    try:
        run("up", "-d")
        name = f"{project}_stellarr_1"
        wait_healthy(base, name)
        password = run("exec", "stellarr", "cat", "/data/preshared_password").strip()
        assert password and password in run("logs", "stellarr")
        assert name in run("ps")
        login = httpx.post(f"{base}/api/auth/verify", json=login_body(password, origin=base))
        assert login.status_code == 200, login.text
        run("down")
        run("up", "-d")
        wait_healthy(base, name)
        assert run("exec", "stellarr", "cat", "/data/preshared_password").strip() == password
    finally:
        subprocess.run(
            [compose, "-p", project, "down", "-v"],
            cwd=folder, env=env, capture_output=True, timeout=120, check=False,
        )  # fmt: skip
    volumes = containers.podman("volume", "ls", "--format", "{{.Name}}").stdout.split()
    assert f"{project}_stellarr-data" not in volumes


def test_the_wheelhouse_refuses_a_base_of_another_python(image: Image, tmp_path: Path) -> None:
    """The Dockerfile's first step says which Python the wheels are for."""
    other = "3.12" if containers.python_version(image.base) != "3.12" else "3.11"
    (tmp_path / "wheels").mkdir()
    (tmp_path / "wheels" / image_context.PYTHON_VERSION_FILE).write_text(other + "\n")
    with pytest.raises(RuntimeError) as refused:
        containers.build(
            tmp_path, DOCKERFILE, "localhost/stellarr-test-refused", {"BASE": image.base}
        )
    assert f"the wheels are for Python {other}" in str(refused.value)
    assert f"make image IMAGE_PYTHON={containers.python_version(image.base)}" in str(refused.value)
