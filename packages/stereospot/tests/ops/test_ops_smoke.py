"""`stereospot ops smoke-test` against moto with real workers: the media and video roles run
as `stereospot worker` processes with the deployment's settings (the env file's, plus the
signing key from Secrets Manager, as ECS hands it to them), and the command waits for a
3D final.mp4. Without workers it gives up at its timeout and says where the job stuck."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from stereospot.ops.outputs import Outputs
from stereospot_testing.deployment import Deployment, make_deployment

pytestmark = pytest.mark.aws


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def deployment(moto_endpoint: str, tmp_path: Path) -> Deployment:
    made = make_deployment(moto_endpoint, tmp_path / "ops")
    assert made.ops("set-secret", "signing-key", "--generate").returncode == 0
    return made


@pytest.fixture
def workers(deployment: Deployment) -> Iterator[None]:
    """The three services as processes: the two workers, and the web UI, whose address
    becomes the deployment's web_url as if its load balancer were up."""
    arn = deployment.outputs["secret_arns"]["signing-key"]
    key = deployment.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    env = deployment.environ(
        **Outputs.load(deployment.outputs_file).env(),
        STEREOSPOT_SIGNING_KEY=key,
        STEREOSPOT_POLL_SECONDS="0.1",
        STEREOSPOT_USERS="ann:a-long-enough-token-1",
    )
    port = free_port()
    commands = (
        ["worker", "--role", "media", "--role", "reconciler"],
        ["worker", "--role", "video"],
        ["serve", "--no-workers", "--port", str(port)],
    )
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "stereospot", *command],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for command in commands
    ]
    raw = json.loads(deployment.outputs_file.read_text())
    raw["web_url"]["value"] = f"http://127.0.0.1:{port}"
    raw["load_balancer_dns"] = {"value": "stereospot-web-1.eu-west-1.elb.amazonaws.com"}
    deployment.outputs_file.write_text(json.dumps(raw))
    try:
        yield
    finally:
        for process in started:
            process.terminate()
        # SIGTERM is a clean stop: 0 from a worker; uvicorn re-raises it once shut down.
        assert [p.wait(timeout=30) for p in started] == [0, 0, -signal.SIGTERM]


@pytest.mark.usefixtures("workers")
def test_a_tiny_clip_comes_back_in_3d(deployment: Deployment) -> None:
    done = deployment.ops("smoke-test", "--timeout", "240")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "final.mp4 of job" in done.stdout
    assert "640x180, 48 frames" in done.stdout
    assert "/healthz answers" in done.stdout
    # The job is gone afterwards: nothing of it is left in either bucket.
    s3 = deployment.client("s3")
    for bucket in (deployment.settings.input_bucket, deployment.settings.output_bucket):
        assert s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0


def test_without_workers_it_stops_at_its_timeout(deployment: Deployment) -> None:
    done = deployment.ops("smoke-test", "--timeout", "3")
    assert done.returncode == 1
    assert "is still queued after 3 s" in done.stderr


def test_without_a_signing_key_it_says_what_to_set(moto_endpoint: str, tmp_path: Path) -> None:
    bare = make_deployment(moto_endpoint, tmp_path / "bare")
    done = bare.ops("smoke-test", "--timeout", "3")
    assert done.returncode == 1
    assert "set-secret signing-key" in done.stderr
