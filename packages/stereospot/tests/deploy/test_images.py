"""The four images for real, where podman runs: built from one context on the local base
(conftest.py), then run as ECS and SageMaker run them, against moto in server mode.

The containers share the host's network, so a server listens on 127.0.0.1 at a free port
rather than the image's 0.0.0.0:8000 or :8080; its command and health check are otherwise
the image's own. Print the size table with `pytest -s tests/deploy -k sizes`.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from stereospot.aws.backend import aws_backend
from stereospot.aws.provision import provision
from stereospot.bootstrap import build
from stereospot.inference import inference_token
from stereospot.jobs.models import JobStatus
from stereospot.media.probe import probe
from stereospot.ops import images
from stereospot.ops.outputs import IMAGES
from stereospot.ports import ObjectRef
from stereospot.settings import Settings
from stereospot_testing import containers
from stereospot_testing.backends import SIGNING_KEY, aws_settings
from stereospot_testing.paths import REPO_ROOT
from stereospot_testing.videos import make_video
from stereospot_testing.web_server import free_port

WIDTH, HEIGHT = 160, 96  # make_video's default size
# What the images add to the base (uncompressed): ONNX Runtime, numba's LLVM, PyAV's FFmpeg,
# numpy and botocore are most of it (docs/benchmarks.md, "Container images").
MAX_ADDED_BYTES = 650 * 1000 * 1000
DONE = {JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED}


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two segments of 2 s (the tests' segment length), with sound."""
    return make_video(tmp_path_factory.mktemp("clip") / "clip.mp4", seconds=4, keyframes=[2.0])


@pytest.fixture
def settings(moto_endpoint: str) -> Settings:
    # The engine, not the pass-through the other suites use: the images must run it.
    made = aws_settings(moto_endpoint, poll_seconds=0.2, converter="engine")
    provision(made)
    return made


def container_env(settings: Settings, **overrides: str) -> dict[str, str]:
    """The settings as a service's environment, with moto's credentials; the image's own
    model folder unless overridden."""
    env = {k: v for k, v in settings.to_env().items() if k != "STEREOSPOT_MODEL_DIR"}
    keys = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    return env | keys | {"AWS_DEFAULT_REGION": settings.aws_region} | overrides


def on_port(command: list[str], port: int) -> list[str]:
    """The image's server command on 127.0.0.1:`port`."""
    assert command[-4:-2] == ["--host", "0.0.0.0"] and command[-2] == "--port", command
    return [*command[:-4], "--host", "127.0.0.1", "--port", str(port)]


def health_on_port(reference: str, image_port: int, port: int) -> list[str]:
    test = containers.health_test(reference)
    assert any(f":{image_port}/" in part for part in test), test
    return [part.replace(f":{image_port}/", f":{port}/") for part in test]


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def in_image(reference: str, code: str) -> str:
    done = containers.podman(
        "run", "--rm", "--network", "host", "--no-healthcheck", reference,
        "python", "-c", code, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("name", IMAGES)
def test_each_image_runs_its_command_as_uid_10001_without_pip_torch_or_wheels(
    built: dict[str, str], commands: dict[str, list[str]], name: str
) -> None:
    reference = built[name]
    inspected = containers.inspect("image", reference)
    config = inspected["Config"]
    assert config["Cmd"] == commands[name]
    assert not config.get("Entrypoint")  # exec form: the command is process 1
    assert config["User"] == "10001:10001"
    assert config["StopSignal"] == "SIGTERM"
    assert containers.health_test(reference)[:2] == ["python", "-c"]  # no curl in the image
    report = json.loads(
        in_image(
            reference,
            "import importlib.util as u, json, os; print(json.dumps({'uid': os.getuid(),"
            " 'unwanted': [m for m in ('pip', 'setuptools', 'torch') if u.find_spec(m)],"
            " 'lacking': [m for m in ('onnxruntime', 'numba', 'av') if not u.find_spec(m)],"
            " 'wheels': os.path.exists('/tmp/wheels') or os.path.exists('/tmp/app')}))",
        )
    )
    assert report == {"uid": 10001, "unwanted": [], "lacking": [], "wheels": False}


@pytest.mark.aws
def test_the_web_ui_answers_healthz_and_its_health_check_passes(
    built: dict[str, str], commands: dict[str, list[str]], settings: Settings
) -> None:
    reference, port = built["web-ui"], free_port()
    with containers.running(
        reference,
        on_port(commands["web-ui"], port),
        env=container_env(settings, STEREOSPOT_USERS="ann:" + "t" * 20),
        health=health_on_port(reference, 8000, port),
    ) as name:
        url = f"http://127.0.0.1:{port}/healthz"
        containers.wait_until(lambda: answers(url), [name], 60, f"{url} answering 200")
        assert httpx.get(url).json()["status"] == "ok"
        assert containers.healthy(name)
        assert containers.process_uids(name) == {"10001"}
        containers.podman("stop", "--time", "10", name)
        state = containers.inspect("container", name)["State"]
    assert state["ExitCode"] in (0, 143), state  # SIGTERM ended it, not podman's SIGKILL


def test_a_worker_is_healthy_while_its_alive_file_is_younger_than_60_s(
    built: dict[str, str],
) -> None:
    reference = built["media-worker"]
    # The image's own check, on a container that runs no worker: the test sets the file.
    with containers.running(
        reference, ["sleep", "300"], env={}, health=containers.health_test(reference)
    ) as name:
        assert not containers.healthy(name)  # no alive file yet
        containers.podman("exec", name, "touch", "/tmp/stereospot-alive")
        assert containers.healthy(name)
        containers.podman("exec", name, "touch", "-d", "-61 seconds", "/tmp/stereospot-alive")
        assert not containers.healthy(name)


@pytest.mark.aws
def test_media_and_video_worker_containers_convert_a_clip_against_moto(
    built: dict[str, str], settings: Settings, model: str, model_dir: Path, clip: Path
) -> None:
    """ECS's media-worker and video-worker on moto: S3 notifications feed their queues; the
    engine runs in process with the tests' tiny model mounted where the image looks."""
    app = build(settings)
    try:
        params = {"format": "full-sbs", "depth": "onnx", "model": f"{model}.onnx"}
        job = app.service.create_job("ann", clip.name, params)
        env = container_env(settings, STEREOSPOT_MODEL_DIR="/models")
        started = []
        with (
            containers.running(
                built["media-worker"], env=env, mounts={model_dir: "/models"},
                health=containers.health_test(built["media-worker"]),
            ) as media,
            containers.running(
                built["video-worker"], env=env, mounts={model_dir: "/models"},
                health=containers.health_test(built["video-worker"]),
            ) as video,
        ):  # fmt: skip
            started = [media, video]
            app.service.upload_file("ann", job.job_id, clip)

            def status() -> JobStatus:
                return app.service.detail("ann", job.job_id).job.status

            containers.wait_until(lambda: status() in DONE, started, 300, "the job finishing")
            finished = app.service.detail("ann", job.job_id).job
            shown = "\n".join(containers.logs(name)[-3000:] for name in started)
            assert finished.status == JobStatus.COMPLETED, f"{finished.error}\n{shown}"
            assert finished.segment_count == 2
            for name in started:
                assert containers.healthy(name), containers.logs(name)
                assert containers.process_uids(name) == {"10001"}
        with tempfile.TemporaryDirectory() as folder:
            final = Path(folder) / "final.mp4"
            app.backend.objects.get_file(ObjectRef("output", f"jobs/{job.job_id}/final.mp4"), final)
            info = probe(final)
    finally:
        app.close()
    assert info.video_frames == probe(clip).video_frames
    assert (info.width, info.height) == (2 * WIDTH, HEIGHT)  # full side-by-side
    assert info.has_audio


@pytest.mark.aws
def test_the_inference_container_serves_sagemakers_contract_with_its_own_model(
    built: dict[str, str],
    settings: Settings,
    context: images.Context,
    model: str,
    clip: Path,
) -> None:
    reference, port = built["stereo-inference"], free_port()
    labels = containers.inspect("image", reference)["Config"]["Labels"]
    assert labels[f"{images.MODEL_LABEL}{model}"] == f"sha256:{context.models[model].sha256}"
    backend = aws_backend(settings)
    job = "c" * 32
    segment = ObjectRef("input", f"segments/{job}/0_1.mp4")
    backend.objects.put_file(segment, clip)
    body: dict[str, Any] = {
        "action": "convert", "job_id": job, "index": 0, "total": 1,
        "input_uri": backend.objects.uri(segment),
        "output_uri": backend.objects.uri(ObjectRef("output", f"segments/{job}/0.mp4")),
        "params": {"format": "full-sbs", "depth": "onnx", "model": f"{model}.onnx"},
    }  # fmt: skip
    token = inference_token(SIGNING_KEY.encode())
    # `serve`, as SageMaker starts the container (`docker run IMAGE serve`).
    with containers.running(
        reference,
        ["serve", "--host", "127.0.0.1", "--port", str(port)],
        env=container_env(settings),
        health=health_on_port(reference, 8080, port),
    ) as name:
        url = f"http://127.0.0.1:{port}"
        containers.wait_until(lambda: answers(f"{url}/ping"), [name], 60, "/ping answering")
        assert containers.healthy(name)
        verified = containers.podman("exec", name, "stereospot", "models", "verify", check=False)
        assert verified.returncode == 0 and model in verified.stdout, verified
        answer = httpx.post(
            f"{url}/invocations", json=body, headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )  # fmt: skip
        assert answer.status_code == 200, answer.text + containers.logs(name)
        assert "report" in answer.json()
    try:
        with tempfile.TemporaryDirectory() as folder:
            converted = Path(folder) / "0.mp4"
            backend.objects.get_file(ObjectRef("output", f"segments/{job}/0.mp4"), converted)
            info = probe(converted)
    finally:
        backend.close()
    assert info.video_frames > 0
    assert (info.width, info.height) == (2 * WIDTH, HEIGHT)


def test_image_sizes(built: dict[str, str], base: str) -> None:
    """What each image weighs and adds to its base, and that the four share the environment
    layer (installed once): the figures docs/benchmarks.md shows."""
    layers = {
        name: containers.inspect("image", ref)["RootFS"]["Layers"] for name, ref in built.items()
    }
    base_layers = containers.inspect("image", base)["RootFS"]["Layers"]
    shared = layers["web-ui"][: len(base_layers) + 3]  # base, user, environment, app
    rows = ["| image | size | above the base |", "|---|---|---|"]
    for name, reference in built.items():
        assert layers[name][: len(shared)] == shared, name
        size = int(containers.inspect("image", reference)["Size"])
        added = containers.layers_above(reference, base)
        assert 0 < added <= MAX_ADDED_BYTES, f"{name} adds {added / 1e6:.0f} MB"
        rows.append(f"| {name} | {size / 1e6:.0f} MB | {added / 1e6:.0f} MB |")
    print("\n".join(["", f"base {base}: {containers.inspect('image', base)['Size'] / 1e6:.0f} MB",
                     *rows]))  # fmt: skip


@pytest.mark.parametrize(
    ("python", "runtime", "refusal"),
    [
        ("3.99", "cpu", "the wheels are for Python 3.99 but this base has"),
        (None, "onnx-gpu", "RUNTIME=onnx-gpu: the context holds wheels for cpu only"),
    ],
)
def test_the_build_refuses_another_python_or_a_runtime_the_context_lacks(
    base: str, tmp_path: Path, python: str | None, runtime: str, refusal: str
) -> None:
    """Checked by the Dockerfile's first step, before anything is installed."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    (wheels / "python-version").write_text((python or containers.python_version(base)) + "\n")
    (wheels / "runtimes").write_text("cpu\n")
    shutil.copy(REPO_ROOT / images.DOCKERFILE, tmp_path / "Dockerfile")
    with pytest.raises(images.ImageError, match=refusal):
        images.build_image(
            "stereo-inference", "refused", base=base, engine=containers.ENGINE,
            context=tmp_path, runtime=runtime,
        )  # fmt: skip
