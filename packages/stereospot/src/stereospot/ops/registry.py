"""Images to ECR: `ecr-login` and `push`, through podman or docker.

The login token comes from ECR's API (boto3, the operator's credentials) and goes to the
engine on stdin, never on a command line where `ps` shows it. Images are built locally as
`localhost/stereospot-<image>:<tag>` (`stereospot ops build`) and pushed as
`<repository>:<tag>`; the task definitions and the SageMaker model name that tag
(Terraform's `image_tag`).
"""

from __future__ import annotations

import base64
import os
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from typing import Any

from stereospot.ops.outputs import IMAGES, OpsError, Outputs, UsageError

ENGINES = ("podman", "docker")


def engine_command(engine: str | None) -> list[str]:
    """The engine and its global options: STEREOSPOT_ENGINE_ARGS adds some (podman on a
    machine without systemd wants `--cgroup-manager=cgroupfs`, for instance)."""
    names = [engine] if engine else list(ENGINES)
    for name in names:
        if shutil.which(name):
            return [name, *shlex.split(os.environ.get("STEREOSPOT_ENGINE_ARGS", ""))]
    raise UsageError(f"no {' or '.join(names)} on PATH: install one to build and push images")


def local_name(image: str, tag: str) -> str:
    return f"localhost/stereospot-{image}:{tag}"


def default_tag(checkout: str | None = None) -> str:
    """The checkout's commit: a tag names one image for good (ECR keeps tags immutable), so
    a checkout with uncommitted changes has no default; outside a checkout, the version."""
    from stereospot import __version__

    git = shutil.which("git")
    here = checkout or os.path.dirname(__file__)

    def ask(*args: str) -> subprocess.CompletedProcess[str] | None:
        if git is None:
            return None
        return subprocess.run(  # noqa: S603 (fixed argv)
            [git, *args], capture_output=True, text=True, check=False, cwd=here
        )

    commit = ask("rev-parse", "--short=12", "HEAD")
    if commit is None or commit.returncode != 0 or not commit.stdout.strip():
        return __version__
    changes = ask("status", "--porcelain", "--untracked-files=no")
    if changes is not None and changes.stdout.strip():
        raise UsageError(
            "the checkout has uncommitted changes, so its commit does not name what would be "
            "built: commit them, or pass --tag"
        )
    return commit.stdout.strip()


def chosen(images: Sequence[str]) -> list[str]:
    unknown = sorted(set(images) - set(IMAGES))
    if unknown:
        raise UsageError(f"no image {', '.join(unknown)}; images are {', '.join(IMAGES)}")
    return list(images) or list(IMAGES)


def _engine(command: list[str], *args: str, stdin: str | None = None) -> None:
    result = subprocess.run(  # noqa: S603 (argv of the operator's own tools)
        [*command, *args], input=stdin, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise OpsError(f"{command[0]} {args[0]} exited {result.returncode}: {last}")


def registries(outputs: Outputs) -> list[str]:
    return sorted({url.split("/", 1)[0] for url in outputs.ecr_repositories.values()})


def login(ecr: Any, outputs: Outputs, command: list[str], tls_verify: bool = True) -> list[str]:
    """Log the engine in to every registry the repositories live in; returns them."""
    token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    user, _, password = base64.b64decode(token).decode().partition(":")
    hosts = registries(outputs)
    extra = [] if tls_verify else ["--tls-verify=false"]
    for host in hosts:
        _engine(
            command, "login", *extra, "--username", user, "--password-stdin", host, stdin=password
        )
    return hosts


def push(
    outputs: Outputs, command: list[str], images: Sequence[str], tag: str, tls_verify: bool = True
) -> list[str]:
    """Tag and push each built image; returns the pushed references."""
    pushed = []
    extra = [] if tls_verify else ["--tls-verify=false"]
    for image in chosen(images):
        remote = f"{outputs.ecr_repositories[image]}:{tag}"
        _engine(command, "tag", local_name(image, tag), remote)
        _engine(command, "push", *extra, remote)
        pushed.append(remote)
    return pushed
