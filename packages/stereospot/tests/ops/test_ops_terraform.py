"""`stereospot ops terraform-*` drive the real Terraform binary. The configurations here
hold only outputs (shaped like aws-infra-setup's and aws-infra's), so Terraform runs its
whole init, plan, apply and output cycle with no provider and no network; infra/'s own
configurations are checked by tests/infra."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("terraform") is None, reason="no terraform on PATH (Terraform 1.11)"
)

SETUP = """
output "state_bucket" { value = "acme-stereospot-state" }
output "lock_table" { value = "acme-stereospot-locks" }
output "region" { value = "eu-west-1" }
"""
MAIN = """
terraform {
  backend "local" {}
}
variable "image_tag" { type = string }
output "region" { value = "eu-west-1" }
output "prefix" { value = "acme" }
output "input_bucket" { value = "acme-input" }
output "output_bucket" { value = "acme-output" }
output "cluster_name" { value = "acme-cluster" }
output "ecr_repositories" {
  value = { for image in ["web-ui", "media-worker", "video-worker", "stereo-inference"] :
  image => "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-${image}" }
}
output "service_env" {
  value = {
    STEREOSPOT_BACKEND = "aws", STEREOSPOT_INFERENCE = "sagemaker",
    STEREOSPOT_SAGEMAKER_ENDPOINT = "acme-depth", STEREOSPOT_IMAGE_TAG = var.image_tag
  }
}
output "secret_arns" {
  value = { "signing-key" = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/key" }
}
output "web_url" { value = "https://stereo.example.org" }
output "sagemaker_endpoint" { value = "acme-depth" }
"""


def ops(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "stereospot", "ops", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


@pytest.fixture
def infra(tmp_path: Path) -> Path:
    for name, text in (("aws-infra-setup", SETUP), ("aws-infra", MAIN)):
        (tmp_path / "infra" / name).mkdir(parents=True)
        (tmp_path / "infra" / name / "main.tf").write_text(text)
    return tmp_path / "infra"


def test_setup_then_infra_then_outputs(infra: Path, tmp_path: Path) -> None:
    where = ["--infra", str(infra)]
    early = ops("terraform-init", *where, cwd=tmp_path)
    assert early.returncode == 2 and "apply aws-infra-setup first" in early.stderr

    assert ops("terraform-init", "--setup", *where, cwd=tmp_path).returncode == 0
    applied = ops("terraform-apply", "--setup", "--auto-approve", *where, cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    backend = (infra / "aws-infra" / "backend.hcl").read_text()
    assert 'bucket         = "acme-stereospot-state"' in backend
    assert 'dynamodb_table = "acme-stereospot-locks"' in backend
    assert 'key            = "aws-infra/terraform.tfstate"' in backend
    # A second setup apply writes the same file again; another bucket would be refused.
    again = ops("terraform-apply", "--setup", "--auto-approve", *where, cwd=tmp_path)
    assert again.returncode == 0, again.stderr

    # The S3 backend needs AWS; this configuration's local one reads a path instead.
    local = tmp_path / "local.hcl"
    local.write_text(f'path = "{tmp_path / "aws-infra.tfstate"}"\n')
    init = ops("terraform-init", *where, "--backend-config", str(local), cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    plan = ops("terraform-plan", *where, "--var", "image_tag=abc123", cwd=tmp_path)
    assert plan.returncode == 0, plan.stderr
    assert "Changes to Outputs" in plan.stdout
    bad = ops("terraform-plan", *where, "--var", "image_tag", cwd=tmp_path)
    assert bad.returncode == 2 and "write NAME=VALUE" in bad.stderr
    tfvars = tmp_path / "prod.tfvars"
    tfvars.write_text('image_tag = "abc123"\n')
    applied = ops(
        "terraform-apply", *where, "--var-file", str(tfvars), "--auto-approve", cwd=tmp_path
    )
    assert applied.returncode == 0, applied.stderr

    written = ops("terraform-output", *where, cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    outputs = json.loads((tmp_path / "stereospot-aws.json").read_text())
    assert outputs["cluster_name"] == "acme-cluster"
    assert outputs["web_url"] == "https://stereo.example.org"
    env = (tmp_path / "stereospot-aws.env").read_text().splitlines()
    assert env[0].startswith("#")
    assert sorted(env[1:]) == [
        "STEREOSPOT_AWS_PREFIX=acme",
        "STEREOSPOT_AWS_REGION=eu-west-1",
        "STEREOSPOT_BACKEND=aws",
        "STEREOSPOT_IMAGE_TAG=abc123",
        "STEREOSPOT_INFERENCE=sagemaker",
        "STEREOSPOT_INPUT_BUCKET=acme-input",
        "STEREOSPOT_OUTPUT_BUCKET=acme-output",
        "STEREOSPOT_SAGEMAKER_ENDPOINT=acme-depth",
    ]


def test_a_missing_configuration_is_named(tmp_path: Path) -> None:
    done = ops("terraform-plan", "--infra", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert done.returncode == 2
    assert "no Terraform configuration in" in done.stderr


def test_outputs_of_an_unapplied_configuration_say_what_to_do(infra: Path, tmp_path: Path) -> None:
    local = tmp_path / "local.hcl"
    local.write_text(f'path = "{tmp_path / "empty.tfstate"}"\n')
    where = ["--infra", str(infra)]
    assert (
        ops("terraform-init", *where, "--backend-config", str(local), cwd=tmp_path).returncode == 0
    )
    done = ops("terraform-output", *where, cwd=tmp_path)
    assert done.returncode == 2
    assert "run `stereospot ops terraform-apply`" in done.stderr
