"""Podman for the image tests: the engine options these machines need, a base image made
here once, and containers that are always removed.

No registry is reachable from the test machines, so the base (a Debian 12 root with
python3-venv) is made locally: Stellarr's tests make the same one, so its tag is reused
when present; otherwise `debootstrap` and `podman import` make it (root only, about a
minute), and it stays in podman's store for every later run. The containers share the
host's network (these machines have no other), so tests give each server its own port.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

# runc and cgroupfs: the defaults (crun, systemd) are missing on these machines.
ENGINE = ("podman", "--runtime", "runc", "--cgroup-manager=cgroupfs")
BASE = "localhost/stereospot-base:debian12"
STELLARR_BASE = "localhost/stellarr-base:debian12"
MIRROR = "http://deb.debian.org/debian"
SCRATCH = Path("/var/cache/stereospot-test-base")


class Unavailable(Exception):
    """Why no image test can run here: the skip reason."""


def podman(
    *args: str, timeout: float = 180, check: bool = True
) -> subprocess.CompletedProcess[str]:
    command = [*ENGINE, *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if check and done.returncode:
        raise RuntimeError(f"{shlex.join(command[:6])} ... exited {done.returncode}: {done.stderr}")
    return done


def inspect(kind: str, name: str) -> dict[str, Any]:
    return dict(json.loads(podman(kind, "inspect", name).stdout)[0])


def _exists(image: str) -> bool:
    return podman("image", "exists", image, check=False).returncode == 0


def base_image() -> str:
    """BASE: Stellarr's identical base tagged anew, or one made with debootstrap; Unavailable
    where podman cannot run containers."""
    if shutil.which("podman") is None:
        raise Unavailable("podman is not installed")
    try:
        info = podman("info", timeout=60, check=False)
    except subprocess.TimeoutExpired:
        raise Unavailable("`podman info` did not answer in 60 s") from None
    if info.returncode:
        raise Unavailable(f"podman cannot run containers here: {info.stderr.strip()[:200]}")
    if _exists(BASE):
        return BASE
    if _exists(STELLARR_BASE):
        podman("tag", STELLARR_BASE, BASE)
        return BASE
    if os.geteuid() != 0 or shutil.which("debootstrap") is None:
        raise Unavailable(f"no {BASE}, and making one needs root and debootstrap")
    SCRATCH.mkdir(parents=True, exist_ok=True)
    with (SCRATCH / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a parallel run may be making it
        if not _exists(BASE):
            _debootstrap()
    return BASE


def _debootstrap() -> None:
    """Debian 12's minbase with python3-venv, less apt's caches, imported as BASE (an
    imported image has no environment, so PATH is given)."""
    with tempfile.TemporaryDirectory(dir=SCRATCH) as scratch:
        root = f"{scratch}/root"
        path = "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        script = " && ".join([
            f"debootstrap --variant=minbase --include=python3-venv bookworm {root} {MIRROR}",
            f"rm -rf {root}/var/lib/apt/lists/* {root}/var/cache/apt/archives/*.deb",
            f"tar -C {root} -c . | {shlex.join(ENGINE)} import --change '{path}' - {BASE}",
        ])  # fmt: skip
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", script],
            capture_output=True, text=True, timeout=1200, check=False,
        )  # fmt: skip
        if done.returncode:
            raise Unavailable(f"could not make {BASE}: {done.stderr.strip()[-400:]}")


def python_version(image: str) -> str:
    code = "import sys; print('%d.%d' % sys.version_info[:2])"
    return podman("run", "--rm", "--network", "host", image, "python3", "-c", code).stdout.strip()


def layers_above(image: str, base: str) -> int:
    """Bytes `image` adds to `base`, uncompressed."""
    return int(inspect("image", image)["Size"]) - int(inspect("image", base)["Size"])


def health_test(image: str) -> list[str]:
    """The image's HEALTHCHECK as the exec form podman's --health-cmd takes (podman reports
    a docker-format image's check beside Config, not in it)."""
    found = inspect("image", image)
    check = found["Config"].get("Healthcheck") or found.get("Healthcheck")
    kind, *test = check["Test"]
    assert kind == "CMD", check
    return list(test)


@contextlib.contextmanager
def running(
    image: str,
    command: Sequence[str] = (),
    *,
    env: Mapping[str, str],
    health: Sequence[str],
    mounts: Mapping[Path, str] | None = None,
) -> Iterator[str]:
    """A detached container on the host's network, removed afterwards. `health` is its
    health check: run only by `podman healthcheck run` (no systemd timers here)."""
    name = f"stereospot-test-{os.getpid()}-{os.urandom(3).hex()}"
    options = ["--name", name, "--network", "host", "--health-cmd", json.dumps(list(health))]
    options += ["--health-interval", "disable"]
    for key, value in env.items():
        options += ["--env", f"{key}={value}"]
    for source, target in (mounts or {}).items():
        options += ["--volume", f"{source}:{target}:ro"]
    podman("run", "--detach", *options, image, *command)
    try:
        yield name
    finally:
        podman("rm", "--force", "--time", "0", name, check=False)


def logs(name: str) -> str:
    done = podman("logs", name, check=False)
    return done.stdout + done.stderr


def is_running(name: str) -> bool:
    return bool(inspect("container", name)["State"]["Running"])


def process_uids(name: str) -> set[str]:
    """Real, effective, saved and file-system uids of the container's process 1."""
    status = podman("exec", name, "cat", "/proc/1/status").stdout
    line = next(line for line in status.splitlines() if line.startswith("Uid:"))
    return set(line.split()[1:])


def healthy(name: str) -> bool:
    return podman("healthcheck", "run", name, check=False, timeout=30).returncode == 0


def wait_until(ready: Callable[[], bool], names: Sequence[str], timeout: float, what: str) -> None:
    """Poll `ready()` until true; stop early, with the containers' logs, when one exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        stopped = [name for name in names if not is_running(name)]
        if stopped:
            break
        time.sleep(0.5)
    shown = "\n".join(f"--- {name}:\n{logs(name)[-4000:]}" for name in names)
    raise AssertionError(f"{what}: not within {timeout:.0f} s\n{shown}")
