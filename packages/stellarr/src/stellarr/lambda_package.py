"""`stellarr lambda-package`: dist/lambda.zip (function) and dist/layer.zip (heavy binaries).

Both target Python 3.12 on arm64 (Graviton). Dependencies are the versions pinned in the
workspace lock (read from the installed distributions), fetched as manylinux2014_aarch64
wheels. Server-only packages (uvicorn and friends) stay out, and so do boto3/botocore: the
AWS calls go through stellarr.aws. Bytecode is compiled for 3.12 when a python3.12 is
available, since Lambda's read-only file system cannot cache it on each cold start.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

PYTHON_VERSION = "3.12"
SERVER_ONLY = {"uvicorn", "uvloop", "httptools", "click", "h11-server", "watchfiles"}
# Native code that is big and only some routes need (web push signing) goes in the layer.
LAYER_PACKAGES = ("cryptography",)
FORBIDDEN = ("boto3", "botocore", "s3transfer")
PACKAGE_ROOT = Path(__file__).resolve().parent
EXCLUDED_FROM_FUNCTION = ("static", "lambda_package.py")


def _name(requirement: str) -> str:
    return re.split(r"[\s;<>=!~\[(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _closure(roots: list[str], skip: set[str]) -> dict[str, str]:
    """name -> installed version for roots and everything they need on Linux/CPython."""
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


def _pip_install(target: Path, pins: dict[str, str]) -> None:
    if not pins:
        return
    # uv is what the Makefile installs; pip is not inside a uv-made virtualenv.
    uv = shutil.which("uv")
    command = [uv] if uv else [sys.executable, "-m", "uv"]
    platform = "aarch64-manylinux2014"
    command += ["pip", "install", "--quiet", "--no-deps", "--target", str(target)]
    command += ["--python-platform", platform, "--python-version", PYTHON_VERSION]
    command += ["--only-binary", ":all:", *(f"{n}=={v}" for n, v in sorted(pins.items()))]
    subprocess.run(command, check=True)  # noqa: S603 (fixed argv built from the lock's pins)


def _python312() -> str | None:
    candidates = [shutil.which(f"python{PYTHON_VERSION}")]
    candidates += [
        str(p) for p in Path.home().glob(f".pyenv/versions/{PYTHON_VERSION}*/bin/python3")
    ]
    for candidate in filter(None, candidates):
        probe = [candidate, "-c", "import sys; print(sys.version_info[:2])"]
        result = subprocess.run(probe, capture_output=True, text=True, check=False)  # noqa: S603
        if (
            result.returncode == 0
            and result.stdout.strip() == f"({PYTHON_VERSION.replace('.', ', ')})"
        ):
            return candidate
    return None


def _compile(folder: Path) -> bool:
    python = _python312()
    if python is None:
        return False
    command = [python, "-m", "compileall", "-q", "-j", "0", str(folder)]
    result = subprocess.run(command, check=False)  # noqa: S603 (fixed argv)
    return result.returncode == 0


def _zip(folder: Path, archive: Path) -> tuple[int, int]:
    unpacked = 0
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                unpacked += path.stat().st_size
                zf.write(path, path.relative_to(folder))
    return archive.stat().st_size, unpacked


def _strip(folder: Path) -> None:
    for pattern in ("*.dist-info/RECORD", "**/tests", "**/__pycache__/*.cpython-311.pyc"):
        for path in folder.glob(pattern):
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def build(dist: Path) -> dict[str, tuple[int, int]]:
    dist.mkdir(parents=True, exist_ok=True)
    roots = [_name(r) for r in metadata.requires("stellarr") or [] if "extra ==" not in r]
    function_pins = _closure([r for r in roots if r not in SERVER_ONLY], set(SERVER_ONLY))
    layer_pins = _closure(list(LAYER_PACKAGES), set(function_pins))
    sizes: dict[str, tuple[int, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        function_dir, layer_dir = Path(tmp) / "function", Path(tmp) / "layer" / "python"
        _pip_install(function_dir, function_pins)
        shutil.copytree(
            PACKAGE_ROOT,
            function_dir / "stellarr",
            ignore=shutil.ignore_patterns("__pycache__", *EXCLUDED_FROM_FUNCTION),
        )
        _pip_install(layer_dir, layer_pins)
        for folder in (function_dir, layer_dir):
            _strip(folder)
            if not _compile(folder):
                print(f"note: no python{PYTHON_VERSION} here; {folder.name} ships source only")
        leaked = [p.name for p in function_dir.iterdir() if p.name.split("-")[0] in FORBIDDEN]
        if leaked:
            raise RuntimeError(f"boto3/botocore must not be packaged: {leaked}")
        sizes["lambda.zip"] = _zip(function_dir, dist / "lambda.zip")
        sizes["layer.zip"] = _zip(layer_dir.parent, dist / "layer.zip")
    return sizes


def main(dist: Path) -> int:
    for name, (zipped, unpacked) in build(dist).items():
        print(f"{dist / name}: {zipped / 1e6:.1f} MB zipped, {unpacked / 1e6:.1f} MB unzipped")
    return 0
