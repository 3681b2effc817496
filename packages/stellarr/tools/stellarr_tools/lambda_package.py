"""Build the Lambda deployment package: dist/lambda.zip and its layers' zips.

    make lambda        (= .venv/bin/python -m stellarr_tools.lambda_package [--dist dist])

    dist/lambda.zip                     the function (Stellarr, FastAPI, pydantic, httpx, ...)
    dist/lambda-native-layer.zip        default layer, on every function: the compiled
                                        packages (pydantic-core, cryptography)
    dist/lambda-apprise-layer.zip       optional layer: Apprise and what only it needs, attached
                                        only where NOTIFY_URLS is set

A build tool, not part of the `stellarr` package: it reads the workspace lock and needs uv.

What goes in: Stellarr, and exactly the runtime dependencies of the `stellarr` package as
pinned in uv.lock (`uv export --package stellarr --no-dev`: never the dev group), minus the
direct dependencies only `stellarr serve` uses and whatever only they need. boto3/botocore are
refused: the AWS calls go through stellarr.aws. Wheels are fetched for Python 3.12 on arm64
(Graviton) and only wheels, so nothing is compiled for the wrong machine.

What is left out: tests, type stubs, console scripts, pydantic's bundled v1 (FastAPI imports
it only to check whether a model is a v1 model, and skips the check when it cannot), and the
dist-info files nothing reads at run time. Licences and each dist-info's METADATA headers and
entry points stay.

Bytecode: Lambda's file system is read-only, so Python cannot cache what it compiles and would
compile every module on every cold start. Third-party packages ship as bytecode only; Stellarr
ships source and bytecode so its tracebacks show source lines (docs/benchmarks.md has the
measurements). Bytecode is compiled unchecked-hash: a zip keeps modification times to two
seconds, and a timestamp-checked .pyc whose source looks newer would be ignored. Only the
target's bytecode goes in: wheels are installed without compiling (the Makefile's
UV_COMPILE_BYTECODE=1 would otherwise have uv compile them for the machine building the zip),
and a build that still holds bytecode for another Python fails.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from stellarr_tools.workspace import EXPORT_RUNTIME, uv_binary, workspace_root

# The checkout whose uv.lock pins the function (this file's own, also when an older
# checkout's copy is loaded by path: bench/lambda_lean.py).
REPO_ROOT = workspace_root(Path(__file__).resolve(), "lambda_package")
STELLARR_SOURCE = REPO_ROOT / "packages" / "stellarr" / "src" / "stellarr"
# What never runs on Lambda: the server of `stellarr serve`, plexapi (`stellarr plex-sync`
# runs next to Plex, not in AWS) and click (only apprise's own command line imports it).
SERVER_ONLY = ("uvicorn", "httptools", "uvloop", "plexapi", "click")
# cffi's C parser: cffi needs it to build a module from C declarations, never to load one
# already built (cryptography's), which needs only cffi's `_cffi_backend` extension.
BUILD_ONLY = ("pycparser",)
NOT_ON_LAMBDA = (*SERVER_ONLY, *BUILD_ONLY)
FORBIDDEN = frozenset({"boto3", "botocore", "s3transfer"})
# Pure Python, and on PyPI only as a source distribution (Web Push's encryption).
PURE_SOURCE_ONLY = frozenset({"http-ece"})
WINDOWS_ONLY = "sys_platform == 'win32'"
EXCLUDED_FROM_FUNCTION = ("__pycache__",)
# Static files, which S3 and CloudFront serve (docs/aws.md): the SvelteKit build, and Swagger
# UI (half a megabyte zipped), which `stellarr deploy` puts in the web app's bucket under
# /api-docs/ where the function's API docs page links it (stellarr/api/web.py). The function
# keeps the page, its start-up script and its icon.
UI_ONLY = ("static/web", "static/vendor")
# Stellarr's modules that only run elsewhere: `stellarr serve` and the other commands, the
# Plex sync (next to Plex), the deploy command (the operator's machine).
OFF_LAMBDA = ("cli.py", "__main__.py", "server.py", "plex_sync.py", "plex_library.py", "deploy")
# What no function imports: pydantic's bundled v1 and mypy plugin, opt-in experiments,
# test helpers and pytest plugins, anyio's trio backend, FastAPI's notes for coding agents,
# and cffi's Python half (see BUILD_ONLY).
UNUSED_SUBPACKAGES = (
    "pydantic/v1",
    "pydantic/mypy.py",
    "pydantic/experimental",
    "starlette/testclient.py",
    "anyio/pytest_plugin.py",
    "anyio/_backends/_trio.py",
    "fastapi/.agents",
    "cffi",
)
# What a dist-info keeps: METADATA (headers only) for importlib.metadata.version(), entry
# points (opentelemetry finds its context implementation through them), licences, SBOMs.
DIST_INFO_KEPT = re.compile(r"(METADATA|entry_points\.txt|LICEN[CS]E.*|COPYING.*|NOTICE.*)$")
DIST_INFO_KEPT_DIRS = ("licenses", "sboms")
FUNCTION_ROOT = "/var/task"
LAYER_ROOT = "/opt/python"

Bytecode = Literal["source", "both", "bytecode", "mixed"]
Invalidation = Literal["unchecked-hash", "timestamp"]
BYTECODE_MODES: tuple[Bytecode, ...] = ("source", "both", "bytecode", "mixed")
# Third-party as bytecode only; Stellarr as source and bytecode (its tracebacks keep lines).
DEFAULT_BYTECODE: Bytecode = "mixed"


@dataclass(frozen=True)
class Target:
    """Where the code will run: Lambda by default; the bench also builds for this machine."""

    python_version: str = "3.12"
    platform: str | None = "aarch64-manylinux2014"  # None: this machine's own platform

    @classmethod
    def here(cls, python_version: str | None = None) -> Target:
        version = python_version or f"{sys.version_info.major}.{sys.version_info.minor}"
        return cls(version, None)


@dataclass(frozen=True)
class Layer:
    """A layer: its root projects and, with them, whatever only they need."""

    name: str
    roots: frozenset[str]
    # Default layers go on every function; the others only where a setting needs them.
    default: bool
    # The setting whose presence attaches an optional layer (what `stellarr deploy` checks).
    needed_by: str | None = None

    @property
    def zip_name(self) -> str:
        return f"lambda-{self.name}-layer.zip"


# The function is Stellarr and pure-Python packages; layers hold the rest.
LAYERS = (
    # The compiled code, built for arm64: pydantic-core (every request) and cryptography (Web
    # Push's encryption and VAPID signature, imported on the first push). Built from the same
    # lock as the function by the same `make lambda`, and deployed with it.
    Layer("native", frozenset({"pydantic-core", "cryptography"}), default=True),
    # Apprise's plugins and their requests/oauthlib/yaml/markdown: only for NOTIFY_URLS.
    Layer("apprise", frozenset({"apprise"}), default=False, needed_by="NOTIFY_URLS"),
)
FUNCTION_ZIP = "lambda.zip"
# What was built, for `stellarr deploy` (stellarr/deploy/package.py reads it).
MANIFEST = "lambda-package.json"


@dataclass(frozen=True)
class Requirements:
    """Pinned requirement lines (`name==version[ ; marker]`) for the function and each layer
    (by layer name; a layer none of whose roots is in the closure is absent)."""

    function: tuple[str, ...]
    layers: dict[str, tuple[str, ...]]

    @staticmethod
    def names(lines: Iterable[str]) -> set[str]:
        return {_name(line) for line in lines}


def _name(requirement: str) -> str:
    raw = re.split(r"[\s;<>=!~\[(]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", raw).lower()


def _uv() -> list[str]:
    found = uv_binary(REPO_ROOT)
    if not found:
        raise SystemExit("lambda_package: no uv; `make lambda` installs it into .cache/uv")
    return [found]


def _export(prune: Iterable[str]) -> tuple[str, ...]:
    command = [*_uv(), *EXPORT_RUNTIME]
    for name in sorted(prune):
        command += ["--prune", name]
    out = subprocess.run(  # noqa: S603 (fixed argv; names come from this file)
        command, cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    lines = (line.strip() for line in out.splitlines())
    # Lambda is Linux: a requirement only Windows gets (apprise's tzdata) is not shipped.
    return tuple(line for line in lines if line and line[0] != "#" and WINDOWS_ONLY not in line)


def requirements(layers: Iterable[Layer] = LAYERS) -> Requirements:
    """The function's closure from the lock, less every layer's roots and what only they
    need. A layer holds what pruning its own roots takes out of the closure, less what an
    earlier default layer holds (default layers are always there); what only the layers
    together need (no single one) goes to the first default layer."""
    everything = _export(NOT_ON_LAMBDA)
    names = Requirements.names(everything)
    present = [replace(layer, roots=layer.roots & names) for layer in layers if layer.roots & names]
    if not present:
        return Requirements(everything, {})
    function = _export((*NOT_ON_LAMBDA, *(root for layer in present for root in layer.roots)))
    function_names = Requirements.names(function)
    taken = set(function_names)
    by_layer: dict[str, set[str]] = {}
    for layer in present:
        own = names - Requirements.names(_export((*NOT_ON_LAMBDA, *layer.roots))) - taken
        by_layer[layer.name] = own
        if layer.default:
            taken |= own
    shared = names - function_names - set().union(*by_layer.values())
    if shared:
        first_default = next((layer for layer in present if layer.default), present[0])
        by_layer[first_default.name] |= shared
    return Requirements(
        function,
        {name: tuple(r for r in everything if _name(r) in own) for name, own in by_layer.items()},
    )


def install(folder: Path, lines: Iterable[str], target: Target) -> None:
    lines = list(lines)
    if not lines:
        return
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as spec:
        spec.write("\n".join(lines) + "\n")
    command = [*_uv(), "pip", "install", "--quiet", "--no-deps", "--target", str(folder)]
    command += ["--python-version", target.python_version]
    # Not compiled by uv, which would use the Python running it (3.11 here, `cpython-311`
    # files Lambda's 3.12 never reads); compile_bytecode() compiles for the target.
    environ = {k: v for k, v in os.environ.items() if k != "UV_COMPILE_BYTECODE"}
    # Wheels only, so nothing native is built for the wrong machine; the few pure-Python
    # projects published as source alone are the exception (they build to py3-none-any).
    for name in sorted({_name(line) for line in lines} - PURE_SOURCE_ONLY):
        command += ["--only-binary", name]
    if target.platform:
        command += ["--python-platform", target.platform]
    try:
        subprocess.run(  # noqa: S603 (fixed argv)
            [*command, "-r", spec.name], check=True, env=environ
        )
    finally:
        os.unlink(spec.name)


def closure(roots: list[str], skip: Iterable[str] = ()) -> list[str]:
    """Pins for roots and what they need, from the installed (locked) distributions; the
    bench uses it for boto3, which is a dev dependency and so not in the function's export."""
    pinned: dict[str, str] = {}
    skipped = {_name(s) for s in skip}
    pending = [_name(r) for r in roots]
    while pending:
        name = pending.pop()
        if name in pinned or name in skipped:
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
    return [f"{n}=={v}" for n, v in sorted(pinned.items())]


def strip(folder: Path) -> None:
    """Drop what nothing imports or reads at run time; keep licences."""
    doomed: list[Path] = [folder / "bin", *(folder / sub for sub in UNUSED_SUBPACKAGES)]
    doomed += [p for p in folder.rglob("*") if p.is_dir() and p.name in ("tests", "test")]
    doomed += [p for p in folder.rglob("*") if p.suffix == ".pyi" or p.name == "py.typed"]
    for info in folder.glob("*.dist-info"):
        for entry in info.iterdir():
            keep = entry.name in DIST_INFO_KEPT_DIRS if entry.is_dir() else None
            if keep is None:
                keep = bool(DIST_INFO_KEPT.match(entry.name))
            if not keep:
                doomed.append(entry)
        _trim_metadata(info / "METADATA")
    for path in doomed:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def _trim_metadata(path: Path) -> None:
    # The body after the headers is the long description: READMEs and whole changelogs.
    if path.is_file():
        headers, _, _ = path.read_text(encoding="utf-8").partition("\n\n")
        path.write_text(headers + "\n", encoding="utf-8")


def refuse_forbidden(folder: Path) -> None:
    leaked = [p.name for p in folder.iterdir() if _name(p.name.split("-")[0]) in FORBIDDEN]
    if leaked:
        raise RuntimeError(f"boto3/botocore must not be packaged: {leaked}")


def foreign_bytecode(folder: Path, target: Target) -> list[str]:
    """Bytecode in `folder` that the target's Python would never read: `__pycache__` files
    tagged for another interpreter (`name.cpython-311.pyc` for a 3.12 function)."""
    own = f".cpython-{target.python_version.replace('.', '')}"
    return sorted(
        str(path.relative_to(folder))
        for path in folder.rglob("__pycache__/*.pyc")
        if not path.name.endswith((f"{own}.pyc", f"{own}.opt-1.pyc", f"{own}.opt-2.pyc"))
    )


def refuse_foreign_bytecode(folder: Path, target: Target) -> None:
    foreign = foreign_bytecode(folder, target)
    if foreign:
        shown = ", ".join(foreign[:3])
        raise RuntimeError(
            f"{len(foreign)} bytecode files for another Python than {target.python_version} "
            f"(e.g. {shown}): was the folder compiled by uv or another interpreter?"
        )


def interpreter(version: str) -> str | None:
    """A real python<version> binary (not a pyenv shim), or None."""
    candidates = [shutil.which(f"python{version}")]
    candidates += [str(p) for p in Path.home().glob(f".pyenv/versions/{version}*/bin/python3")]
    probe = "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}', sys.executable)"
    for candidate in filter(None, candidates):
        result = subprocess.run(  # noqa: S603 (fixed argv)
            [candidate, "-c", probe], capture_output=True, text=True, check=False
        )
        found, _, executable = result.stdout.strip().partition(" ")
        if result.returncode == 0 and found == version:
            return executable
    return None


def _compileall(python: str, paths: list[Path], root: Path, prefix: str, *extra: str) -> None:
    if not paths:
        return
    # -s/-p: tracebacks name the file where Lambda unpacks it, not this build's temp folder.
    command = [python, "-m", "compileall", "-q", "-j", "0", "-s", str(root), "-p", prefix]
    subprocess.run([*command, *extra, *map(str, paths)], check=True)  # noqa: S603


def compile_bytecode(
    folder: Path,
    target: Target,
    mode: Bytecode = DEFAULT_BYTECODE,
    *,
    prefix: str = FUNCTION_ROOT,
    invalidation: Invalidation = "unchecked-hash",
) -> Bytecode:
    """Compile in place for the target Python; returns the mode really shipped ("source"
    when no such Python is on this machine)."""
    if mode == "source":
        return mode
    python = interpreter(target.python_version)
    if python is None:
        print(f"note: no python{target.python_version} here; shipping source only")
        return "source"
    ours = [p for p in folder.iterdir() if p.name == "stellarr"]
    theirs = [p for p in folder.iterdir() if p.name != "stellarr" and _holds_python(p)]
    with_sources = {"both": ours + theirs, "mixed": ours}.get(mode, [])
    sourceless = [p for p in ours + theirs if p not in with_sources]
    flags = ("--invalidation-mode", invalidation)
    _compileall(python, with_sources, folder, prefix, *flags)
    # -b writes module.pyc beside module.py, where it is imported from once the source goes.
    _compileall(python, sourceless, folder, prefix, "-b")
    for top in sourceless:
        for source in [top] if top.is_file() else top.rglob("*.py"):
            source.unlink()
    return mode


def _holds_python(path: Path) -> bool:
    return path.suffix == ".py" if path.is_file() else not path.name.endswith(".dist-info")


def install_function(folder: Path, target: Target, lines: Iterable[str]) -> None:
    """Dependencies and Stellarr's source, stripped; no bytecode yet."""
    install(folder, lines, target)
    shutil.copytree(
        STELLARR_SOURCE,
        folder / "stellarr",
        ignore=shutil.ignore_patterns(*EXCLUDED_FROM_FUNCTION),
    )
    for name in (*UI_ONLY, *OFF_LAMBDA):
        path = folder / "stellarr" / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    strip(folder)
    refuse_forbidden(folder)


def assemble_function(
    folder: Path,
    target: Target,
    mode: Bytecode = DEFAULT_BYTECODE,
    lines: Iterable[str] | None = None,
) -> Bytecode:
    """The function's content; `lines`: its requirements (default: from the lock)."""
    install_function(folder, target, requirements().function if lines is None else lines)
    shipped = compile_bytecode(folder, target, mode)
    refuse_foreign_bytecode(folder, target)
    return shipped


def assemble_layer(
    folder: Path, lines: Iterable[str], target: Target, mode: Bytecode = DEFAULT_BYTECODE
) -> None:
    """A layer's content, unpacked where Lambda puts it: `folder/python` is /opt/python."""
    python = folder / "python"
    install(python, lines, target)
    strip(python)
    refuse_forbidden(python)
    compile_bytecode(python, target, mode, prefix=LAYER_ROOT)
    refuse_foreign_bytecode(python, target)


def zip_folder(folder: Path, archive: Path) -> tuple[int, int]:
    """(zipped, unpacked) bytes."""
    unpacked = 0
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                unpacked += path.stat().st_size
                zf.write(path, path.relative_to(folder))
    return archive.stat().st_size, unpacked


def build(
    dist: Path,
    target: Target = Target(),
    mode: Bytecode = DEFAULT_BYTECODE,
    layers: Iterable[Layer] = LAYERS,
) -> dict[str, tuple[int, int]]:
    """Write dist/lambda.zip and one dist/lambda-<name>-layer.zip per layer whose roots are
    in the closure; returns {zip name: (zipped, unpacked) bytes}, the function first."""
    layers = tuple(layers)
    dist.mkdir(parents=True, exist_ok=True)
    pins = requirements(layers)
    sizes: dict[str, tuple[int, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        function = Path(tmp) / "function"
        assemble_function(function, target, mode, pins.function)
        sizes[FUNCTION_ZIP] = zip_folder(function, dist / FUNCTION_ZIP)
        for layer in layers:
            archive = dist / layer.zip_name
            if layer.name in pins.layers:
                folder = Path(tmp) / layer.name
                assemble_layer(folder, pins.layers[layer.name], target, mode)
                sizes[layer.zip_name] = zip_folder(folder, archive)
            else:
                # An old layer lying next to the new function would invite deploying it.
                archive.unlink(missing_ok=True)
    # The name before layers had names of their own.
    (dist / "layer.zip").unlink(missing_ok=True)
    built = manifest(target, [layer for layer in layers if layer.zip_name in sizes])
    (dist / MANIFEST).write_text(json.dumps(built, indent=2) + "\n", encoding="utf-8")
    return sizes


def manifest(target: Target, layers: Iterable[Layer]) -> dict[str, Any]:
    """What `stellarr deploy` reads beside the zips: which is the function, which layers
    exist, and which go on every function or only where a setting needs them."""
    return {
        "function": FUNCTION_ZIP,
        "runtime": f"python{target.python_version}",
        "platform": target.platform,
        "layers": [
            {
                "name": layer.name,
                "zip": layer.zip_name,
                "default": layer.default,
                "needed_by": layer.needed_by,
            }
            for layer in layers
        ],
    }


def default_layer_zips(layers: Iterable[Layer] = LAYERS) -> tuple[str, ...]:
    return tuple(layer.zip_name for layer in layers if layer.default)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=REPO_ROOT / "dist")
    args = parser.parse_args(argv)
    sizes = build(args.dist)
    roles = {layer.zip_name: layer for layer in LAYERS}
    for name, (zipped, unpacked) in sizes.items():
        layer = roles.get(name)
        role = (
            "function"
            if layer is None
            else "layer, " + ("on every function" if layer.default else "optional")
        )
        print(
            f"{args.dist / name}: {zipped / 1e6:.2f} MB zipped, "
            f"{unpacked / 1e6:.1f} MB unzipped ({role})"
        )
    attached = (FUNCTION_ZIP, *default_layer_zips())
    defaults = sum(sizes[name][0] for name in attached if name in sizes)
    print(f"function + default layers: {defaults / 1e6:.2f} MB zipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
