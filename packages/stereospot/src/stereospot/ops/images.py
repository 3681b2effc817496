"""The images' build context and their build: what `stereospot ops build` runs.

    context = make_context(Path("dist/stereospot-image"), target=Target("3.11"),
                           runtime="cpu", model_dir=Path("models"),
                           models=["depth-anything-v2-small"])
    build_image("web-ui", "abc123", base="python:3.11-slim-bookworm",
                engine=["podman"], context=context.path)

deploy/Dockerfile (a target per image) installs from the context with `pip install
--no-index`, so a build needs no network and takes exactly uv.lock's pins:

- wheels/: the wheel of every runtime dependency of stereospot that uv.lock pins
  (`uv export --no-dev`, its markers judged for the image's Python and machine, not this
  one's), fetched by `pip download --require-hashes` with the lock's hashes, and
  requirements.txt, which the Dockerfile installs with the same hashes; for a GPU
  runtime, its wheels too (which uv.lock does not pin: runtime_requirements);
- app/: StereoSpot's own wheel (`uv build`), installed in a layer of its own;
- models/: the models the inference image carries, each copied from the model folder and
  checked against its models.lock.json entry, and a lock file naming just those.

The operator side needs the workspace (uv.lock, uv, the Dockerfile) and a pip: the running
Python's, else the one scripts/bootstrap.sh puts in .cache/uv.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement

from stereospot.engine.fetch import (
    KNOWN,
    LOCK_FILE,
    Pin,
    read_lock,
    sha256_of,
    verify,
    write_lock,
)
from stereospot.ops.outputs import IMAGES, OpsError
from stereospot.ops.registry import local_name

RUNTIMES = ("cpu", "onnx-gpu", "torch-cuda")
# The torch that scripts/bootstrap.sh installs for the tests (as +cpu there); PyPI's Linux
# build of it is CUDA's.
TORCH_VERSION = "2.13.0"
DOCKERFILE = Path("packages/stereospot/deploy/Dockerfile")
# Files the Dockerfile reads: the base's Python must be this one; RUNTIME one of these.
PYTHON_VERSION_FILE = "python-version"
RUNTIMES_FILE = "runtimes"
REQUIREMENTS_FILE = "requirements.txt"
# Labels the inference image carries per model: `io.stereospot.model.<name>=sha256:<hex>`.
MODEL_LABEL = "io.stereospot.model."
# Every image's: the digest of what it was built from (context_digest).
CONTEXT_LABEL = "io.stereospot.context"


class ImageError(OpsError):
    """A context or image that cannot be made; the message says why and what to do."""


class ModelChecksumError(ImageError):
    """A model whose bytes are not the ones its lock file records: never put in an image."""


@dataclass(frozen=True)
class Target:
    """The Python and machine of the image's base (Debian 12: Python 3.11, glibc 2.36)."""

    python: str = "3.11"
    arch: str = "x86_64"
    glibc: str = "2.36"

    def markers(self) -> dict[str, str]:
        """Where the image differs from this machine, for uv.lock's markers (Marker.evaluate
        takes the rest from the running Python)."""
        full = f"{self.python}.0"
        return dict(
            python_version=self.python, python_full_version=full, implementation_version=full,
            implementation_name="cpython", platform_python_implementation="CPython",
            platform_machine=self.arch, platform_system="Linux", sys_platform="linux",
            os_name="posix",
        )  # fmt: skip

    def pip_options(self) -> list[str]:
        """`pip download` options for wheels this Python and glibc load: every manylinux
        tag from the base's glibc down to 2.17 (pip expands none of them itself)."""
        major, newest = (int(part) for part in self.glibc.split("."))
        tags = [f"manylinux_{major}_{minor}_{self.arch}" for minor in range(newest, 16, -1)]
        abi = "cp" + self.python.replace(".", "")
        options = ["--only-binary=:all:", "--python-version", self.python]
        options += ["--implementation", "cp", "--abi", abi, "--abi", "abi3", "--abi", "none"]
        for tag in [*tags, f"manylinux2014_{self.arch}"]:
            options += ["--platform", tag]
        return options


@dataclass(frozen=True)
class Pinned:
    """One requirement of uv.lock: its exact version and the hashes of its files."""

    name: str
    version: str
    hashes: tuple[str, ...]

    def line(self) -> str:
        return " ".join([f"{self.name}=={self.version}", *(f"--hash={h}" for h in self.hashes)])


@dataclass(frozen=True)
class Context:
    path: Path
    target: Target
    runtime: str
    wheels: tuple[Path, ...]  # the dependencies' wheels (GPU runtime's included)
    app: Path  # StereoSpot's wheel
    models: dict[str, Pin]


def workspace_root(start: Path | None = None) -> Path:
    """The folder of uv.lock above `start` (default: this file, then the working folder)."""
    starts = [start] if start else [Path(__file__).resolve(), Path.cwd()]
    for origin in starts:
        for folder in (origin, *origin.parents):
            if (folder / "uv.lock").is_file() and (folder / DOCKERFILE).is_file():
                return folder
    raise ImageError("no workspace (uv.lock and the Dockerfile) here: run from the repository")


def _uv(workspace: Path) -> str:
    found = shutil.which("uv") or workspace / ".cache" / "uv" / "bin" / "uv"
    if not Path(found).is_file():
        raise ImageError("no uv: run `bash scripts/bootstrap.sh stereospot` (it installs uv)")
    return str(found)


def _pip(workspace: Path) -> list[str]:
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    private = workspace / ".cache" / "uv" / "bin" / "python"
    if private.is_file():
        return [str(private), "-m", "pip"]
    raise ImageError("no pip to download wheels with: run `bash scripts/bootstrap.sh stereospot`")


def _run(command: Sequence[str], what: str, cwd: Path | None = None) -> str:
    done = subprocess.run(  # noqa: S603 (argv of the workspace's own tools)
        list(command), cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise ImageError(f"{what} failed (exit {done.returncode}):\n{tail}")
    return done.stdout


def locked_requirements(
    target: Target, *, extras: Sequence[str] = (), workspace: Path | None = None
) -> list[Pinned]:
    """Every runtime dependency of stereospot that uv.lock pins for `target`, with hashes."""
    root = workspace or workspace_root()
    command = [_uv(root), "export", "--frozen", "--package", "stereospot", "--no-dev"]
    command += ["--no-emit-project", "--format", "requirements.txt", "--no-header"]
    command += [f"--extra={extra}" for extra in extras]
    exported = _run(command, "uv export", cwd=root)
    pins = []
    for line in exported.replace("\\\n", " ").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        spec, *hashes = line.split("--hash=")
        requirement = Requirement(spec.strip())
        if requirement.marker and not requirement.marker.evaluate(target.markers()):
            continue
        (pin,) = requirement.specifier  # uv exports each as name==version
        pins.append(Pinned(requirement.name, pin.version, tuple(h.strip() for h in hashes)))
    return pins


def runtime_requirements(runtime: str, pins: Iterable[Pinned]) -> list[str]:
    """What a GPU runtime adds to the wheelhouse beyond uv.lock's pins: the newest ONNX
    Runtime GPU not newer than the locked ONNX Runtime (its GPU releases come later), or
    CUDA torch (`===`: exactly that version, never a local build such as `+cpu`)."""
    if runtime not in RUNTIMES:
        raise ImageError(f"no runtime {runtime!r}; runtimes are {', '.join(RUNTIMES)}")
    versions = {pin.name: pin.version for pin in pins}
    if runtime == "onnx-gpu":
        return [f"onnxruntime-gpu<={versions['onnxruntime']}"]
    if runtime == "torch-cuda":
        return [f"torch==={TORCH_VERSION}"]
    return []


def write_wheelhouse(
    folder: Path, target: Target, runtime: str = "cpu", *, workspace: Path | None = None
) -> list[Path]:
    """`folder` afresh: the wheels, requirements.txt, python-version and runtimes."""
    root = workspace or workspace_root()
    pins = locked_requirements(target, workspace=root)
    extra = runtime_requirements(runtime, pins)
    _fresh(folder)
    (folder / REQUIREMENTS_FILE).write_text("".join(p.line() + "\n" for p in pins))
    download = [*_pip(root), "download", "--quiet", "--dest", str(folder), *target.pip_options()]
    _run([*download, "--no-deps", "--require-hashes", "-r", str(folder / REQUIREMENTS_FILE)],
         "pip download of uv.lock's pins")  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        if runtime == "torch-cuda":
            # The torch extra's packages (transformers and its own), pinned by uv.lock too.
            base = {pin.name for pin in pins}
            extras = locked_requirements(target, extras=["torch"], workspace=root)
            torch_extra = Path(scratch) / "torch-extra.txt"
            torch_extra.write_text("".join(p.line() + "\n" for p in extras if p.name not in base))
            _run([*download, "--no-deps", "--require-hashes", "-r", str(torch_extra)],
                 "pip download of the torch extra")  # fmt: skip
        if extra:
            # Resolved by pip, since uv.lock leaves them out; what they share with the lock
            # stays at the lock's versions.
            constraints = Path(scratch) / "constraints.txt"
            constraints.write_text("".join(f"{p.name}=={p.version}\n" for p in pins))
            _run(
                [*download, "--constraint", str(constraints), *extra], f"pip download of {runtime}"
            )
    (folder / PYTHON_VERSION_FILE).write_text(target.python + "\n")
    (folder / RUNTIMES_FILE).write_text("".join(f"{r}\n" for r in dict.fromkeys(["cpu", runtime])))
    return sorted(folder.glob("*.whl"))


def build_app_wheel(folder: Path, *, workspace: Path | None = None) -> Path:
    """StereoSpot's wheel, alone in `folder` (`uv build`; its bytes change only with its
    files, so the image's app layer stays cached)."""
    root = workspace or workspace_root()
    _fresh(folder)
    _run([_uv(root), "build", "--package", "stereospot", "--wheel", "--out-dir", str(folder)],
         "uv build --package stereospot", cwd=root)  # fmt: skip
    for extra in folder.iterdir():  # uv leaves a .gitignore beside the wheel
        if extra.suffix != ".whl":
            extra.unlink()
    (wheel,) = folder.glob("stereospot-*.whl")
    return wheel


def copy_models(source: Path, dest: Path, names: Sequence[str]) -> dict[str, Pin]:
    """The models `names` from the model folder `source` into `dest` with a lock file of
    theirs only; ModelChecksumError (and nothing left in `dest`) when a copy is not what the
    lock file records."""
    _fresh(dest)
    pins = read_lock(source) if names else {}
    missing = [name for name in names if name not in pins]
    if missing:
        raise ImageError(
            f"{', '.join(missing)} not in {source / LOCK_FILE}: "
            f"`stereospot models fetch NAME --dir {source}` pins a model there"
        )
    chosen = {name: pins[name] for name in names}
    for name in chosen:
        installed = KNOWN[name].installed_as(name) if name in KNOWN else f"{name}.onnx"
        path = source / installed
        if not path.exists():
            raise ImageError(f"{installed} is not in {source}: fetch it again")
        if path.is_dir():
            shutil.copytree(path, dest / installed)
        elif path.is_file():
            shutil.copy2(path, dest / installed)
    write_lock(dest, chosen)
    refused = [v for v in verify(dest, list(chosen)) if not v.ok]
    if refused:
        _fresh(dest)
        details = "; ".join(f"{v.name}: {v.detail}" for v in refused)
        raise ModelChecksumError(f"not put in the image: {details}")
    return chosen


def make_context(
    out: Path,
    *,
    target: Target | None = None,
    runtime: str = "cpu",
    model_dir: Path | None = None,
    models: Sequence[str] = (),
    workspace: Path | None = None,
) -> Context:
    """The whole build context in `out` (its wheels/, app/ and models/ written afresh)."""
    root = workspace or workspace_root()
    target = target or Target()
    out = out.resolve()  # the wheel build runs in the workspace, not in the working folder
    if models and model_dir is None:
        raise ImageError("models named but no model folder to copy them from")
    out.mkdir(parents=True, exist_ok=True)
    wheels = write_wheelhouse(out / "wheels", target, runtime, workspace=root)
    app = build_app_wheel(out / "app", workspace=root)
    pinned = copy_models(model_dir or out, out / "models", models)
    shutil.copy2(root / DOCKERFILE, out / "Dockerfile")
    return Context(out, target, runtime, tuple(wheels), app, pinned)


def _fresh(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


def _is_podman(engine: Sequence[str]) -> bool:
    return Path(engine[0]).name in ("podman", "buildah")


def context_digest(context: Path, *inputs: str) -> str:
    """One SHA-256 of every file in the context (names and bytes) and of `inputs`."""
    digest = hashlib.sha256("\0".join(inputs).encode())
    for path in sorted(p for p in context.rglob("*") if p.is_file()):
        digest.update(f"\0{path.relative_to(context).as_posix()}\0{sha256_of(path)}".encode())
    return digest.hexdigest()


def _engine_output(engine: Sequence[str], *args: str) -> str | None:
    done = subprocess.run(  # noqa: S603 (the operator's own engine)
        [*engine, *args], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() if done.returncode == 0 else None


def build_image(
    name: str,
    tag: str,
    *,
    base: str,
    engine: Sequence[str],
    context: Path,
    runtime: str = "cpu",
    echo: bool = False,
) -> str:
    """Build the target `name` of the context's Dockerfile as local_name(name, tag) and
    return that reference. `engine`: podman or docker and its global options
    (registry.engine_command). The build has no network (`--network none`): everything
    comes from the context. An image of that reference built from the same context, base
    image and runtime (its CONTEXT_LABEL says) is kept as it is: even a build whose every
    layer is cached spends seconds hashing the environment it copies. echo: the engine's
    output goes to this terminal."""
    if name not in IMAGES:
        raise ImageError(f"no image {name!r}; images are {', '.join(IMAGES)}")
    if runtime not in RUNTIMES:
        raise ImageError(f"no runtime {runtime!r}; runtimes are {', '.join(RUNTIMES)}")
    if not (context / "Dockerfile").is_file():
        raise ImageError(f"{context} is not a build context: make it first (make_context)")
    reference = local_name(name, tag)
    base_id = _engine_output(engine, "image", "inspect", "--format", "{{.Id}}", base)
    digest = context_digest(context, name, base_id or base, runtime)
    label = '{{ index .Config.Labels "' + CONTEXT_LABEL + '" }}'
    built = _engine_output(engine, "image", "inspect", "--format", label, reference)
    if base_id and built == digest:
        return reference
    command = [*engine, "build", "--network", "none", "--target", name, "--tag", reference]
    if _is_podman(engine):
        command += ["--format", "docker"]  # an OCI image config has no HEALTHCHECK
    command += ["--build-arg", f"BASE={base}", "--build-arg", f"RUNTIME={runtime}"]
    command += ["--label", f"{CONTEXT_LABEL}={digest}"]
    if name == "stereo-inference":
        for model, pin in read_lock(context / "models").items():
            command += ["--label", f"{MODEL_LABEL}{model}=sha256:{pin.sha256}"]
    command += ["--file", str(context / "Dockerfile"), str(context)]
    if echo:
        if subprocess.run(command, check=False).returncode != 0:  # noqa: S603
            raise ImageError(f"building {reference} failed: the engine's output is above")
    else:
        _run(command, f"building {reference}")
    return reference


def context_summary(context: Context) -> str:
    """One line for the operator: what the context holds."""
    size = sum(path.stat().st_size for path in context.wheels) / 1e6
    models = json.dumps({name: pin.sha256[:12] for name, pin in context.models.items()})
    return (
        f"{len(context.wheels)} wheels ({size:.0f} MB) for Python {context.target.python} on "
        f"{context.target.arch}, runtime {context.runtime}, models {models} in {context.path}"
    )


__all__ = [
    "RUNTIMES",
    "Context",
    "ImageError",
    "ModelChecksumError",
    "Pinned",
    "Target",
    "build_app_wheel",
    "build_image",
    "context_digest",
    "context_summary",
    "copy_models",
    "locked_requirements",
    "make_context",
    "runtime_requirements",
    "workspace_root",
    "write_wheelhouse",
]
