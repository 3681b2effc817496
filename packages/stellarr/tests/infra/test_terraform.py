"""Terraform's own checks of infra/ and infra/backend-setup/: `terraform fmt -check`, and
`terraform validate` after `terraform init -backend=false` with the aws provider from the
local mirror (no registry is reachable from the tests)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stellarr_testing.terraform import (
    BACKEND_SETUP,
    INFRA,
    TERRAFORM,
    Terraform,
    unavailable,
    working_copy,
)


@pytest.mark.skipif(shutil.which(TERRAFORM) is None, reason=f"no terraform binary ({TERRAFORM})")
def test_terraform_fmt_finds_nothing_to_change(tmp_path: Path) -> None:
    result = Terraform(INFRA, tmp_path / "home").run(
        "fmt", "-check", "-recursive", "-diff", check=False
    )
    assert result.returncode == 0, f"run `terraform fmt -recursive` in infra/:\n{result.stdout}"


@pytest.mark.skipif(unavailable() is not None, reason=str(unavailable()))
@pytest.mark.parametrize("folder", [INFRA, BACKEND_SETUP], ids=["infra", "backend-setup"])
def test_terraform_validate(folder: Path, tmp_path: Path) -> None:
    terraform = Terraform(working_copy(folder, tmp_path / folder.name), tmp_path / "home")
    terraform.run("init", "-backend=false")
    result = terraform.run("validate", "-json")
    assert '"valid": true' in result.stdout, result.stdout
    assert '"warning_count": 0' in result.stdout, result.stdout
