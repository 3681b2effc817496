"""A StereoSpot deployment in moto for the operator commands' tests: what aws-infra makes
that the commands touch (tables, queues, buckets by `provision`, the three secrets without
values, the ECR repositories, a cluster with services), and its Terraform outputs in the
file `stereospot ops terraform-output` writes. `ops()` runs the real command line in a
child process, as an operator would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from stereospot.aws.provision import provision
from stereospot.ops.outputs import IMAGES, SECRETS
from stereospot.settings import Settings
from stereospot_testing.backends import aws_settings


@dataclass
class Deployment:
    settings: Settings
    endpoint: str
    folder: Path
    outputs: dict[str, Any]

    @property
    def outputs_file(self) -> Path:
        return self.folder / "stereospot-aws.json"

    def client(self, service: str) -> Any:
        return boto3.client(
            service, region_name=self.settings.aws_region, endpoint_url=self.endpoint
        )

    def environ(self, **extra: str) -> dict[str, str]:
        keep = ("PATH", "HOME", "LANG", "TMPDIR", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
        return {
            **{k: v for k, v in os.environ.items() if k in keep},
            "AWS_DEFAULT_REGION": self.settings.aws_region,
            "STEREOSPOT_AWS_ENDPOINT_URL": self.endpoint,
            **extra,
        }

    def ops(self, *args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "stereospot", "ops", *args, "--outputs", str(self.outputs_file)],
            capture_output=True,
            text=True,
            cwd=self.folder,
            env=self.environ(**env),
            timeout=timeout,
        )


def make_deployment(endpoint: str, folder: Path, services: bool = True) -> Deployment:
    settings = aws_settings(endpoint)
    provision(settings)
    prefix = settings.aws_prefix

    def client(service: str) -> Any:
        return boto3.client(service, region_name=settings.aws_region, endpoint_url=endpoint)

    arns = {
        name: client("secretsmanager").create_secret(Name=f"{prefix}/{name}")["ARN"]
        for name in SECRETS
    }
    ecr = client("ecr")
    repositories = {
        image: ecr.create_repository(repositoryName=f"{prefix}-{image}")["repository"][
            "repositoryUri"
        ]
        for image in IMAGES
    }
    cluster = f"{prefix}-cluster"
    client("ecs").create_cluster(clusterName=cluster)
    if services:
        for name in ("web-ui", "media-worker", "video-worker"):
            client("ecs").create_service(
                cluster=cluster, serviceName=f"{prefix}-{name}", desiredCount=0
            )
    outputs = {
        "region": settings.aws_region,
        "prefix": prefix,
        "input_bucket": settings.input_bucket,
        "output_bucket": settings.output_bucket,
        "cluster_name": cluster,
        "ecr_repositories": repositories,
        "service_env": {
            "STEREOSPOT_BACKEND": "aws",
            "STEREOSPOT_AWS_REGION": settings.aws_region,
            "STEREOSPOT_AWS_PREFIX": prefix,
            "STEREOSPOT_INPUT_BUCKET": settings.input_bucket,
            "STEREOSPOT_OUTPUT_BUCKET": settings.output_bucket,
            "STEREOSPOT_INFERENCE": "inprocess",
            "STEREOSPOT_VISIBILITY_TIMEOUT": "30",
            "STEREOSPOT_MAX_RECEIVES": str(settings.max_receives),
        },
        "secret_arns": arns,
        "web_url": "",
        "codebuild_project": f"{prefix}-stereo-inference",
        "sagemaker_endpoint": None,
    }
    folder.mkdir(parents=True, exist_ok=True)
    # As `terraform output -json` prints them: the commands take either shape.
    raw = {name: {"sensitive": False, "type": "dynamic", "value": v} for name, v in outputs.items()}
    (folder / "stereospot-aws.json").write_text(json.dumps(raw), encoding="utf-8")
    return Deployment(settings, endpoint, folder, outputs)
