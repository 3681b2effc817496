"""`stereospot ops set-secret` and `restart` against moto: values checked as the services
read them, stored as a new version, never printed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stereospot_testing.deployment import Deployment, make_deployment

pytestmark = pytest.mark.aws


@pytest.fixture
def deployment(moto_endpoint: str, tmp_path: Path) -> Deployment:
    return make_deployment(moto_endpoint, tmp_path / "ops")


def value(deployment: Deployment, name: str) -> str:
    arn = deployment.outputs["secret_arns"][name]
    found: str = deployment.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    return found


def test_a_generated_signing_key_is_stored_and_never_shown(deployment: Deployment) -> None:
    done = deployment.ops("set-secret", "signing-key", "--generate")
    assert done.returncode == 0, done.stderr
    key = value(deployment, "signing-key")
    assert len(key) >= 32
    assert key not in done.stdout + done.stderr
    assert "set signing-key (version" in done.stdout


def test_users_are_checked_like_the_web_ui_reads_them(
    deployment: Deployment, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("ann:tooshort-77\n")
    refused = deployment.ops("set-secret", "users", "--value-file", str(bad))
    assert refused.returncode == 2
    assert "the token of 'ann' must be at least 16 characters" in refused.stderr
    assert "tooshort-77" not in refused.stderr + refused.stdout
    good = tmp_path / "users.txt"
    good.write_text("ann:a-long-enough-token-1,bob:another-long-token-2\n")
    done = deployment.ops("set-secret", "users", "--value-file", str(good))
    assert done.returncode == 0, done.stderr
    assert value(deployment, "users") == "ann:a-long-enough-token-1,bob:another-long-token-2"


def test_model_credentials_from_a_variable(deployment: Deployment) -> None:
    missing = deployment.ops("set-secret", "model-credentials", "--from-env", "HF_TOKEN")
    assert missing.returncode == 2 and "$HF_TOKEN is not set" in missing.stderr
    done = deployment.ops(
        "set-secret", "model-credentials", "--from-env", "HF_TOKEN", HF_TOKEN="hf_abcdef123456"
    )
    assert done.returncode == 0, done.stderr
    assert value(deployment, "model-credentials") == "hf_abcdef123456"
    assert "hf_abcdef123456" not in done.stdout + done.stderr
    refused = deployment.ops("set-secret", "users", "--generate")
    assert refused.returncode == 2 and "only a signing key" in refused.stderr


def test_a_secret_terraform_did_not_make_is_a_clear_failure(deployment: Deployment) -> None:
    client = deployment.client("secretsmanager")
    client.delete_secret(
        SecretId=deployment.outputs["secret_arns"]["signing-key"], ForceDeleteWithoutRecovery=True
    )
    failed = deployment.ops("set-secret", "signing-key", "--generate")
    assert failed.returncode == 1
    assert "apply aws-infra first" in failed.stderr


def test_restart_replaces_every_service_and_refuses_an_empty_cluster(
    moto_endpoint: str, tmp_path: Path
) -> None:
    deployment = make_deployment(moto_endpoint, tmp_path / "with")
    done = deployment.ops("restart")
    assert done.returncode == 0, done.stderr
    prefix = deployment.outputs["prefix"]
    for name in ("web-ui", "media-worker", "video-worker"):
        assert f"replacing the tasks of {prefix}-{name}" in done.stdout
    empty = make_deployment(moto_endpoint, tmp_path / "without", services=False)
    failed = empty.ops("restart")
    assert failed.returncode == 1 and "has no services" in failed.stderr


def test_commands_without_outputs_say_how_to_make_them(deployment: Deployment) -> None:
    deployment.outputs_file.unlink()
    failed = deployment.ops("restart")
    assert failed.returncode == 2
    assert "terraform-output` writes it" in failed.stderr


def test_without_credentials_it_is_one_line(deployment: Deployment, tmp_path: Path) -> None:
    env = deployment.environ(HOME=str(tmp_path), AWS_CONFIG_FILE=str(tmp_path / "none"))
    env.pop("AWS_ACCESS_KEY_ID", None)
    env.pop("AWS_SECRET_ACCESS_KEY", None)
    done = subprocess.run(
        [sys.executable, "-m", "stereospot", "ops", "set-secret", "signing-key", "--generate",
         "--outputs", str(deployment.outputs_file)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "stereospot ops set-secret: Unable to locate credentials"
    ]
