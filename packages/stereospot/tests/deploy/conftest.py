"""The four images, built once per session from one context on the local base (where podman
runs), and the tiny model the inference image carries."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from stereospot.engine.fetch import Pin, sha256_of, write_lock
from stereospot.ops import images
from stereospot.ops.outputs import IMAGES
from stereospot_testing import containers
from stereospot_testing.engine_media import tiny_red_model

TAG = "test"
MODEL = "tiny-red"  # installed as tiny-red.onnx; jobs name it so
# Each image's command as issue #21 fixed it: what ECS and SageMaker run, what the docs show.
COMMANDS = {
    "web-ui": ["stereospot", "serve", "--no-workers", "--host", "0.0.0.0", "--port", "8000"],
    "media-worker": ["stereospot", "worker", "--role", "media", "--role", "reconciler",
                     "--alive-file", "/tmp/stereospot-alive"],
    "video-worker": ["stereospot", "worker", "--role", "video",
                     "--alive-file", "/tmp/stereospot-alive"],
    "stereo-inference": ["stereospot", "inference-server", "--host", "0.0.0.0", "--port", "8080"],
}  # fmt: skip


def pinned_model(folder: Path) -> Path:
    """A model folder holding the tests' tiny ONNX model, pinned in its lock file as
    `stereospot models fetch` pins a real one."""
    folder.mkdir(parents=True, exist_ok=True)
    path = tiny_red_model(folder / f"{MODEL}.onnx")
    pin = Pin("tests/tiny-red", "onnx/model.onnx", "0" * 40, sha256_of(path), path.stat().st_size)
    write_lock(folder, {MODEL: pin})
    return folder


@pytest.fixture(scope="session")
def model() -> str:
    return MODEL


@pytest.fixture(scope="session")
def commands() -> dict[str, list[str]]:
    return COMMANDS


@pytest.fixture(scope="session")
def make_model_dir() -> Callable[[Path], Path]:
    return pinned_model


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = pinned_model(tmp_path_factory.mktemp("models"))
    # Mounted into containers whose user is 10001: the folder pytest made is root's 0700.
    folder.chmod(0o755)
    for path in folder.iterdir():
        path.chmod(0o644)
    return folder


@pytest.fixture(scope="session")
def base() -> str:
    try:
        return containers.base_image()
    except containers.Unavailable as exc:
        pytest.skip(f"no image test here: {exc}")


@pytest.fixture(scope="session")
def context(base: str, model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> images.Context:
    target = images.Target(python=containers.python_version(base))
    return images.make_context(
        tmp_path_factory.mktemp("image-context"), target=target, model_dir=model_dir,
        models=[MODEL],
    )  # fmt: skip


@pytest.fixture(scope="session")
def built(base: str, context: images.Context) -> dict[str, str]:
    """{image: reference}; every image from the same context, so all but the first build
    take the shared layers from the cache. The build stages stay in podman's store, untagged:
    they are the next session's cache (the environment is installed again only when uv.lock
    changes)."""
    return {
        name: images.build_image(
            name, TAG, base=base, engine=containers.ENGINE, context=context.path
        )
        for name in IMAGES
    }
