"""The container image's build context: a wheelhouse that the Dockerfile installs from.

    make image   (= .venv/bin/python -m stellarr_tools.image_context [--out dist/image]
                      [--python-version 3.12] [--arch x86_64] [--glibc 2.36]
                  then `docker build -f packages/stellarr/deploy/Dockerfile dist/image`)

`packages/stellarr/deploy/Dockerfile` runs `pip install --no-index` from `<out>/wheels`, so an
image builds with no network inside the build, from exactly the pins of uv.lock:

- Stellarr's own wheel, built by `uv build` with the web app inside (hatchling's `artifacts`
  takes the build git ignores); the web app must have been built (`make web`);
- every runtime dependency of `stellarr` (`uv export --package stellarr --no-dev`), as the
  wheel that fits the image's Python and machine, fetched from the URL uv.lock records and
  checked against the lock's sha256;
- a dependency that PyPI has only as a source distribution is built into a wheel here, which
  must then be pure Python (`py3-none-any`): native code built for this machine's Python would
  not fit the image's.

Downloads are kept in .cache/image-wheels, so a second run fetches nothing; the wheelhouse is
written afresh each time (its bytes only change with the lock or Stellarr's files, so the
image build's layer cache holds).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from packaging.requirements import Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

from stellarr_tools.workspace import EXPORT_RUNTIME, uv_binary, workspace_root

REPO_ROOT = workspace_root(Path(__file__).resolve(), "image_context")
LOCK = REPO_ROOT / "uv.lock"
WEB_INDEX = REPO_ROOT / "packages/stellarr/src/stellarr/static/web/index.html"
DOWNLOAD_CACHE = REPO_ROOT / ".cache" / "image-wheels"
DEFAULT_OUT = REPO_ROOT / "dist" / "image"
# Read by the Dockerfile, which stops with a clear line when the base's Python differs.
PYTHON_VERSION_FILE = "python-version"
# The web app inside Stellarr's wheel: what the image serves at /.
WHEEL_WEB_INDEX = "stellarr/static/web/index.html"
# The base images the Dockerfile is for (python:3.12-slim, Debian 12) have glibc 2.36; a
# wheel for a newer glibc would not load there.
DEFAULT_GLIBC = "2.36"
# Machine names as Docker, macOS or Windows spell them, as Linux (and wheel tags) do.
ARCH_ALIASES = {"amd64": "x86_64", "arm64": "aarch64", "x64": "x86_64"}
# manylinux's first names, before PEP 600 (each is a glibc version).
LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}


class ImageContextError(SystemExit):
    """One line saying what is missing and how to fix it."""

    def __init__(self, message: str) -> None:
        super().__init__(f"image_context: {message}")


@dataclass(frozen=True)
class Target:
    """The Python and machine of the image the wheels are for."""

    python: tuple[int, int]
    arch: str
    glibc: tuple[int, int]

    @classmethod
    def parse(cls, python: str, arch: str, glibc: str) -> Target:
        major, minor = (int(part) for part in python.split("."))
        glibc_major, glibc_minor = (int(part) for part in glibc.split("."))
        machine = ARCH_ALIASES.get(arch.lower(), arch.lower())
        return cls((major, minor), machine, (glibc_major, glibc_minor))

    @property
    def python_version(self) -> str:
        return f"{self.python[0]}.{self.python[1]}"

    def platforms(self) -> list[str]:
        """Linux platform tags, newest glibc first (the order pip prefers them in)."""
        major, newest = self.glibc
        names: list[str] = []
        for minor in range(newest, 4, -1):
            names.append(f"manylinux_{major}_{minor}_{self.arch}")
            legacy = LEGACY_MANYLINUX.get((major, minor))
            if legacy:
                names.append(f"{legacy}_{self.arch}")
        return names

    def tags(self) -> list[Tag]:
        """Every wheel tag this CPython accepts, best first."""
        interpreter = f"cp{self.python[0]}{self.python[1]}"
        platforms = self.platforms()
        return [
            *cpython_tags(self.python, [interpreter, "abi3", "none"], platforms),
            *compatible_tags(self.python, interpreter, platforms),
        ]

    def marker_environment(self) -> dict[str, str]:
        return {
            "implementation_name": "cpython",
            "implementation_version": f"{self.python_version}.0",
            "os_name": "posix",
            "platform_machine": self.arch,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": "Linux",
            "platform_version": "",
            "python_full_version": f"{self.python_version}.0",
            "python_version": self.python_version,
            "sys_platform": "linux",
        }


@dataclass(frozen=True)
class Artifact:
    """One file uv.lock names for a package: its URL and sha256."""

    url: str
    sha256: str

    @property
    def filename(self) -> str:
        return self.url.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Locked:
    name: str
    version: str
    wheels: tuple[Artifact, ...]
    sdist: Artifact | None


def _uv() -> list[str]:
    found = uv_binary(REPO_ROOT)
    if not found:
        raise ImageContextError("no uv; `make image` installs it into .cache/uv")
    return [found]


def pinned_requirements(target: Target) -> list[tuple[str, str]]:
    """(name, version) of every runtime dependency of `stellarr` that the target needs."""
    command = [*_uv(), *EXPORT_RUNTIME, "--no-emit-project"]
    exported = subprocess.run(  # noqa: S603 (fixed argv)
        command, cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    if exported.returncode != 0:
        raise ImageContextError(f"`uv export` failed: {exported.stderr.strip()}")
    environment = target.marker_environment()
    pins: list[tuple[str, str]] = []
    for line in exported.stdout.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        (specifier,) = requirement.specifier
        pins.append((canonicalize_name(requirement.name), specifier.version))
    return pins


def read_lock(path: Path = LOCK) -> dict[tuple[str, str], Locked]:
    with path.open("rb") as handle:
        lock = tomllib.load(handle)
    packages: dict[tuple[str, str], Locked] = {}
    for entry in lock.get("package", []):
        name, version = canonicalize_name(entry["name"]), entry.get("version", "")
        wheels = tuple(_artifact(w) for w in entry.get("wheels", ()) if "url" in w)
        sdist = _artifact(entry["sdist"]) if "url" in entry.get("sdist", {}) else None
        packages[(name, version)] = Locked(name, version, wheels, sdist)
    return packages


def _artifact(entry: dict[str, str]) -> Artifact:
    algorithm, _, digest = entry["hash"].partition(":")
    if algorithm != "sha256":
        raise ImageContextError(f"uv.lock holds a {algorithm} hash; only sha256 is checked")
    return Artifact(entry["url"], digest)


def best_wheel(locked: Locked, target: Target) -> Artifact | None:
    """The wheel of `locked` that the target's pip would pick first, if any fits."""
    rank = {tag: index for index, tag in enumerate(target.tags())}
    best: tuple[int, Artifact] | None = None
    for wheel in locked.wheels:
        _, _, _, tags = parse_wheel_filename(wheel.filename)
        ranks = [rank[tag] for tag in tags if tag in rank]
        if ranks and (best is None or min(ranks) < best[0]):
            best = (min(ranks), wheel)
    return None if best is None else best[1]


def fetch(artifact: Artifact, cache: Path, client: httpx.Client) -> Path:
    """The file, from the cache or downloaded into it, with the lock's sha256."""
    cached = cache / artifact.filename
    if cached.is_file() and _sha256(cached) == artifact.sha256:
        return cached
    cache.mkdir(parents=True, exist_ok=True)
    partial = cached.with_name(cached.name + ".part")
    with client.stream("GET", artifact.url) as response:
        if response.status_code != 200:
            raise ImageContextError(f"{artifact.url} answered {response.status_code}")
        with partial.open("wb") as out:
            for chunk in response.iter_bytes():
                out.write(chunk)
    if _sha256(partial) != artifact.sha256:
        partial.unlink()
        raise ImageContextError(f"{artifact.filename} does not have the sha256 uv.lock records")
    partial.replace(cached)
    return cached


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_pure(wheel: Path) -> bool:
    _, _, _, tags = parse_wheel_filename(wheel.name)
    return all(tag.abi == "none" and tag.platform == "any" for tag in tags)


def build_from_sdist(sdist: Path, into: Path) -> Path:
    """A wheel from a source distribution, which must come out pure Python."""
    with tempfile.TemporaryDirectory() as scratch:
        built = subprocess.run(  # noqa: S603 (fixed argv; a file the lock names)
            [*_uv(), "build", "--wheel", "--out-dir", scratch, str(sdist)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        wheels = list(Path(scratch).glob("*.whl"))
        if built.returncode != 0 or len(wheels) != 1:
            raise ImageContextError(f"could not build a wheel of {sdist.name}: {built.stderr}")
        (wheel,) = wheels
        if not _is_pure(wheel):
            raise ImageContextError(
                f"{sdist.name} has no wheel for the image and builds into native code "
                f"({wheel.name}): it cannot be built here for another Python"
            )
        return Path(shutil.copy2(wheel, into / wheel.name))


def build_stellarr(into: Path) -> Path:
    """Stellarr's wheel, with the built web app inside."""
    if not WEB_INDEX.is_file():
        raise ImageContextError(
            f"the web app is not built ({WEB_INDEX.relative_to(REPO_ROOT)} is missing): "
            "run `make web` (`make image` does)"
        )
    with tempfile.TemporaryDirectory() as scratch:
        built = subprocess.run(  # noqa: S603 (fixed argv)
            [*_uv(), "build", "--package", "stellarr", "--wheel", "--out-dir", scratch],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        wheels = list(Path(scratch).glob("stellarr-*.whl"))
        if built.returncode != 0 or len(wheels) != 1:
            raise ImageContextError(f"`uv build --package stellarr` failed: {built.stderr}")
        (wheel,) = wheels
        with zipfile.ZipFile(wheel) as archive:
            if WHEEL_WEB_INDEX not in archive.namelist():
                raise ImageContextError(
                    f"{wheel.name} lacks the web app ({WHEEL_WEB_INDEX}): check "
                    "[tool.hatch.build.targets.wheel] artifacts in packages/stellarr/pyproject.toml"
                )
        return Path(shutil.copy2(wheel, into / wheel.name))


def make_wheelhouse(
    out: Path,
    target: Target,
    *,
    cache: Path = DOWNLOAD_CACHE,
    lock: Path = LOCK,
) -> list[Path]:
    """Write `out`/wheels afresh (and `out`/wheels/python-version); the wheels written."""
    wheels = out / "wheels"
    if wheels.exists():
        shutil.rmtree(wheels)
    wheels.mkdir(parents=True)
    locked = read_lock(lock)
    written = [build_stellarr(wheels)]
    with httpx.Client(timeout=60.0, follow_redirects=True) as client:
        for name, version in pinned_requirements(target):
            entry = locked.get((name, version))
            if entry is None:
                raise ImageContextError(f"{name}=={version} is not in uv.lock")
            written.append(_wheel_for(entry, target, wheels, cache, client))
    (wheels / PYTHON_VERSION_FILE).write_text(target.python_version + "\n", encoding="utf-8")
    return written


def _wheel_for(
    entry: Locked, target: Target, wheels: Path, cache: Path, client: httpx.Client
) -> Path:
    wheel = best_wheel(entry, target)
    if wheel is not None:
        return _link_or_copy(fetch(wheel, cache, client), wheels)
    if entry.sdist is None:
        raise ImageContextError(
            f"{entry.name}=={entry.version} has no wheel for Python {target.python_version} "
            f"on {target.arch} (glibc {target.glibc[0]}.{target.glibc[1]}) and no source"
        )
    # Built once per source distribution: the same bytes every run keep the image's layer
    # cache valid.
    built = cache / "built" / entry.sdist.sha256
    found = list(built.glob("*.whl")) if built.is_dir() else []
    if len(found) != 1:
        built.mkdir(parents=True, exist_ok=True)
        found = [build_from_sdist(fetch(entry.sdist, cache, client), built)]
    return _link_or_copy(found[0], wheels)


def _link_or_copy(source: Path, folder: Path) -> Path:
    destination = folder / source.name
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)
    return destination


def _megabytes(paths: Iterable[Path]) -> float:
    return sum(path.stat().st_size for path in paths) / 1e6


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m stellarr_tools.image_context",
        description="Write the container image's wheelhouse (Stellarr and its dependencies).",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the build context")
    parser.add_argument(
        "--python-version", default="3.12", help="the base image's Python (default 3.12)"
    )
    parser.add_argument(
        "--arch",
        default=platform.machine(),
        help="the image's machine: x86_64 (amd64) or aarch64 (arm64); default: this one's",
    )
    parser.add_argument(
        "--glibc", default=DEFAULT_GLIBC, help=f"the base's glibc (default {DEFAULT_GLIBC})"
    )
    args = parser.parse_args(argv)
    target = Target.parse(args.python_version, args.arch, args.glibc)
    written = make_wheelhouse(args.out, target)
    print(
        f"image_context: {len(written)} wheels ({_megabytes(written):.1f} MB) for Python "
        f"{target.python_version} on {target.arch} in {args.out / 'wheels'}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
