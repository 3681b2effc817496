"""The container image: what it adds to its base, and how fast a container starts and stops
against the same `stellarr serve` run straight from .venv, interleaved round by round.

Built as tests/deploy/test_image.py builds it (podman; the local Debian 12 base with Python
3.11 made once by stellarr_testing.containers, since no registry is reachable here; the
wheelhouse for that Python), then:

- sizes: base, image, what the image adds (uncompressed, as `podman image inspect` counts),
  the wheelhouse, and the bytecode's share of /opt/stellarr;
- start: from `podman run` (a fresh volume) to the first 200 from /api/health, against
  `stellarr serve` from .venv (a fresh data folder) to the same answer; both generate their
  secrets and create their database on the way;
- stop: `podman stop --time 10` until it returns, with the exit code (0 or 143 is SIGTERM
  handled, 137 would be SIGKILL after the 10 s), against SIGTERM to the .venv process until
  it exits.

    .venv/bin/python packages/stellarr/bench/image.py [--rounds 5]

Needs podman (and root, the first time, to debootstrap the base); says so and exits 0 when
it is missing, so `make bench-stellarr` runs everywhere.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from stellarr_testing import containers
from stellarr_testing.paths import PACKAGE_ROOT
from stellarr_testing.processes import free_port
from stellarr_tools import image_context

TAG = "localhost/stellarr-bench:latest"
DOCKERFILE = PACKAGE_ROOT / "deploy" / "Dockerfile"


def healthy(base: str, alive: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/health", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if not alive():
            raise SystemExit("bench/image: the server exited before it answered")
        time.sleep(0.02)
    raise SystemExit("bench/image: no answer from /api/health in 60 s")


def container_round(command: list[str]) -> tuple[float, float, int]:
    """(start seconds, stop seconds, exit code) of one container on a fresh volume."""
    port = free_port()
    volume = f"stellarr-bench-{time.monotonic_ns()}"
    containers.podman("volume", "create", volume)
    name = f"stellarr-bench-{os.getpid()}-{port}"
    try:
        started = time.perf_counter()
        containers.podman(
            "run", "--detach", "--name", name, "--network", "host", "-v", f"{volume}:/data",
            TAG, *command[:-4], "--host", "127.0.0.1", "--port", str(port),
        )  # fmt: skip
        healthy(
            f"http://127.0.0.1:{port}",
            lambda: bool(containers.inspect("container", name)["State"]["Running"]),
        )
        start = time.perf_counter() - started
        stopping = time.perf_counter()
        containers.podman("stop", "--time", "10", name)
        stop = time.perf_counter() - stopping
        code = int(containers.inspect("container", name)["State"]["ExitCode"])
        return start, stop, code
    finally:
        containers.podman("rm", "--force", name, check=False)
        containers.podman("volume", "rm", "--force", volume, check=False)


def native_round() -> tuple[float, float, int]:
    """The same from .venv: `stellarr serve` with a fresh data folder, stopped by SIGTERM."""
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            k: v for k, v in os.environ.items() if k not in ("APP_SECRET_KEY", "PRESHARED_PASSWORD")
        } | {"DATABASE_PATH": str(Path(folder) / "data" / "stellarr.db")}
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "stellarr", "serve", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            healthy(f"http://127.0.0.1:{port}", lambda: process.poll() is None)
            start = time.perf_counter() - started
            stopping = time.perf_counter()
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=30)
            return start, time.perf_counter() - stopping, code
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def megabytes(count: float) -> str:
    return f"{count / 1e6:.1f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    try:
        containers.check_podman()
        base = containers.ensure_base_image()
    except containers.Unavailable as exc:
        print(f"bench/image: skipped: {exc}")
        return 0

    version = containers.python_version(base)
    with tempfile.TemporaryDirectory() as context:
        target = image_context.Target.parse(version, platform.machine(), "2.36")
        wheels = image_context.make_wheelhouse(Path(context), target)
        wheel_bytes = sum(wheel.stat().st_size for wheel in wheels)
        containers.build(Path(context), DOCKERFILE, TAG, {"BASE": base})
    config = containers.inspect("image", TAG)["Config"]
    base_size = int(containers.inspect("image", base)["Size"])
    image_size = int(containers.inspect("image", TAG)["Size"])
    opt = containers.podman(
        "run", "--rm", "--network", "host", TAG, "sh", "-c",
        "du -sb /opt/stellarr | cut -f1; "
        "find /opt/stellarr -name '*.pyc' -print0 | du -cb --files0-from=- | tail -1 | cut -f1",
    ).stdout.split()  # fmt: skip
    print(f"base {base} (Python {version}, {platform.machine()}): {megabytes(base_size)}")
    print(f"image {TAG}: {megabytes(image_size)}")
    print(f"  adds to its base: {megabytes(image_size - base_size)} (goal <= 100 MB)")
    print(f"  /opt/stellarr: {megabytes(int(opt[0]))}, of which bytecode {megabytes(int(opt[1]))}")
    print(f"  wheelhouse: {len(wheels)} wheels, {megabytes(wheel_bytes)}")

    rounds: dict[str, list[tuple[float, float, int]]] = {"container": [], "native": []}
    for _ in range(args.rounds):  # interleaved: the machine's mood touches both alike
        rounds["container"].append(container_round(list(config["Cmd"])))
        rounds["native"].append(native_round())
    medians = {
        kind: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
        for kind, runs in rounds.items()
    }
    print(f"\n{args.rounds} rounds, medians      start to /api/health 200   stop    exit codes")
    for kind, runs in rounds.items():
        start, stop = medians[kind]
        codes = sorted({r[2] for r in runs})
        print(f"  {kind:<24} {start * 1000:>10.0f} ms        {stop * 1000:>5.0f} ms  {codes}")
    ratio = medians["container"][0] / medians["native"][0]
    print(f"  container / native start: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
