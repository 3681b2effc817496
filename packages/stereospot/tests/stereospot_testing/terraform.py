"""Terraform in the tests: the binary and the offline mirror of hashicorp/aws (no registry
is reachable here), one working copy of an infra/ folder per run, an override file that
points the provider at moto in server mode, and the folder's blocks parsed with python-hcl2.

infra/ itself is never changed: a working copy gets `moto_override.tf` (a Terraform
override file: it replaces the provider block, and may empty resources moto cannot hold),
which is how the configuration an operator applies to AWS is applied to moto.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stereospot_testing.paths import PACKAGE_ROOT

INFRA = PACKAGE_ROOT / "infra"
SETUP = INFRA / "aws-infra-setup"
MAIN = INFRA / "aws-infra"
TERRAFORM = os.environ.get("STEREOSPOT_TERRAFORM") or shutil.which("terraform") or "terraform"
MIRROR = Path(os.environ.get("STEREOSPOT_TF_MIRROR", "/opt/tf-plugins"))
PROVIDER = "registry.terraform.io/hashicorp/aws/5.100.0"
REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's
# The provider's names of every service aws-infra and aws-infra-setup call.
SERVICES = [
    *("applicationautoscaling", "acm", "autoscaling", "cloudwatch", "codebuild", "dynamodb"),
    *("ec2", "ecr", "ecs", "elbv2", "iam", "kms", "logs", "route53", "s3", "sagemaker"),
    *("secretsmanager", "servicediscovery", "sns", "sqs", "ssm", "sts"),
]
# What an operator's own run leaves in a folder; a working copy leaves it behind.
LOCAL_FILES = (".terraform", ".terraform.lock.hcl", "*.tfstate*", "*.tfvars", "backend.hcl")


def unavailable() -> str | None:
    """Why Terraform cannot run here, as a skip reason; None when it can."""
    if shutil.which(TERRAFORM) is None:
        return f"no terraform binary ({TERRAFORM}): install Terraform 1.11 for the infra checks"
    if not (MIRROR / PROVIDER).is_dir():
        return (
            f"no {PROVIDER} in the provider mirror {MIRROR} (STEREOSPOT_TF_MIRROR moves it); "
            "the tests reach no registry"
        )
    return None


@dataclass
class Terraform:
    """Commands in one folder with the mirror, no prompts and none of the caller's AWS
    settings (HOME and the environment are the test's own)."""

    folder: Path
    home: Path

    def environ(self) -> dict[str, str]:
        config = self.home / "terraform.rc"
        if not config.is_file():
            self.home.mkdir(parents=True, exist_ok=True)
            config.write_text(
                f'provider_installation {{\n  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n'
                '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n',
                encoding="utf-8",
            )
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "TMPDIR")}
        return {
            **keep,
            "HOME": str(self.home),
            "TF_CLI_CONFIG_FILE": str(config),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
        }

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [TERRAFORM, *args, "-no-color"],
            cwd=self.folder,
            env=self.environ(),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"terraform {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
            )
        return result

    def outputs(self) -> dict[str, Any]:
        raw = json.loads(self.run("output", "-json").stdout)
        return {name: spec["value"] for name, spec in raw.items()}


def working_copy(source: Path, destination: Path) -> Path:
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(*LOCAL_FILES))
    return destination


def moto_provider(endpoint: str) -> str:
    """A provider block for moto: its endpoint for every service, fixed test keys, no
    lookups of the account or of instance metadata."""
    endpoints = "\n".join(f'    {service} = "{endpoint}"' for service in SERVICES)
    return (
        'provider "aws" {\n'
        f'  region = "{REGION}"\n'
        '  access_key = "testing"\n  secret_key = "testing"\n'
        "  skip_credentials_validation = true\n  skip_metadata_api_check = true\n"
        "  skip_requesting_account_id = true\n  s3_use_path_style = true\n"
        f"  endpoints {{\n{endpoints}\n  }}\n}}\n"
    )


def moto_backend(endpoint: str) -> str:
    """The S3 backend's settings for moto, given beside the operator's backend.hcl."""
    return (
        f'endpoints = {{ s3 = "{endpoint}", dynamodb = "{endpoint}", sts = "{endpoint}" }}\n'
        'access_key = "testing"\nsecret_key = "testing"\nuse_path_style = true\n'
        "skip_credentials_validation = true\nskip_requesting_account_id = true\n"
        "skip_metadata_api_check = true\nskip_region_validation = true\n"
    )


def emptied(*resources: str) -> str:
    """Override-file blocks that make each `type.name` create nothing."""
    return "".join(
        f'resource "{kind}" "{name}" {{\n  count = 0\n}}\n'
        for kind, name in (address.split(".") for address in resources)
    )


@dataclass
class Configuration:
    """One folder's blocks from python-hcl2: strings unquoted, expressions as `${...}` text,
    nested blocks as lists of dicts."""

    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    data: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    terraform: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, set[str]] = field(default_factory=dict)

    def resource(self, kind: str, name: str) -> dict[str, Any]:
        return self.resources[(kind, name)]

    def of_kind(self, kind: str) -> dict[str, dict[str, Any]]:
        return {name: body for (k, name), body in self.resources.items() if k == kind}

    def default(self, variable: str) -> Any:
        return self.variables[variable].get("default")


def load_configuration(folder: Path) -> Configuration:
    import hcl2

    options = hcl2.SerializationOptions(
        with_comments=False, explicit_blocks=False, strip_string_quotes=True
    )
    config = Configuration()
    for path in sorted(folder.glob("*.tf")):
        with path.open(encoding="utf-8") as handle:
            parsed = hcl2.load(handle, serialization_options=options)
        kinds = config.files.setdefault(path.name, set())
        for section, target in (("resource", config.resources), ("data", config.data)):
            for entry in parsed.get(section, []):
                for kind, named in entry.items():
                    kinds.add(kind)
                    target.update({(kind, name): body for name, body in named.items()})
        for section, into in (("variable", config.variables), ("output", config.outputs)):
            for entry in parsed.get(section, []):
                into.update(entry)
                kinds.add(section)
        for entry in parsed.get("locals", []):
            config.locals.update(entry)
        config.terraform += parsed.get("terraform", [])
    return config
