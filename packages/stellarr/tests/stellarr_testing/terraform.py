"""Terraform for the tests: the binary, the hashicorp/aws provider from a local mirror (no
registry is reachable here), a working copy of infra/ per run, and provider settings that
point every AWS call at moto in server mode.

Nothing here changes infra/ itself: a working copy gets `moto_override.tf`, a Terraform
override file that replaces the provider blocks (endpoints, fixed test credentials, no
account lookups) and the backend, which is how the same configuration is applied against
moto that a person applies against AWS.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stellarr_testing.paths import PACKAGE_ROOT

INFRA = PACKAGE_ROOT / "infra"
BACKEND_SETUP = INFRA / "backend-setup"
# Where Terraform 1.11 and the provider's filesystem mirror are on the test machines; both
# may be moved with environment variables.
TERRAFORM = os.environ.get("STELLARR_TERRAFORM") or shutil.which("terraform") or "terraform"
MIRROR = Path(os.environ.get("STELLARR_TF_MIRROR", "/opt/tf-plugins"))
PROVIDER = "registry.terraform.io/hashicorp/aws"
PROVIDER_VERSION = "5.100.0"
CLI_CONFIG = """provider_installation {{
  filesystem_mirror {{
    path = "{mirror}"
  }}
  direct {{
    exclude = ["registry.terraform.io/*/*"]
  }}
}}
"""
# Every service infra/ calls, for the override's endpoints.
SERVICES = (
    "acm",
    "cloudfront",
    "cloudwatchlogs",
    "dynamodb",
    "ec2",
    "events",
    "iam",
    "lambda",
    "route53",
    "s3",
    "secretsmanager",
    "sts",
    "wafv2",
)
MOTO_CREDENTIALS = ("testing", "testing")
# Files of a person's own run that a working copy must not take along.
LOCAL_FILES = (".terraform", "*.tfstate", "*.tfstate.*", "terraform.tfvars", "backend.hcl")


def unavailable() -> str | None:
    """Why Terraform cannot run here (a skip reason), or None."""
    if shutil.which(TERRAFORM) is None:
        return f"no terraform binary ({TERRAFORM}); install Terraform 1.11 to run the infra checks"
    if not (MIRROR / PROVIDER / PROVIDER_VERSION).is_dir():
        return (
            f"no {PROVIDER} {PROVIDER_VERSION} in the provider mirror {MIRROR} "
            "(STELLARR_TF_MIRROR moves it); no registry is reachable from the tests"
        )
    return None


@dataclass
class Terraform:
    """One working folder and the environment its commands run with: the mirror, no
    prompts, no update check, no AWS settings from the machine running the tests."""

    folder: Path
    home: Path

    def environ(self) -> dict[str, str]:
        config = self.home / "terraform.rc"
        if not config.is_file():
            self.home.mkdir(parents=True, exist_ok=True)
            config.write_text(CLI_CONFIG.format(mirror=MIRROR), encoding="utf-8")
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "TMPDIR")}
        return {
            **keep,
            "HOME": str(self.home),
            "TF_CLI_CONFIG_FILE": str(config),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            "NO_COLOR": "1",
        }

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [TERRAFORM, *args, *(["-no-color"] if args[0] != "fmt" else [])],
            cwd=self.folder,
            env=self.environ(),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"terraform {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        return result

    def outputs(self) -> dict[str, Any]:
        raw = json.loads(self.run("output", "-json").stdout)
        return {name: spec["value"] for name, spec in raw.items()}


def working_copy(source: Path, destination: Path) -> Path:
    """infra/ (or backend-setup/) as a person would run it, without their local files."""
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(*LOCAL_FILES))
    return destination


def provider_block(endpoint: str, region: str, alias: str | None = None) -> str:
    key, secret = MOTO_CREDENTIALS
    lines = [
        'provider "aws" {',
        *([f'  alias = "{alias}"'] if alias else []),
        f'  region = "{region}"',
        f'  access_key = "{key}"',
        f'  secret_key = "{secret}"',
        "  skip_credentials_validation = true",
        "  skip_metadata_api_check = true",
        "  skip_requesting_account_id = true",
        "  s3_use_path_style = true",
        "  endpoints {",
        *(f'    {service} = "{endpoint}"' for service in SERVICES),
        "  }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def s3_backend_for_moto(endpoint: str) -> str:
    """The S3 backend's own settings for moto, next to backend-setup's backend.hcl."""
    key, secret = MOTO_CREDENTIALS
    return (
        f'endpoints = {{ s3 = "{endpoint}", sts = "{endpoint}" }}\n'
        f'access_key = "{key}"\nsecret_key = "{secret}"\n'
        "use_path_style = true\nskip_credentials_validation = true\n"
        "skip_requesting_account_id = true\nskip_metadata_api_check = true\n"
        "skip_region_validation = true\n"
    )


@dataclass
class Configuration:
    """Every block of one Terraform folder, parsed with python-hcl2: strings without their
    quotes, expressions as `${...}` text, nested blocks as lists of dicts."""

    resources: dict[tuple[str, str], dict[str, Any]]
    data: dict[tuple[str, str], dict[str, Any]]
    ephemeral: dict[tuple[str, str], dict[str, Any]]
    variables: dict[str, dict[str, Any]]
    outputs: dict[str, dict[str, Any]]
    locals: dict[str, Any]
    providers: list[dict[str, Any]]
    terraform: list[dict[str, Any]]
    files: dict[str, set[tuple[str, str, str]]]

    def resource(self, kind: str, name: str) -> dict[str, Any]:
        return self.resources[(kind, name)]


def load_configuration(folder: Path) -> Configuration:
    import hcl2

    options = hcl2.SerializationOptions(
        with_comments=False,
        explicit_blocks=False,
        strip_string_quotes=True,
        preserve_heredocs=False,
    )
    config = Configuration({}, {}, {}, {}, {}, {}, [], [], {})
    for path in sorted(folder.glob("*.tf")):
        with path.open(encoding="utf-8") as handle:
            parsed = hcl2.load(handle, serialization_options=options)
        where = config.files.setdefault(path.name, set())
        for section, target in (
            ("resource", config.resources),
            ("data", config.data),
            ("ephemeral", config.ephemeral),
        ):
            for entry in parsed.get(section, []):
                for kind, named in entry.items():
                    for name, body in named.items():
                        target[(kind, name)] = body
                        where.add((section, kind, name))
        for entry in parsed.get("variable", []):
            config.variables.update(entry)
            where |= {("variable", "", name) for name in entry}
        for entry in parsed.get("output", []):
            config.outputs.update(entry)
            where |= {("output", "", name) for name in entry}
        for entry in parsed.get("locals", []):
            config.locals.update(entry)
        config.providers += [
            body for entry in parsed.get("provider", []) for body in entry.values()
        ]
        config.terraform += parsed.get("terraform", [])
    return config
