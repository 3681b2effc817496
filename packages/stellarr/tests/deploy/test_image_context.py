"""tools/image_context.py: which wheel fits the image, and the wheelhouse `make image` writes
for the default base (Python 3.12), on both machines its base image exists for, resolved
offline from nothing but the wheelhouse (what `pip install --no-index` in the Dockerfile
does). Fetches wheels from PyPI the first time (then from .cache/image-wheels)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.tags import Tag

from stellarr_tools import image_context
from stellarr_tools.image_context import Artifact, Locked, Target

PY312 = Target.parse("3.12", "x86_64", "2.36")


def locked(*filenames: str) -> Locked:
    wheels = tuple(Artifact(f"https://files.example/{name}", "0" * 64) for name in filenames)
    return Locked("demo", "1.0", wheels, None)


def test_tags_put_the_exact_python_first_then_abi3_then_pure() -> None:
    tags = PY312.tags()
    assert tags[0] == Tag("cp312", "cp312", "manylinux_2_36_x86_64")
    position = {tag: index for index, tag in enumerate(tags)}
    assert (
        position[Tag("cp312", "cp312", "manylinux2014_x86_64")]
        < position[Tag("cp312", "abi3", "manylinux_2_36_x86_64")]
    )
    assert (
        position[Tag("cp39", "abi3", "manylinux_2_28_x86_64")] < position[Tag("py3", "none", "any")]
    )
    assert Tag("cp312", "cp312", "manylinux_2_38_x86_64") not in position  # glibc too new
    assert Tag("cp312", "cp312", "musllinux_1_2_x86_64") not in position


def test_machine_names_are_linuxs() -> None:
    assert Target.parse("3.12", "arm64", "2.36").arch == "aarch64"  # macOS, Docker
    assert Target.parse("3.12", "AMD64", "2.36").arch == "x86_64"  # Windows


def test_best_wheel_fits_the_python_machine_and_glibc() -> None:
    entry = locked(
        "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "demo-1.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
        "demo-1.0-cp312-cp312-manylinux_2_39_x86_64.whl",
        "demo-1.0-cp312-cp312-musllinux_1_2_x86_64.whl",
        "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "demo-1.0-py3-none-any.whl",
    )
    best = image_context.best_wheel(entry, PY312)
    assert best is not None
    assert best.filename == "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    assert image_context.best_wheel(locked("demo-1.0-cp311-cp311-win_amd64.whl"), PY312) is None


def test_markers_are_judged_for_the_image_not_this_machine() -> None:
    pins = dict(image_context.pinned_requirements(PY312))
    assert "uvloop" in pins  # sys_platform != 'win32'
    assert "tzdata" not in pins  # sys_platform == 'win32'
    assert "stellarr" not in pins  # built from the workspace instead


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_the_default_wheelhouse_installs_offline_for_python_3_12(arch: str, tmp_path: Path) -> None:
    if not image_context.WEB_INDEX.is_file():
        pytest.skip("the web app is not built (make web): Stellarr's wheel must hold it")
    written = image_context.make_wheelhouse(tmp_path, Target.parse("3.12", arch, "2.36"))
    wheels = tmp_path / "wheels"
    assert (wheels / image_context.PYTHON_VERSION_FILE).read_text() == "3.12\n"
    (stellarr,) = (path for path in written if path.name.startswith("stellarr-"))
    with zipfile.ZipFile(stellarr) as archive:
        assert image_context.WHEEL_WEB_INDEX in archive.namelist()
    # `stellarr deploy`'s boto3 (the `deploy` extra) is the operator's, never the image's.
    assert not [w.name for w in written if w.name.startswith(("boto3-", "botocore-"))]
    for wheel in written:
        _, abi, platform = wheel.name.removesuffix(".whl").split("-")[-3:]
        assert platform == "any" or arch in platform, wheel.name
        assert abi in ("none", "abi3", "cp312"), wheel.name

    installed = subprocess.run(
        [
            *image_context._uv(),
            *("pip", "install", "--offline", "--no-index", "--find-links", str(wheels)),
            *("--target", str(tmp_path / "site"), "--python", sys.executable),
            *("--python-version", "3.12"),
            *("--python-platform", f"{arch}-manylinux_2_36", "stellarr"),
        ],
        cwd=tmp_path,
        env={**os.environ, "UV_COMPILE_BYTECODE": "0"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    assert (tmp_path / "site" / "stellarr" / "static" / "web" / "index.html").is_file()
    native = list((tmp_path / "site" / "pydantic_core").glob("*.so"))
    assert native and all(f"cpython-312-{arch}" in path.name for path in native)
