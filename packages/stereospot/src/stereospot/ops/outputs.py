"""What the operator commands know about a deployment: aws-infra's Terraform outputs.

`stereospot ops terraform-output` writes two files beside each other:
- `stereospot-aws.json`: every output, as plain `{name: value}`; the other ops commands
  read it (`--outputs`);
- `stereospot-aws.env`: the settings every service shares (`service_env`), one
  `NAME=value` per line, for a worker started by hand, `docker run --env-file` and the
  smoke test. No secret is in either file: secrets stay in Secrets Manager and the
  outputs carry only their ARNs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OUTPUTS_FILE = Path("stereospot-aws.json")
IMAGES = ("web-ui", "media-worker", "video-worker", "stereo-inference")
SECRETS = ("signing-key", "users", "model-credentials")
# An env file line holds one value; these characters would end or split it.
_UNSAFE_VALUE = re.compile(r"[\n\r\0]")


class OpsError(Exception):
    """One line saying what went wrong and what to do; the command exits 1."""


class UsageError(OpsError):
    """The command cannot work as given; exit 2."""


@dataclass(frozen=True)
class Outputs:
    region: str
    prefix: str
    input_bucket: str
    output_bucket: str
    cluster_name: str
    ecr_repositories: dict[str, str]
    service_env: dict[str, str]
    secret_arns: dict[str, str]
    web_url: str = ""
    codebuild_project: str = ""
    sagemaker_endpoint: str = ""
    # Only once the services run (image_tag set): the web UI's health is checked then.
    load_balancer_dns: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Outputs:
        """`terraform output -json` ({name: {"value": ...}}) or plain {name: value}."""
        values = {
            name: item["value"] if isinstance(item, dict) and "value" in item else item
            for name, item in raw.items()
        }
        required = ("region", "prefix", "input_bucket", "output_bucket", "cluster_name")
        maps = ("ecr_repositories", "service_env", "secret_arns")
        missing = [name for name in (*required, *maps) if values.get(name) in (None, "")]
        if missing:
            raise UsageError(
                f"the Terraform outputs lack {', '.join(missing)}: run "
                "`stereospot ops terraform-apply` in packages/stereospot/infra/aws-infra first"
            )
        for name in maps:
            if not isinstance(values[name], dict):
                raise OpsError(f"the Terraform output {name} is not a map")
        unknown_images = sorted(set(IMAGES) - set(values["ecr_repositories"]))
        if unknown_images:
            raise OpsError(f"ecr_repositories has no {', '.join(unknown_images)}")
        optional = ("web_url", "codebuild_project", "sagemaker_endpoint", "load_balancer_dns")
        known = {*required, *maps, *optional}

        def plain(name: str) -> dict[str, str]:
            return {str(k): str(v) for k, v in values[name].items()}

        return cls(
            region=str(values["region"]),
            prefix=str(values["prefix"]),
            input_bucket=str(values["input_bucket"]),
            output_bucket=str(values["output_bucket"]),
            cluster_name=str(values["cluster_name"]),
            ecr_repositories=plain("ecr_repositories"),
            service_env=plain("service_env"),
            secret_arns=plain("secret_arns"),
            web_url=str(values.get("web_url") or ""),
            codebuild_project=str(values.get("codebuild_project") or ""),
            sagemaker_endpoint=str(values.get("sagemaker_endpoint") or ""),
            load_balancer_dns=str(values.get("load_balancer_dns") or ""),
            extra={k: v for k, v in values.items() if k not in known},
        )

    @classmethod
    def load(cls, path: Path) -> Outputs:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UsageError(
                f"no {path}: `stereospot ops terraform-output` writes it after an apply"
            ) from None
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path} is not JSON ({exc.msg}, line {exc.lineno})") from None
        if not isinstance(raw, dict):
            raise UsageError(f"{path} does not hold Terraform's outputs")
        return cls.parse(raw)

    def to_json(self) -> dict[str, Any]:
        plain = {k: v for k, v in self.__dict__.items() if k != "extra"}
        return {**self.extra, **plain}

    def env(self) -> dict[str, str]:
        env = dict(self.service_env)
        env.setdefault("STEREOSPOT_BACKEND", "aws")
        env.setdefault("STEREOSPOT_AWS_REGION", self.region)
        env.setdefault("STEREOSPOT_AWS_PREFIX", self.prefix)
        env.setdefault("STEREOSPOT_INPUT_BUCKET", self.input_bucket)
        env.setdefault("STEREOSPOT_OUTPUT_BUCKET", self.output_bucket)
        return env

    def secret_arn(self, name: str) -> str:
        if name not in self.secret_arns:
            raise UsageError(
                f"no secret {name!r}; the deployment has {', '.join(self.secret_arns)}"
            )
        return self.secret_arns[name]


def env_file_text(env: Mapping[str, str]) -> str:
    lines = ["# Written by `stereospot ops terraform-output`; secrets are not in this file."]
    for name, value in sorted(env.items()):
        if _UNSAFE_VALUE.search(value):
            raise OpsError(f"the value of {name} has a line break; an env file cannot hold it")
        lines.append(f"{name}={value}")
    return "\n".join(lines) + "\n"


def write(outputs: Outputs, json_path: Path, env_path: Path) -> None:
    json_path.write_text(json.dumps(outputs.to_json(), indent=2) + "\n", encoding="utf-8")
    env_path.write_text(env_file_text(outputs.env()), encoding="utf-8")
