"""Terraform's side of `stellarr deploy`: `terraform apply` in the infra folder, then the
outputs the other steps need (`terraform output -json`, or a file in that format)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

BACKEND_CONFIG = "backend.hcl"


class DeployError(Exception):
    """One line that says what went wrong and what to do; the command exits 1."""


class UsageError(DeployError):
    """The command cannot work as given; exit 2."""


@dataclass(frozen=True)
class TerraformOutputs:
    """The outputs of packages/stellarr/infra/outputs.tf that the deploy uses."""

    lambda_function_name: str
    lambda_deployment_bucket: str
    app_secret_arn: str
    cache_warmer_function_name: str
    frontend_bucket_name: str
    # "" where the Terraform made no edge (enable_edge = false): nothing to invalidate.
    cloudfront_distribution_id: str = ""
    website_url: str = ""
    lambda_function_url: str = ""
    dynamodb_table_name: str = ""

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> TerraformOutputs:
        """`terraform output -json` ({name: {"value": ...}}) or plain {name: value}."""
        values = {
            name: (item.get("value") if isinstance(item, dict) else item)
            for name, item in raw.items()
        }
        known = [f.name for f in fields(cls)]
        missing = [
            name
            for name in known
            if name not in OPTIONAL and not (isinstance(values.get(name), str) and values[name])
        ]
        if missing:
            raise UsageError(
                f"Terraform's outputs lack {', '.join(missing)}; "
                "apply packages/stellarr/infra first (or drop --skip-tf)"
            )
        return cls(**{n: str(values[n]) for n in known if isinstance(values.get(n), str)})


OPTIONAL = frozenset(
    {"website_url", "lambda_function_url", "dynamodb_table_name", "cloudfront_distribution_id"}
)


def terraform_binary() -> str:
    found = shutil.which("terraform")
    if found is None:
        raise UsageError("no terraform on PATH: install Terraform 1.11, or pass --skip-tf")
    return found


def apply(infra: Path, say: Callable[[str], None]) -> None:
    if not infra.is_dir():
        raise UsageError(f"{infra}: no such folder (the Terraform of packages/stellarr/infra)")
    terraform = terraform_binary()
    init = ["init", "-input=false"]
    # The state's bucket (S3 lock file), as infra/backend-setup writes them (git ignores it).
    if (infra / BACKEND_CONFIG).is_file():
        init.append(f"-backend-config={BACKEND_CONFIG}")
    for command in (init, ["apply", "-input=false", "-auto-approve"]):
        # Terraform's own output goes to the terminal: the plan is the operator's to read.
        result = subprocess.run(  # noqa: S603 (fixed argv)
            [terraform, f"-chdir={infra}", *command], check=False
        )
        if result.returncode != 0:
            raise DeployError(f"terraform {command[0]} failed in {infra} (its output is above)")
    say(f"terraform: applied {infra}")


def read(infra: Path, outputs_file: Path | None) -> TerraformOutputs:
    if outputs_file is not None:
        try:
            raw = json.loads(outputs_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"--outputs {outputs_file}: {exc}") from None
    else:
        terraform = terraform_binary()
        result = subprocess.run(  # noqa: S603 (fixed argv)
            [terraform, f"-chdir={infra}", "output", "-json", "-no-color"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            # Terraform draws its errors in a box over several lines: one line of it here.
            words = " ".join(w for w in result.stderr.split() if w not in ("│", "╷", "╵"))
            words = words[words.find("Error:") :] if "Error:" in words else words
            raise DeployError(f"terraform output failed in {infra}: {words[:200]}")
        raw = json.loads(result.stdout or "{}")
    if not isinstance(raw, dict):
        raise UsageError("Terraform's outputs are not a JSON object")
    return TerraformOutputs.parse(raw)
