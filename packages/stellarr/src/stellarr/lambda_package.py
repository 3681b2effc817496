"""`stellarr lambda-package`: dist/lambda.zip (function) and dist/layer.zip (heavy binaries).

Both target Python 3.12 on arm64 (Graviton). Dependencies are the versions pinned in the
workspace lock (read from the installed distributions), fetched as manylinux2014 aarch64
wheels. Server-only packages (uvicorn and friends) stay out, and so do boto3/botocore: the
AWS calls go through stellarr.aws. Bytecode is compiled for 3.12 when a Python 3.12 is
available, since Lambda's read-only file system cannot cache it on each cold start.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

SERVER_ONLY = frozenset({"uvicorn", "uvloop", "httptools", "click", "watchfiles"})
# Native code that is big and only some routes need (web push signing) goes in the layer.
LAYER_PACKAGES = ("cryptography",)
FORBIDDEN = ("boto3", "botocore", "s3transfer")
PACKAGE_ROOT = Path(__file__).resolve().parent
EXCLUDED_FROM_FUNCTION = ("static", "lambda_package.py")


@dataclass(frozen=True)
class Target:
    """Where the code will run: Lambda by default; the bench also builds for this machine."""

    python_version: str = "3.12"
    platform: str | None = "aarch64-manylinux2014"  # None: this machine's own platform

    @classmethod
    def here(cls) -> Target:
        return cls(f"{sys.version_info.major}.{sys.version_info.minor}", None)


def _name(requirement: str) -> str:
    return re.split(r"[\s;<>=!~\[(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def closure(roots: list[str], skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """name -> installed (locked) version for roots and everything they need on Linux."""
    pinned: dict[str, str] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in pinned or name in skip:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        pinned[name] = dist.version
        for requirement in dist.requires or []:
            if "extra ==" in requirement or "sys_platform == 'win32'" in requirement:
                continue
            pending.append(_name(requirement))
    return pinned


def function_pins() -> dict[str, str]:
    roots = [_name(r) for r in metadata.requires("stellarr") or [] if "extra ==" not in r]
    return closure([r for r in roots if r not in SERVER_ONLY], SERVER_ONLY)


def install(folder: Path, pins: dict[str, str], target: Target) -> None:
    if not pins:
        return
    # uv is what the Makefile installs; pip is not inside a uv-made virtualenv.
    uv = shutil.which("uv")
    command = [uv] if uv else [sys.executable, "-m", "uv"]
    command += ["pip", "install", "--quiet", "--no-deps", "--target", str(folder)]
    command += ["--python-version", target.python_version, "--only-binary", ":all:"]
    if target.platform:
        command += ["--python-platform", target.platform]
    command += [f"{n}=={v}" for n, v in sorted(pins.items())]
    subprocess.run(command, check=True)  # noqa: S603 (fixed argv built from the lock's pins)


def _interpreter(version: str) -> str | None:
    candidates = [shutil.which(f"python{version}")]
    candidates += [str(p) for p in Path.home().glob(f".pyenv/versions/{version}*/bin/python3")]
    expected = f"({version.replace('.', ', ')})"
    for candidate in filter(None, candidates):
        probe = [candidate, "-c", "import sys; print(sys.version_info[:2])"]
        result = subprocess.run(probe, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode == 0 and result.stdout.strip() == expected:
            return candidate
    return None


def compile_bytecode(folder: Path, target: Target) -> bool:
    python = _interpreter(target.python_version)
    if python is None:
        return False
    command = [python, "-m", "compileall", "-q", "-j", "0", str(folder)]
    return subprocess.run(command, check=False).returncode == 0  # noqa: S603 (fixed argv)


def _strip(folder: Path) -> None:
    for pattern in ("*.dist-info/RECORD", "**/tests"):
        for path in folder.glob(pattern):
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def assemble_function(folder: Path, target: Target) -> None:
    install(folder, function_pins(), target)
    shutil.copytree(
        PACKAGE_ROOT,
        folder / "stellarr",
        ignore=shutil.ignore_patterns("__pycache__", *EXCLUDED_FROM_FUNCTION),
    )
    _strip(folder)
    leaked = [p.name for p in folder.iterdir() if p.name.split("-")[0] in FORBIDDEN]
    if leaked:
        raise RuntimeError(f"boto3/botocore must not be packaged: {leaked}")
    if not compile_bytecode(folder, target):
        print(f"note: no python{target.python_version} here; the function ships source only")


def assemble(folder: Path, packages: list[str], target: Target, skip: frozenset[str]) -> None:
    """Any other set of packages (the layer, or boto3 for the comparison)."""
    install(folder, closure(packages, skip), target)
    _strip(folder)
    compile_bytecode(folder, target)


def zip_folder(folder: Path, archive: Path) -> tuple[int, int]:
    """(zipped, unpacked) bytes."""
    unpacked = 0
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                unpacked += path.stat().st_size
                zf.write(path, path.relative_to(folder))
    return archive.stat().st_size, unpacked


def build(dist: Path, target: Target = Target()) -> dict[str, tuple[int, int]]:
    dist.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        function_dir, layer_root = Path(tmp) / "function", Path(tmp) / "layer"
        assemble_function(function_dir, target)
        skip = frozenset(function_pins())
        assemble(layer_root / "python", list(LAYER_PACKAGES), target, skip)
        return {
            "lambda.zip": zip_folder(function_dir, dist / "lambda.zip"),
            "layer.zip": zip_folder(layer_root, dist / "layer.zip"),
        }


def main(dist: Path) -> int:
    for name, (zipped, unpacked) in build(dist).items():
        print(f"{dist / name}: {zipped / 1e6:.1f} MB zipped, {unpacked / 1e6:.1f} MB unzipped")
    return 0
