"""`stereospot ops build` as an operator runs it: locally with podman (two images on the
tests' local base), and with --codebuild against moto, where the context goes to the
project's S3 source with the model pins but no model files, and the build is started and
waited for."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from stereospot.engine.fetch import LOCK_FILE, Pin, read_lock, write_lock
from stereospot.ops.registry import local_name
from stereospot_testing import containers
from stereospot_testing.deployment import Deployment, make_deployment

ENGINE_ARGS = " ".join(containers.ENGINE[1:])


def build(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stereospot", "ops", "build", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "STEREOSPOT_ENGINE_ARGS": ENGINE_ARGS, **env},
        timeout=900,
    )


def test_two_images_built_locally(tmp_path: Path) -> None:
    try:
        base = containers.base_image()
    except containers.Unavailable as exc:
        pytest.skip(f"no image test here: {exc}")
    tag = "opsbuild"
    done = build(
        "--image", "web-ui", "--image", "video-worker", "--tag", tag, "--base", base,
        "--python", containers.python_version(base), "--context", str(tmp_path / "context"),
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    for image in ("web-ui", "video-worker"):
        assert f"built {local_name(image, tag)}" in done.stdout
        config = containers.inspect("image", local_name(image, tag))["Config"]
        assert config["User"] == "10001:10001"
        assert config["Cmd"][:2] == ["stereospot", "serve" if image == "web-ui" else "worker"]
    assert "wheels" in done.stdout and "runtime cpu" in done.stdout


@pytest.mark.aws
def test_codebuild_gets_the_context_and_the_pins(moto_endpoint: str, tmp_path: Path) -> None:
    deployment: Deployment = make_deployment(moto_endpoint, tmp_path / "ops")
    bucket = f"{deployment.outputs['prefix']}-build"
    deployment.client("s3").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    deployment.client("codebuild").create_project(
        name=deployment.outputs["codebuild_project"],
        source={"type": "S3", "location": f"{bucket}/stereo-inference.zip"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_SMALL",
            "privilegedMode": True,
        },
        serviceRole="arn:aws:iam::123456789012:role/build",
    )
    models = tmp_path / "models"
    models.mkdir()
    env = deployment.environ()
    outputs = ["--outputs", str(deployment.outputs_file)]
    # Every call names its tag: the default one depends on the checkout being committed.
    inference = ["--image", "stereo-inference", "--codebuild", "--model-dir", str(models)]

    wrong = build("--codebuild", "--tag", "t1", *outputs, cwd=tmp_path, **env)
    assert wrong.returncode == 2 and "--image stereo-inference" in wrong.stderr
    unpinned = build(*inference, "--tag", "t1", *outputs, cwd=tmp_path, **env)
    assert unpinned.returncode == 2 and "does not pin any model" in unpinned.stderr

    pin = Pin("depth-anything/x", "onnx/model.onnx", "a" * 40, "b" * 64, 1234)
    other = Pin("depth-anything/y", "onnx/model.onnx", "c" * 40, "d" * 64, 5678)
    write_lock(models, {"depth-anything-v2-small": pin, "depth-anything-v2-base": other})
    unknown = build(*inference, "--tag", "t1", "--model", "midas", *outputs, cwd=tmp_path, **env)
    assert unknown.returncode == 2 and "does not pin midas" in unknown.stderr

    done = build(
        *inference, "--model", "depth-anything-v2-small", "--tag", "gpu1",
        "--context", str(tmp_path / "context"), *outputs, cwd=tmp_path, **env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "runtime cpu" in done.stdout
    assert "succeeded; pushed stereo-inference:gpu1" in done.stdout.lower()
    archive = tmp_path / "source.zip"
    deployment.client("s3").download_file(bucket, "stereo-inference.zip", str(archive))
    with zipfile.ZipFile(archive) as source:
        names = set(source.namelist())
        (tmp_path / "unzipped").mkdir()
        source.extract(f"models/{LOCK_FILE}", tmp_path / "unzipped")
    assert {"Dockerfile", "wheels/requirements.txt", f"models/{LOCK_FILE}"} <= names
    assert any(name.startswith("app/stereospot-") for name in names)
    assert any(name.startswith("wheels/onnxruntime-") for name in names)
    assert not any(name.endswith(".onnx") for name in names)  # CodeBuild fetches the model
    assert read_lock(tmp_path / "unzipped" / "models") == {"depth-anything-v2-small": pin}
