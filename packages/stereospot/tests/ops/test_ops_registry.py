"""`stereospot ops ecr-login` and `push` with real podman: the token comes from ECR's API
(moto), the registry is a small OCI distribution server on 127.0.0.1 that accepts only that
token's user and password, and the pushed manifest and blobs must arrive whole."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from stereospot_testing.deployment import Deployment, make_deployment
from stereospot_testing.registry import Registry, registry_server

pytestmark = [
    pytest.mark.aws,
    pytest.mark.skipif(shutil.which("podman") is None, reason="podman is not installed"),
]
ENGINE_ARGS = "--runtime runc --cgroup-manager=cgroupfs"


@pytest.fixture
def registry(moto_endpoint: str, tmp_path: Path) -> Iterator[tuple[Deployment, Registry]]:
    deployment = make_deployment(moto_endpoint, tmp_path / "ops")
    with registry_server("AWS", "123456789012-auth-token") as found:
        # Repositories on the local registry instead of ECR's hosts, which nobody reaches.
        raw = json.loads(deployment.outputs_file.read_text())
        raw["ecr_repositories"]["value"] = {
            image: f"{found.host}/{url.rsplit('/', 1)[-1]}"
            for image, url in raw["ecr_repositories"]["value"].items()
        }
        deployment.outputs_file.write_text(json.dumps(raw))
        yield deployment, found


@pytest.fixture
def tiny_image() -> Iterator[str]:
    """`localhost/stereospot-web-ui:<tag>` holding one file, as `ops build` would name it."""
    tag = f"t{os.urandom(4).hex()}"
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        data = b"stereospot push test\n"
        entry = tarfile.TarInfo("hello.txt")
        entry.size = len(data)
        tar.addfile(entry, io.BytesIO(data))
    name = f"localhost/stereospot-web-ui:{tag}"
    podman = ["podman", *ENGINE_ARGS.split()]
    subprocess.run([*podman, "import", "-", name], input=archive.getvalue(), check=True,
                   capture_output=True)  # fmt: skip
    try:
        yield tag
    finally:
        subprocess.run([*podman, "rmi", "--force", name], capture_output=True, check=False)


def test_login_then_push_one_image(
    registry: tuple[Deployment, Registry], tiny_image: str, tmp_path: Path
) -> None:
    deployment, found = registry
    env = {"REGISTRY_AUTH_FILE": str(tmp_path / "auth.json"), "STEREOSPOT_ENGINE_ARGS": ENGINE_ARGS}
    unauthorised = deployment.ops(
        "push", "--image", "web-ui", "--tag", tiny_image, "--no-tls-verify", **env
    )
    assert unauthorised.returncode == 1 and "podman push exited" in unauthorised.stderr

    login = deployment.ops("ecr-login", "--engine", "podman", "--no-tls-verify", **env)
    assert login.returncode == 0, login.stderr
    assert f"logged in to {found.host}" in login.stdout
    assert "123456789012-auth-token" not in login.stdout + login.stderr

    pushed = deployment.ops(
        "push", "--image", "web-ui", "--tag", tiny_image, "--no-tls-verify", **env
    )
    assert pushed.returncode == 0, pushed.stderr
    repository = f"{deployment.outputs['prefix']}-web-ui"
    assert f"pushed {found.host}/{repository}:{tiny_image}" in pushed.stdout
    assert f"--var image_tag={tiny_image}" in pushed.stdout
    _, manifest = found.manifests[(repository, tiny_image)]
    layers = json.loads(manifest)["layers"]
    assert layers and all(layer["digest"] in found.blobs for layer in layers)


def test_an_image_that_was_not_built_is_named(registry: tuple[Deployment, Registry]) -> None:
    deployment, _ = registry
    done = deployment.ops(
        "push", "--image", "video-worker", "--tag", "never-built", "--no-tls-verify",
        STEREOSPOT_ENGINE_ARGS=ENGINE_ARGS,
    )  # fmt: skip
    assert done.returncode == 1
    assert "podman tag exited" in done.stderr
    unknown = deployment.ops("push", "--image", "gpu-worker", "--tag", "x")
    assert unknown.returncode == 2 and "no image gpu-worker" in unknown.stderr
