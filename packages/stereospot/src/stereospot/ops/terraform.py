"""Terraform for the operator: init, plan, apply and output in infra/aws-infra-setup (the
state bucket and lock table, applied once, with local state) or infra/aws-infra (everything
else, with its state in that bucket).

After aws-infra-setup is applied its outputs become aws-infra's `backend.hcl`, so the
second `init` needs nothing typed by hand. Terraform's own prompts and output go straight
to the terminal; `--auto-approve` skips the apply prompt.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stereospot.ops.outputs import OpsError, UsageError

SETUP = "aws-infra-setup"
MAIN = "aws-infra"
BACKEND_CONFIG = "backend.hcl"
STATE_KEY = "aws-infra/terraform.tfstate"


def default_infra() -> Path:
    """packages/stereospot/infra of the checkout this StereoSpot runs from, if any."""
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "packages" / "stereospot" / "infra"
        if (folder / "uv.lock").is_file() and candidate.is_dir():
            return candidate
    return Path("infra")


def binary() -> str:
    found = shutil.which(os.environ.get("STEREOSPOT_TERRAFORM", "terraform"))
    if found is None:
        raise UsageError(
            "no terraform on PATH (STEREOSPOT_TERRAFORM names another): install Terraform 1.11"
        )
    return found


def folder(infra: Path, setup: bool) -> Path:
    path = infra / (SETUP if setup else MAIN)
    if not (path.is_dir() and any(path.glob("*.tf"))):
        raise UsageError(f"no Terraform configuration in {path} (--infra names the folder)")
    return path


def run(where: Path, *args: str, capture: bool = False) -> str:
    """`terraform -chdir=where args...`; its output goes to the terminal unless captured."""
    result = subprocess.run(  # noqa: S603 (argv of the operator's own tools)
        [binary(), f"-chdir={where}", *args],
        capture_output=capture,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        detail = (result.stderr or "").strip().splitlines()[-3:] if capture else []
        raise OpsError(
            f"terraform {args[0]} in {where} exited {result.returncode}"
            + (": " + " ".join(detail) if detail else "")
        )
    return result.stdout or ""


def init(where: Path, backend_config: Path | None, setup: bool) -> None:
    args = ["init", "-input=false"]
    if not setup:
        config = backend_config or where / BACKEND_CONFIG
        if not config.is_file():
            raise UsageError(
                f"no {config}: apply aws-infra-setup first (`stereospot ops terraform-apply "
                "--setup`), which writes it, or pass --backend-config"
            )
        args.append(f"-backend-config={config.resolve()}")
    run(where, *args)


def variables(var_files: Sequence[Path], assignments: Sequence[str]) -> list[str]:
    args = []
    for path in var_files:
        if not path.is_file():
            raise UsageError(f"no variables file {path}")
        args.append(f"-var-file={path.resolve()}")
    for item in assignments:
        if "=" not in item:
            raise UsageError(f"--var {item!r}: write NAME=VALUE")
        args.append(f"-var={item}")
    return args


def plan(where: Path, var_args: Sequence[str]) -> None:
    run(where, "plan", "-input=false", *var_args)


def apply(where: Path, var_args: Sequence[str], auto_approve: bool) -> None:
    run(where, "apply", "-input=false", *(["-auto-approve"] if auto_approve else []), *var_args)


def outputs(where: Path) -> dict[str, Any]:
    raw = json.loads(run(where, "output", "-json", capture=True) or "{}")
    return {name: item["value"] for name, item in raw.items()}


def backend_config_text(setup_outputs: dict[str, Any]) -> str:
    missing = [k for k in ("state_bucket", "lock_table", "region") if not setup_outputs.get(k)]
    if missing:
        raise OpsError(f"aws-infra-setup's outputs lack {', '.join(missing)}")
    return (
        "# Written by `stereospot ops terraform-apply --setup` from aws-infra-setup's outputs.\n"
        f'bucket         = "{setup_outputs["state_bucket"]}"\n'
        f'key            = "{STATE_KEY}"\n'
        f'region         = "{setup_outputs["region"]}"\n'
        f'dynamodb_table = "{setup_outputs["lock_table"]}"\n'
        "encrypt        = true\n"
    )


def write_backend_config(infra: Path) -> Path:
    """aws-infra's backend.hcl from aws-infra-setup's outputs (kept if it says the same)."""
    text = backend_config_text(outputs(folder(infra, setup=True)))
    path = infra / MAIN / BACKEND_CONFIG
    if path.is_file():
        # One written by hand from backend.hcl.example may differ in layout, not in values.
        if _values(path.read_text(encoding="utf-8")) != _values(text):
            raise OpsError(
                f"{path} exists and names another state bucket: move it away to write a new one"
            )
        return path
    path.write_text(text, encoding="utf-8")
    return path


def _values(hcl: str) -> dict[str, str]:
    """`name = value` lines of a backend file, comments and quotes aside."""
    found = {}
    for line in hcl.splitlines():
        name, sep, value = line.split("#", 1)[0].partition("=")
        if sep:
            found[name.strip()] = value.strip().strip('"')
    return found
