"""scripts/bootstrap.sh's plan (--dry-run): which system packages each profile asks for.

The script runs for real with a PATH of our choosing: an empty folder hides node, java, npm
and wrk; a folder of stand-ins makes them present. Chromium and nginx are looked for at fixed
paths, so what is expected of them follows this machine.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from stellarr_testing.paths import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "bootstrap.sh"
PACKAGES = {
    "node": "nodejs",
    "java": "openjdk-17-jre-headless",
    "npm": "npm",
    "chromium": "chromium",
    "nginx": "nginx",
    "wrk": "wrk",
}
ON_PATH = ("node", "java", "npm", "wrk")
# The web app's steps, each planned only when needed (the build is stale after any edit).
WEB_STEPS = {"npm ci (in web/)", "npm run build (in web/)"}
AT_FIXED_PATH = {"chromium": "/usr/bin/chromium", "nginx": "/usr/sbin/nginx"}


def plan(profile: str, path: Path) -> list[str]:
    """The dry run's lines, without their "stellarr: " prefix."""
    result = subprocess.run(
        ["/bin/bash", str(SCRIPT), "--dry-run", profile],
        env={"PATH": str(path)},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return [line.removeprefix("stellarr: ") for line in result.stdout.splitlines()]


def after(prefix: str, lines: list[str]) -> list[str]:
    """What follows prefix on each line that starts with it."""
    return [line.removeprefix(prefix) for line in lines if line.startswith(prefix)]


def absent_at_fixed_paths(needs: set[str]) -> set[str]:
    return {n for n, p in AT_FIXED_PATH.items() if n in needs and not os.access(p, os.X_OK)}


@pytest.mark.parametrize(
    ("profile", "needs"),
    [
        ("run", {"node", "npm"}),
        ("web", {"node", "npm"}),
        ("test", {"node", "java", "npm", "chromium"}),
        ("bench", {"node", "java", "npm", "chromium", "nginx", "wrk"}),
    ],
)
def test_plan_names_exactly_what_is_missing(tmp_path: Path, profile: str, needs: set[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    expected = {n for n in ON_PATH if n in needs} | absent_at_fixed_paths(needs)

    lines = plan(profile, empty)

    [missing] = after("missing: ", lines)
    assert set(missing.split()) == expected
    # No dpkg on this PATH, so no owner lookup: the Debian package of each missing need.
    [apt] = after("would run: apt-get install ", lines)
    assert sorted(apt.split()) == sorted(PACKAGES[n] for n in expected)


def test_commands_on_path_count_as_present(tmp_path: Path) -> None:
    stand_ins = tmp_path / "bin"
    stand_ins.mkdir()
    for name in (*ON_PATH, "nginx"):
        tool = stand_ins / name
        tool.write_text("#!/bin/sh\n")
        tool.chmod(0o755)

    lines = plan("bench", stand_ins)

    expected = absent_at_fixed_paths({"chromium"})  # nginx on PATH is enough
    assert after("missing: ", lines) == [" ".join(sorted(expected)) or "none"]


def test_run_needs_node_but_no_dev_tools(tmp_path: Path) -> None:
    stand_ins = tmp_path / "bin"
    stand_ins.mkdir()
    for name in ("node", "npm"):
        tool = stand_ins / name
        tool.write_text("#!/bin/sh\n")
        tool.chmod(0o755)

    lines = plan("run", stand_ins)

    assert after("missing: ", lines) == ["none"]
    steps = after("would run: ", lines)
    assert steps[0] == "python3 -m uv sync --frozen --no-dev --inexact"
    assert set(steps[1:]) <= WEB_STEPS


def test_web_builds_only_the_web_app(tmp_path: Path) -> None:
    lines = plan("web", tmp_path)

    steps = after("would run: ", lines)
    assert [s for s in steps if "uv" in s or "pip" in s] == []
    assert set(steps) - WEB_STEPS == {"apt-get install nodejs npm"}
