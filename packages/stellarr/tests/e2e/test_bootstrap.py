"""The workspace's set-up scripts, run for real: scripts/bootstrap.sh (its plan, and the one
line each failure ends with), scripts/node_toolchain.py (Node.js and npm as a pinned pair)
and scripts/checks.sh (every check runs; one summary line each; a line CI reads).

The bootstrap runs with a PATH of our choosing: an empty folder hides java, wrk, node and npm;
a folder of stand-ins makes them present (a stand-in `id` makes it an ordinary user).
Chromium and nginx are looked for at fixed paths and libatomic in ld.so's cache, so what is
expected of them follows this machine. Runs that would install something run in a copy of
the scripts in a temporary folder, never in the repository.
"""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from stellarr_testing.paths import REPO_ROOT, WEB
from stellarr_testing.processes import free_port

SCRIPTS = REPO_ROOT / "scripts"
PACKAGES = {
    "java": "openjdk-17-jre-headless",
    "chromium": "chromium",
    "libatomic": "libatomic1",
    "nginx": "nginx",
    "wrk": "wrk",
}
ON_PATH = ("java", "wrk")
AT_FIXED_PATH = {"chromium": "/usr/bin/chromium", "nginx": "/usr/sbin/nginx"}
LIBATOMIC_HERE = (
    "libatomic.so.1 "
    in subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True, check=False).stdout
)
PYTHON = sys.executable  # 3.11 or newer, as the bootstrap requires


def bootstrap(
    *args: str, path: Path, cwd: Path = REPO_ROOT, python: str = PYTHON
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/bash", str(cwd / "scripts" / "bootstrap.sh"), *args],
        env={"PATH": str(path), "PYTHON": python, "HOME": str(path)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def plan(profile: str, path: Path, cwd: Path = REPO_ROOT) -> list[str]:
    """The dry run's lines, without their "stellarr: " prefix."""
    result = bootstrap("--dry-run", profile, path=path, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return [line.split(": ", 1)[1] for line in result.stdout.splitlines()]


def after(prefix: str, lines: list[str]) -> list[str]:
    """What follows prefix on each line that starts with it."""
    return [line.removeprefix(prefix) for line in lines if line.startswith(prefix)]


def absent_here(needs: set[str]) -> set[str]:
    """The needs that PATH does not decide, absent from this machine."""
    absent = {n for n, p in AT_FIXED_PATH.items() if n in needs and not os.access(p, os.X_OK)}
    return absent | ({"libatomic"} if "libatomic" in needs and not LIBATOMIC_HERE else set())


def system_without(folder: Path, hidden: set[str]) -> Path:
    """A PATH folder with every command of /usr/bin and /bin but the hidden ones."""
    folder.mkdir()
    for system in (Path("/bin"), Path("/usr/bin")):
        for command in system.iterdir():
            if command.name not in hidden and not (folder / command.name).exists():
                (folder / command.name).symlink_to(command)
    return folder


def stand_ins(folder: Path, tools: dict[str, str]) -> Path:
    """Executables that print a version and succeed: {name: what --version prints}."""
    folder.mkdir(exist_ok=True)
    for name, version in tools.items():
        tool = folder / name
        tool.write_text(f"#!/bin/sh\necho {version}\n")
        tool.chmod(0o755)
    return folder


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    return result.stderr.strip().splitlines()[-1]


@pytest.fixture
def scripts_copy(tmp_path: Path) -> Path:
    """The scripts and the web app's package.json in a folder of their own."""
    root = tmp_path / "checkout"
    shutil.copytree(SCRIPTS, root / "scripts")
    (root / "packages/stellarr/web").mkdir(parents=True)
    shutil.copy(WEB / "package.json", root / "packages/stellarr/web/package.json")
    return root


@pytest.mark.parametrize(
    ("profile", "needs"),
    [
        ("run", set()),
        ("stereospot", set()),
        ("web", set()),
        ("lambda", set()),
        ("image", set()),
        ("test", {"java", "chromium", "libatomic"}),
        ("bench", {"java", "chromium", "libatomic", "nginx", "wrk"}),
    ],
)
def test_plan_names_exactly_the_missing_system_packages(
    tmp_path: Path, profile: str, needs: set[str]
) -> None:
    expected = {n for n in ON_PATH if n in needs} | absent_here(needs)

    lines = plan(profile, tmp_path)

    [missing] = after("missing: ", lines)
    assert set(missing.split()) - {"none"} == expected
    apt = after("would run: apt-get install ", lines)
    # No dpkg on this PATH, so no owner lookup: the Debian package of each missing need.
    assert [sorted(a.split()) for a in apt] == (
        [sorted(PACKAGES[n] for n in expected)] * bool(expected)
    )
    assert not any("nodejs" in line or "npm" in line.split() for line in apt)


def test_the_plan_lists_every_step_a_run_could_take(tmp_path: Path, scripts_copy: Path) -> None:
    lines = plan("test", tmp_path, cwd=scripts_copy)  # no node or npm on this PATH

    steps = " | ".join(lines)
    assert "would run: python" not in steps or "pip install uv==0.13.9" in steps
    assert "pip install uv==0.13.9" in steps  # none in the copy yet
    [sync] = after("would run: uv sync ", lines)
    assert sync.startswith("--frozen --inexact --all-packages --extra torch")
    assert any(line.startswith(("ok: torch", "would run: pip install torch==")) for line in lines)
    [node] = after("would run: fetch ", lines)
    assert node.startswith("Node.js 20.20.2 and npm 10.9.9 from the npm registry")
    assert any("npm ci" in line or "ok: npm packages" in line for line in lines)
    assert any("npm run build" in line or "ok: web build" in line for line in lines)


def test_stereospot_needs_nothing_of_stellarr(tmp_path: Path) -> None:
    result = bootstrap("--dry-run", "stereospot", path=tmp_path)

    assert result.returncode == 0
    assert all(line.startswith("stereospot: ") for line in result.stdout.splitlines())
    [sync] = after(
        "would run: uv sync ", [line.split(": ", 1)[1] for line in result.stdout.splitlines()]
    )
    assert "--package stereospot" in sync and "--no-dev" in sync
    assert "node" not in result.stdout.lower() and "npm" not in result.stdout


def test_system_node_and_npm_that_will_do_are_used(tmp_path: Path, scripts_copy: Path) -> None:
    tools = stand_ins(tmp_path / "bin", {"node": "v20.19.0", "npm": "10.2.4"})

    lines = plan("run", tools, cwd=scripts_copy)

    assert "ok: node v20.19.0 and npm 10.2.4" in lines
    assert after("would run: fetch ", lines) == []


def test_an_old_npm_beside_a_new_node_fetches_the_pair(tmp_path: Path, scripts_copy: Path) -> None:
    # Debian 12 with NodeSource's node 20 but Debian's npm 9.2: npm ci would refuse to run.
    tools = stand_ins(tmp_path / "bin", {"node": "v20.19.0", "npm": "9.2.0"})
    check = subprocess.run(
        [PYTHON, str(SCRIPTS / "node_toolchain.py"), "check"],
        env={"PATH": str(tools)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 1
    assert check.stderr.strip() == "stellarr: npm 9.2.0 is older than 10"

    assert after("would run: fetch ", plan("run", tools, cwd=scripts_copy)) != []


def test_too_old_a_python_is_one_line_with_the_fix(tmp_path: Path) -> None:
    old = stand_ins(tmp_path / "bin", {})
    python = old / "python3"
    python.write_text(
        '#!/bin/sh\n[ "$1" = --version ] && { echo "Python 3.9.2"; exit 0; }\nexit 1\n'
    )
    python.chmod(0o755)

    result = bootstrap("run", path=old, python=str(python))

    assert result.returncode == 1
    assert last_line(result) == (
        f"stellarr: Python 3.11 or newer is needed (Python 3.9.2 at {python}). Fix: install"
        " python3.11 or newer with venv and run make again with PYTHON=python3.11 (or its path)"
    )


def test_missing_system_packages_name_the_command_for_someone_not_root(tmp_path: Path) -> None:
    # apt-get is there, java is not, and `id -u` says 1000: the user gets the command to run,
    # and no apt-get runs. Without dpkg and update-alternatives the plan is the Debian
    # package, wherever this machine's Java came from.
    assert shutil.which("apt-get"), "this test needs a Debian-like machine with apt-get"
    hidden = {"java", "dpkg", "dpkg-query", "update-alternatives", "id"}
    tools = system_without(tmp_path / "bin", hidden)
    (tools / "id").write_text('#!/bin/sh\n[ "$1" = -u ] && echo 1000\n')
    (tools / "id").chmod(0o755)
    missing = [n for n in ("java", "chromium", "libatomic") if n == "java" or absent_here({n})]

    plan_lines = bootstrap("--dry-run", "test", path=tools).stdout.splitlines()
    result = bootstrap("test", path=tools)

    assert f"stellarr: missing: {' '.join(missing)}" in plan_lines
    assert result.returncode == 1, result.stderr
    assert last_line(result) == (
        f"stellarr: missing {' '.join(missing)} (the tests use them), and only root can install"
        f" them. Fix: run 'sudo apt-get install {' '.join(PACKAGES[n] for n in missing)}',"
        " then run make again"
    )
    assert "installing" not in result.stderr


def test_missing_system_packages_without_apt_get(tmp_path: Path) -> None:
    missing = [n for n in ("java", "chromium", "libatomic") if n == "java" or absent_here({n})]

    result = bootstrap("test", path=tmp_path)

    assert result.returncode == 1
    assert last_line(result) == (
        f"stellarr: missing {' '.join(missing)} (the tests use them), and this machine has no"
        " apt-get. Fix: install them with its package manager (Debian names:"
        f" {' '.join(PACKAGES[n] for n in missing)}), then run make again"
    )


def test_a_python_without_venv_is_one_line_with_the_fix(tmp_path: Path, scripts_copy: Path) -> None:
    # Debian's python3 before `apt-get install python3-venv`: `-m venv` fails.
    bin_folder = system_without(tmp_path / "bin", {"python3"})
    python = bin_folder / "python3"
    python.write_text(
        '#!/bin/sh\n[ "$1 $2" = "-m venv" ] && { echo "ensurepip is not available" >&2; exit 1; }\n'
        f'exec {PYTHON} "$@"\n'
    )
    python.chmod(0o755)

    result = bootstrap("stereospot", path=bin_folder, cwd=scripts_copy, python=str(python))

    assert result.returncode == 1
    assert last_line(result).startswith(f"stereospot: '{python} -m venv' cannot make a virtual")
    assert last_line(result).endswith(
        "Fix: install it ('sudo apt-get install python3-venv'), then run make again"
    )


class _Registry(http.server.BaseHTTPRequestHandler):
    """An npm registry that serves the same wrong bytes for every tarball."""

    def do_GET(self) -> None:
        body = b"not the tarball that was pinned"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def wrong_registry() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def fetch_node(scripts_copy: Path, registry: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, str(scripts_copy / "scripts" / "node_toolchain.py"), "fetch"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(scripts_copy), "npm_config_registry": registry},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_node_from_a_registry_that_cannot_be_reached(scripts_copy: Path) -> None:
    registry = f"http://127.0.0.1:{free_port()}/"

    result = fetch_node(scripts_copy, registry)

    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"stellarr: could not download {registry}node-linux-")
    assert line.endswith(
        f"Fix: let this machine reach the npm registry ({registry}), or install Node.js 20.19+"
        " with npm 10+ yourself and run this again"
    )
    assert not (scripts_copy / ".cache" / "node").exists()


def test_node_whose_bytes_do_not_match_the_pin_is_refused(
    scripts_copy: Path, wrong_registry: str
) -> None:
    result = fetch_node(scripts_copy, wrong_registry)

    assert result.returncode == 1
    assert "does not match its pinned integrity (sha512-" in result.stderr
    assert not (scripts_copy / ".cache" / "node").exists()


def test_checks_all_run_and_end_with_a_line_ci_reads(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            "/bin/bash",
            str(SCRIPTS / "checks.sh"),
            "first|.|false",
            "second&|.|echo ===== 3 passed, 1 skipped in 0.50s =====",
            "third|.|true",
        ],
        env={"PATH": "/usr/bin:/bin", "CHECK_LOGS": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[-1] == "make test: 2 passed, 1 failed"
    summary = [line.split() for line in lines[-4:-1]]
    assert [(words[0], words[1]) for words in summary] == [
        ("FAILED", "first"),
        ("passed", "second"),
        ("passed", "third"),
    ]
    assert "3 passed, 1 skipped in 0.50s" in lines[-3]
    assert (tmp_path / "check-second.log").read_text().startswith("===== 3 passed")
    # `second&` ran in the background: its output comes after the others', before the summary.
    shown = lines.index("==> second (ran in the background):")
    assert lines[shown + 1] == "===== 3 passed, 1 skipped in 0.50s ====="
