"""stereospot.ops.images without podman: the build context (wheels fetched from the
package index the first time, then from pip's cache), the model checks, the build command
it gives the engine, and the Dockerfile's targets against the contract."""

from __future__ import annotations

import json
import re
import stat
import tomllib
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from packaging.markers import Marker
from packaging.utils import canonicalize_name, parse_wheel_filename

from stereospot.engine.fetch import read_lock
from stereospot.ops import images
from stereospot.ops.outputs import IMAGES
from stereospot_testing.paths import REPO_ROOT

PY311 = images.Target("3.11", "x86_64", "2.36")


def locked_closure(target: images.Target) -> set[tuple[str, str]]:
    """(name, version) of everything stereospot needs at run time, walked from uv.lock's
    own graph (not `uv export`, which the code under test uses)."""
    lock = tomllib.loads((REPO_ROOT / "uv.lock").read_text())
    versions: dict[str, list[dict[str, Any]]] = {}
    for package in lock["package"]:
        versions.setdefault(canonicalize_name(package["name"]), []).append(package)
    environment = target.markers() | {"extra": ""}

    def entry(dependency: dict[str, Any]) -> dict[str, Any]:
        found = versions[canonicalize_name(dependency["name"])]
        return next(p for p in found if dependency.get("version", p["version"]) == p["version"])

    seen: set[tuple[str, str]] = set()
    todo = [(entry({"name": "stereospot"}), ())]
    while todo:
        package, extras = todo.pop()
        wanted = list(package.get("dependencies", []))
        for extra in extras:
            wanted += package.get("optional-dependencies", {}).get(extra, [])
        for dependency in wanted:
            if "marker" in dependency and not Marker(dependency["marker"]).evaluate(environment):
                continue
            found = entry(dependency)
            key = (canonicalize_name(found["name"]), found["version"])
            if key not in seen or dependency.get("extra"):
                seen.add(key)
                todo.append((found, tuple(dependency.get("extra", ()))))
    return seen


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> images.Context:
    return images.make_context(tmp_path_factory.mktemp("context"), target=PY311)


def test_the_wheelhouse_is_uv_locks_runtime_closure_for_the_images_python(
    context: images.Context,
) -> None:
    wheels = context.path / "wheels"
    held = set()
    for wheel in context.wheels:
        name, version, _, tags = parse_wheel_filename(wheel.name)
        held.add((canonicalize_name(name), str(version)))
        # Loadable by CPython 3.11 on x86_64 with Debian 12's glibc (2.36) or older.
        assert any(
            tag.abi in ("cp311", "abi3", "none")
            and (tag.platform == "any" or _manylinux_glibc(tag.platform) <= (2, 36))
            for tag in tags
        ), wheel.name
    assert held == locked_closure(PY311)
    assert {"onnxruntime", "numba", "av", "boto3"} <= {name for name, _ in held}
    assert not {"torch", "onnxruntime-gpu", "transformers", "pytest", "moto", "ruff"} & {
        name for name, _ in held
    }
    lines = (wheels / images.REQUIREMENTS_FILE).read_text().splitlines()
    assert len(lines) == len(held)
    assert all("==" in line and "--hash=sha256:" in line for line in lines)
    assert (wheels / images.PYTHON_VERSION_FILE).read_text() == "3.11\n"
    assert (wheels / images.RUNTIMES_FILE).read_text() == "cpu\n"
    with zipfile.ZipFile(context.app) as archive:
        assert "stereospot/web/templates/index.html" in archive.namelist()
    dockerfile = (context.path / "Dockerfile").read_bytes()
    assert dockerfile == (REPO_ROOT / images.DOCKERFILE).read_bytes()
    assert read_lock(context.path / "models") == {}


def _manylinux_glibc(platform: str) -> tuple[int, int]:
    legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
    match = re.fullmatch(r"(manylinux\w*?)_(?:(\d+)_(\d+)_)?x86_64", platform)
    if match is None:
        return (99, 0)  # another machine or libc
    if match[2]:
        return (int(match[2]), int(match[3]))
    return legacy.get(match[1], (99, 0))


def test_markers_are_judged_for_the_images_python_not_this_one() -> None:
    pins = {p.name: p.version for p in images.locked_requirements(images.Target("3.12"))}
    assert pins["numpy"] == "2.5.5"  # python_full_version >= '3.12'
    pins = {p.name: p.version for p in images.locked_requirements(PY311)}
    assert pins["numpy"] == "2.4.6"
    assert "colorama" not in pins  # sys_platform == 'win32'


def test_a_model_is_copied_with_its_pin_and_refused_when_its_bytes_differ(
    make_model_dir: Callable[[Path], Path], tmp_path: Path, model: str
) -> None:
    source = make_model_dir(tmp_path / "models")
    pinned = images.copy_models(source, tmp_path / "context-models", [model])
    assert pinned == read_lock(tmp_path / "context-models") == read_lock(source)
    assert (tmp_path / "context-models" / f"{model}.onnx").read_bytes() == (
        source / f"{model}.onnx"
    ).read_bytes()

    with (source / f"{model}.onnx").open("ab") as changed:
        changed.write(b"\0")
    with pytest.raises(images.ModelChecksumError, match=f"{model}: SHA-256 .*, the lock says"):
        images.copy_models(source, tmp_path / "context-models", [model])
    assert not list((tmp_path / "context-models").iterdir())  # nothing left to build from


def test_a_model_the_lock_file_does_not_pin_is_refused(
    make_model_dir: Callable[[Path], Path], tmp_path: Path
) -> None:
    source = make_model_dir(tmp_path / "models")
    with pytest.raises(images.ImageError, match=r"depth-anything-v2-small not in .*models fetch"):
        images.copy_models(source, tmp_path / "out", ["depth-anything-v2-small"])


def test_gpu_runtimes_add_onnx_runtime_gpu_up_to_the_locked_release_or_bootstraps_torch() -> None:
    pins = images.locked_requirements(PY311)
    onnxruntime = next(p.version for p in pins if p.name == "onnxruntime")
    assert images.runtime_requirements("onnx-gpu", pins) == [f"onnxruntime-gpu<={onnxruntime}"]
    assert images.runtime_requirements("cpu", pins) == []
    # The CUDA build of the torch the tests run on CPU (scripts/bootstrap.sh's pin).
    bootstrap = (REPO_ROOT / "scripts" / "bootstrap.sh").read_text()
    (pin,) = re.findall(r"^torch_pin=torch==([\d.]+)\+cpu$", bootstrap, re.MULTILINE)
    assert images.runtime_requirements("torch-cuda", pins) == [f"torch==={pin}"]
    with pytest.raises(images.ImageError, match="runtimes are cpu, onnx-gpu, torch-cuda"):
        images.runtime_requirements("rocm", pins)


def fake_engine(folder: Path, name: str, built_digest: str = "") -> tuple[list[str], Path]:
    """An executable called `name` that logs its arguments, knows the base image, and says
    `built_digest` is the context label of any image asked about."""
    log = folder / "calls.jsonl"
    script = folder / name
    script.write_text(
        "#!/usr/bin/env python3\n"
        "import json, sys\n"
        f"open({str(log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        "if sys.argv[1:3] == ['image', 'inspect']:\n"
        f"    print('sha256:base' if '{{{{.Id}}}}' in sys.argv else {built_digest!r})\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return [str(script)], log


def calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


@pytest.mark.parametrize("engine", ["podman", "docker"])
def test_build_image_asks_for_a_build_without_network_from_the_context_alone(
    context: images.Context, tmp_path: Path, engine: str
) -> None:
    command, log = fake_engine(tmp_path, engine)
    reference = images.build_image(
        "stereo-inference", "t1", base="debian:12", engine=command, context=context.path
    )
    assert reference == "localhost/stereospot-stereo-inference:t1"
    *_, build = calls(log)
    assert build[:7] == ["build", "--network", "none", "--target", "stereo-inference",
                         "--tag", reference]  # fmt: skip
    assert ("--format" in build) == (engine == "podman")  # HEALTHCHECK needs docker's format
    assert "BASE=debian:12" in build and "RUNTIME=cpu" in build
    digest = images.context_digest(context.path, "stereo-inference", "sha256:base", "cpu")
    assert f"{images.CONTEXT_LABEL}={digest}" in build
    assert build[-3:] == ["--file", str(context.path / "Dockerfile"), str(context.path)]


def test_build_image_keeps_an_image_built_from_the_same_context(
    context: images.Context, tmp_path: Path
) -> None:
    digest = images.context_digest(context.path, "web-ui", "sha256:base", "cpu")
    command, log = fake_engine(tmp_path, "podman", built_digest=digest)
    images.build_image("web-ui", "t1", base="debian:12", engine=command, context=context.path)
    assert [call[:2] for call in calls(log)] == [["image", "inspect"]] * 2  # no build
    with pytest.raises(images.ImageError, match="no runtime 'rocm'"):
        images.build_image(
            "web-ui", "t1", base="debian:12", engine=command, context=context.path, runtime="rocm"
        )
    with pytest.raises(images.ImageError, match="no image 'ui'"):
        images.build_image("ui", "t1", base="debian:12", engine=command, context=context.path)


def test_the_dockerfile_has_a_target_per_image_with_the_contracts_command_and_check(
    commands: dict[str, list[str]],
) -> None:
    """Read as text, so machines without podman check the contract too."""
    text = (REPO_ROOT / images.DOCKERFILE).read_text()
    stages = re.split(r"^FROM ", text, flags=re.MULTILINE)[1:]
    targets = {re.match(r"\S+ AS (\S+)", stage)[1]: stage for stage in stages}  # type: ignore[index]
    assert set(IMAGES) <= set(targets)
    for name in IMAGES:
        stage = targets[name]
        assert stage.startswith("runtime AS "), name  # every image is the one runtime
        (cmd,) = re.findall(r"^CMD (\[.*\])$", stage, re.MULTILINE)
        assert json.loads(cmd) == commands[name]
        (check,) = re.findall(r"^\s+CMD (\[\"python\", \"-c\".*\])$", stage, re.MULTILINE)
        assert json.loads(check)[:2] == ["python", "-c"]
        assert re.findall(r"^USER (\S+)$", stage, re.MULTILINE)[-1:] in ([], ["10001:10001"])
    assert "USER 10001:10001" in targets["runtime"]
    assert "curl" not in text.replace("no curl", "")
    assert "--no-index" in targets["deps"] and "pip download" not in text
