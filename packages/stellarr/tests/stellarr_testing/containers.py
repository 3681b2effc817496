"""Podman for the deploy tests: a local base image made once, and the calls these machines
need (runc as the runtime, cgroupfs, the host's network).

No image registry is reachable from the test machines, so the base is made here: a Debian 12
root with python3 and python3-venv from `debootstrap`, imported with `podman import` as
BASE_IMAGE. It stays in podman's image store, so only the first run on a machine pays for it
(about a minute); later runs find it. Debian 12's Python is 3.11, which the image accepts like
the default base's 3.12 (the wheelhouse is made for whichever the base has).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

PODMAN = ("podman", "--runtime", "runc", "--cgroup-manager=cgroupfs")
BASE_IMAGE = "localhost/stellarr-base:debian12"
DEBIAN_SUITE = "bookworm"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
# Where the root is assembled (then deleted) and the lock that keeps two runs from making
# the base at once.
WORK_FOLDER = Path("/var/cache/stellarr-test-base")
# What an image's own PATH says; `podman import` makes an image with no environment at all.
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class Unavailable(Exception):
    """Why the container tests cannot run on this machine (their skip reason)."""


def podman(
    *args: str, timeout: float = 120, check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*PODMAN, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result


def inspect(kind: str, name: str) -> dict[str, Any]:
    (found,) = json.loads(podman(kind, "inspect", name).stdout)
    return dict(found)


def check_podman() -> None:
    """Raise Unavailable unless podman is installed and runs containers' plumbing here."""
    if shutil.which("podman") is None:
        raise Unavailable("podman is not installed (apt-get install podman runc)")
    try:
        info = podman("info", "--format", "json", timeout=60, check=False)
    except subprocess.TimeoutExpired:
        raise Unavailable("`podman info` did not answer in 60 s") from None
    if info.returncode != 0:
        raise Unavailable(f"podman does not work here: {info.stderr.strip()[:300]}")


def ensure_base_image() -> str:
    """BASE_IMAGE, made with debootstrap the first time (root only)."""
    if podman("image", "exists", BASE_IMAGE, check=False).returncode == 0:
        return BASE_IMAGE
    if os.geteuid() != 0:
        raise Unavailable(f"{BASE_IMAGE} is missing and only root can debootstrap it")
    if shutil.which("debootstrap") is None:
        raise Unavailable(f"{BASE_IMAGE} is missing and debootstrap is not installed")
    WORK_FOLDER.mkdir(parents=True, exist_ok=True)
    with (WORK_FOLDER / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run may be making it right now
        if podman("image", "exists", BASE_IMAGE, check=False).returncode != 0:
            _make_base()
    return BASE_IMAGE


def _make_base() -> None:
    with tempfile.TemporaryDirectory(dir=WORK_FOLDER) as scratch:
        root = Path(scratch) / "root"
        made = subprocess.run(
            [
                "debootstrap",
                "--variant=minbase",
                "--include=python3,python3-venv",
                DEBIAN_SUITE,
                str(root),
                DEBIAN_MIRROR,
            ],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if made.returncode != 0:
            raise Unavailable(f"debootstrap failed: {made.stdout[-500:]} {made.stderr[-500:]}")
        # What an image leaves out: downloaded packages and package lists.
        for folder in (root / "var/cache/apt/archives", root / "var/lib/apt/lists"):
            for entry in folder.glob("*"):
                if entry.is_file():
                    entry.unlink()
        # tar -C root -c . | podman import - BASE_IMAGE
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        changes = ("--change", f"ENV PATH={DEFAULT_PATH}", "--change", 'CMD ["python3"]')
        imported = subprocess.run(
            [*PODMAN, "import", *changes, "-", BASE_IMAGE],
            stdin=tar.stdout,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert tar.stdout is not None
        tar.stdout.close()
        if tar.wait(timeout=60) != 0 or imported.returncode != 0:
            raise RuntimeError(f"podman import failed: {imported.stderr}")


def python_version(image: str) -> str:
    """The `major.minor` of the image's python3."""
    result = podman(
        "run",
        "--rm",
        "--network",
        "host",
        image,
        "python3",
        "-c",
        "import sys; print('%d.%d' % sys.version_info[:2])",
    )
    return result.stdout.strip()


def build(context: Path, dockerfile: Path, tag: str, build_args: dict[str, str]) -> None:
    """`podman build`, then the untagged leftovers of earlier builds removed (old images and
    build stages, found by the Dockerfile's `stellarr.stage` label); this build's stay as
    the next one's cache."""
    started = int(time.time()) - 1
    arguments = [f"--build-arg={key}={value}" for key, value in build_args.items()]
    podman(
        "build",
        "--network",
        "host",
        "--format",
        "docker",  # OCI images have no HEALTHCHECK
        *arguments,
        "-f",
        str(dockerfile),
        "-t",
        tag,
        str(context),
        timeout=600,
    )
    podman(
        "image", "prune", "--force", "--filter", "label=stellarr.stage",
        "--filter", f"until={started}",
        check=False,
    )  # fmt: skip


def added_bytes(image: str, base: str) -> int:
    """What `image` adds on top of `base`, uncompressed."""
    return int(inspect("image", image)["Size"]) - int(inspect("image", base)["Size"])


@contextlib.contextmanager
def container(
    image: str,
    *,
    volume: str,
    env: dict[str, str],
    command: Sequence[str] = (),
    health_command: str | None = None,
) -> Iterator[str]:
    """A detached container with `volume` at /data and the host's network; removed after."""
    name = f"stellarr-test-{os.getpid()}-{os.urandom(3).hex()}"
    options = ["--name", name, "--network", "host", "-v", f"{volume}:/data"]
    for key, value in env.items():
        options += ["-e", f"{key}={value}"]
    if health_command is not None:
        # Run only when asked (`podman healthcheck run`): no systemd timer on these machines.
        options += ["--health-cmd", health_command, "--health-interval", "disable"]
    podman("run", "--detach", *options, image, *command)
    try:
        yield name
    finally:
        podman("rm", "--force", "--time", "0", name, check=False)
