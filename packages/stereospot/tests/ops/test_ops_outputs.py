"""The outputs file and the env file `terraform-output` writes: what the other commands and
the services read, and what they refuse."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from stereospot.ops import outputs
from stereospot.ops.outputs import IMAGES, OpsError, Outputs, UsageError
from stereospot.ops.registry import default_tag

GOOD = {
    "region": "eu-west-1",
    "prefix": "acme",
    "input_bucket": "acme-in",
    "output_bucket": "acme-out",
    "cluster_name": "acme",
    "ecr_repositories": {image: f"r.example/{image}" for image in IMAGES},
    "service_env": {"STEREOSPOT_INFERENCE": "sagemaker", "STEREOSPOT_MAX_RECEIVES": 3},
    "secret_arns": {"signing-key": "arn:1"},
    "alarm_topic": "arn:sns",
}


def test_terraform_json_and_plain_values_read_alike(tmp_path: Path) -> None:
    wrapped = {name: {"value": value, "sensitive": False} for name, value in GOOD.items()}
    assert Outputs.parse(wrapped) == Outputs.parse(GOOD)
    found = Outputs.parse(GOOD)
    assert found.service_env["STEREOSPOT_MAX_RECEIVES"] == "3"
    assert found.extra == {"alarm_topic": "arn:sns"}
    outputs.write(found, tmp_path / "o.json", tmp_path / "o.env")
    assert Outputs.load(tmp_path / "o.json") == found
    lines = (tmp_path / "o.env").read_text().splitlines()
    assert lines[0].startswith("# ")
    assert dict(line.split("=", 1) for line in lines[1:]) == {
        "STEREOSPOT_AWS_PREFIX": "acme",
        "STEREOSPOT_AWS_REGION": "eu-west-1",
        "STEREOSPOT_BACKEND": "aws",
        "STEREOSPOT_INFERENCE": "sagemaker",
        "STEREOSPOT_INPUT_BUCKET": "acme-in",
        "STEREOSPOT_MAX_RECEIVES": "3",
        "STEREOSPOT_OUTPUT_BUCKET": "acme-out",
    }


def test_missing_or_wrong_outputs_are_named(tmp_path: Path) -> None:
    with pytest.raises(OpsError, match="lack cluster_name, secret_arns"):
        Outputs.parse({k: v for k, v in GOOD.items() if k not in ("cluster_name", "secret_arns")})
    with pytest.raises(OpsError, match="service_env is not a map"):
        Outputs.parse({**GOOD, "service_env": "STEREOSPOT_BACKEND=aws"})
    with pytest.raises(OpsError, match="ecr_repositories has no stereo-inference"):
        Outputs.parse({**GOOD, "ecr_repositories": {i: "x" for i in IMAGES[:3]}})
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(UsageError, match="is not JSON"):
        Outputs.load(tmp_path / "bad.json")
    (tmp_path / "list.json").write_text(json.dumps([1]))
    with pytest.raises(UsageError, match="does not hold Terraform's outputs"):
        Outputs.load(tmp_path / "list.json")
    with pytest.raises(UsageError, match="no secret 'users'"):
        Outputs.parse(GOOD).secret_arn("users")


def test_the_default_tag_is_a_clean_commit(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "a.txt").write_text("one\n")
    git("add", "a.txt")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "one")
    commit = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=tmp_path, capture_output=True, text=True
    ).stdout.strip()
    assert default_tag(str(tmp_path)) == commit
    (tmp_path / "a.txt").write_text("two\n")
    with pytest.raises(UsageError, match="uncommitted changes"):
        default_tag(str(tmp_path))
    (tmp_path / "b.txt").write_text("untracked files are not built\n")
    (tmp_path / "a.txt").write_text("one\n")
    assert default_tag(str(tmp_path)) == commit


def test_an_env_file_cannot_hold_a_line_break() -> None:
    with pytest.raises(OpsError, match="STEREOSPOT_USERS has a line break"):
        outputs.env_file_text({"STEREOSPOT_USERS": "ann:x\nSTEREOSPOT_BACKEND=local"})
