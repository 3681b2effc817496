"""Terraform's own checks of both folders: `terraform fmt -check`, and `terraform validate`
after `terraform init -backend=false` with the aws provider from the offline mirror."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from stereospot_testing.terraform import (
    INFRA,
    MAIN,
    SETUP,
    TERRAFORM,
    Terraform,
    unavailable,
    working_copy,
)


@pytest.mark.skipif(shutil.which(TERRAFORM) is None, reason=f"no terraform binary ({TERRAFORM})")
def test_fmt_finds_nothing_to_change(tmp_path: Path) -> None:
    result = Terraform(INFRA, tmp_path / "home").run(
        "fmt", "-check", "-recursive", "-diff", check=False
    )
    assert result.returncode == 0, f"run `terraform fmt -recursive` in infra/:\n{result.stdout}"


@pytest.mark.skipif(unavailable() is not None, reason=str(unavailable()))
@pytest.mark.parametrize("folder", [SETUP, MAIN], ids=lambda folder: folder.name)
def test_validate(folder: Path, tmp_path: Path) -> None:
    terraform = Terraform(working_copy(folder, tmp_path / folder.name), tmp_path / "home")
    terraform.run("init", "-backend=false")
    report = json.loads(terraform.run("validate", "-json").stdout)
    assert report["valid"] is True, report
    assert report["warning_count"] == 0, report["diagnostics"]
